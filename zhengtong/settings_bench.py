"""Settings for the benchmarks in bench/: production's, with keys of their own (set in the environment
before the production settings read it, so that the server a benchmark starts has them too)."""

import os

os.environ["SECRET_KEY"] = "zhengtong-benchmark-secret-key-not-for-any-installation"
os.environ["ZT_PERSONAL_DATA_KEY"] = "zhengtong-benchmark-personal-data-key-not-for-any-installation"
# As the README's production command: PostgreSQL prepares the hot statements (core.prepared), unless the
# environment says otherwise (DB_PREPARE_THRESHOLD=off times what a pooler without them gets).
os.environ.setdefault("DB_PREPARE_THRESHOLD", "0")

from zhengtong.settings import *  # noqa: E402, F403
