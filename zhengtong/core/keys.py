"""Keys a development run keeps in files of its own (settings.py reads them before Django starts,
so this module imports nothing of Django's)."""

import os
import secrets
from pathlib import Path

# The key earlier versions fell back to when SECRET_KEY was unset. It is never used to protect
# anything: the re-key command reads it only to move stored ID numbers away from it
# (`zhengtong rekey_personal_data --from-legacy-development-key`), and the system checks name it.
LEGACY_DEVELOPMENT_KEY = "insecure-dev-key-change-me-" + "0" * 32


def local_key(path: Path) -> str:
    """The key kept in ``path``; on first use a new random one, written with mode 0600. Two processes
    starting at once keep the same key: the file appears whole (a hard link) or not at all."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        pass
    else:
        if not key:
            raise ValueError(f"{path} is empty: delete it to have a new key made, or write the key into it")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            return local_key(path)
    finally:
        draft.unlink(missing_ok=True)
    return key
