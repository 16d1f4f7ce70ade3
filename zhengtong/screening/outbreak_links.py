"""What screening reads from the outbreak domain (isolation orders, entries held for a case),
through that app's selectors once it exists. Until then nobody is isolated and nothing is held,
and the rules and the purge apply as soon as the outbreak app provides these selectors."""

from collections.abc import Iterable
from datetime import datetime


def isolated_person_ids(person_ids: Iterable[int], at: datetime) -> set[int]:
    try:
        from zhengtong.outbreak import selectors
    except ImportError:
        return set()
    return set(selectors.active_isolation_person_ids(person_ids=list(person_ids), at=at))


def held_entry_filter():
    """A Q on Entry for rows a case investigation needs (kept past the retention period)."""
    try:
        from zhengtong.outbreak import selectors
    except ImportError:
        return None
    return selectors.entries_held_q()
