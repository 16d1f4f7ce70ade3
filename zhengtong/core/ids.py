"""Id bounds: the largest id PostgreSQL's bigint and SQLite's integer hold. A larger one given by a
user or a device would be a server error in the database driver, so every id is checked first."""

from typing import Any

MAX_ID = 2**63 - 1


def valid_id(value: Any) -> int | None:
    """A positive id within a database's bigint — a whole number, or a string of ASCII digits (a
    path, a query or a spreadsheet gives text) — or None. True and false are not ids, nor are other
    scripts' digits, which ``int()`` would read ("٣")."""
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 19):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value
