"""What screening reads from the outbreak domain (isolation orders, entries held for a case),
through that app's selectors once it exists. Until then nobody is isolated and nothing is held,
and the rules and the purge apply as soon as the outbreak app provides these selectors."""

import importlib
from collections.abc import Iterable
from datetime import datetime
from functools import cache


@cache
def _outbreak_selectors():
    """The outbreak app's selectors, or None; looked up once (a failed import is not cached by Python)."""
    try:
        return importlib.import_module("zhengtong.outbreak.selectors")
    except ImportError:
        return None


def isolated_person_ids(person_ids: Iterable[int], at: datetime) -> set[int]:
    selectors = _outbreak_selectors()
    if selectors is None:
        return set()
    return set(selectors.active_isolation_person_ids(person_ids=list(person_ids), at=at))


def held_entry_filter():
    """A Q on Entry for rows a case investigation needs (kept past the retention period)."""
    selectors = _outbreak_selectors()
    if selectors is None:
        return None
    return selectors.entries_held_q()
