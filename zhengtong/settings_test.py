"""Settings for the test suite: the same as production but with a fast password hasher and keys
of its own (set in the environment before the production settings read it, so that what the suite
starts as a subprocess has them too)."""

import os

os.environ["SECRET_KEY"] = "zhengtong-test-suite-secret-key-not-for-any-installation"
os.environ["ZT_PERSONAL_DATA_KEY"] = "zhengtong-test-suite-personal-data-key-not-for-any-installation"

from zhengtong.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"].endswith("postgresql") and "DB_PREPARE_THRESHOLD" not in os.environ:  # noqa: F405
    # As the README's production command: the gate's hot statements prepared (screening.hotpath).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is absent)
