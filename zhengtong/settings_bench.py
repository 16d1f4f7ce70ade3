"""Settings for the benchmarks in bench/: production's, with keys of their own (set in the environment
before the production settings read it, so that the server a benchmark starts has them too)."""

import os

os.environ["SECRET_KEY"] = "zhengtong-benchmark-secret-key-not-for-any-installation"
os.environ["ZT_PERSONAL_DATA_KEY"] = "zhengtong-benchmark-personal-data-key-not-for-any-installation"

from zhengtong.settings import *  # noqa: E402, F403
