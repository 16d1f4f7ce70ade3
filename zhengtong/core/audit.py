"""The audit history's helpers: every change to a regulated record is kept by django-simple-history
with who made it and why (DESIGN.md); services run outside the request too, so they say who."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

# django-simple-history's history_change_reason column holds 100 characters.
REASON_LENGTH = 100


def record(instance: Any, user: Any, reason: str = "") -> None:
    """Tell django-simple-history who makes the next save of ``instance``, and why. A reason longer
    than the history's column (a case's closing note, a refusal's reasons) is kept whole on the record
    itself; the history keeps its beginning, so that a long text never fails the save."""
    instance._history_user = user if getattr(user, "is_authenticated", False) else None
    if reason:
        instance._change_reason = reason if len(reason) <= REASON_LENGTH else reason[:REASON_LENGTH - 1] + "…"


@contextmanager
def history_off() -> Iterator[None]:
    """No history rows while this runs: for wholesale loads and removals (the demo), whose rows'
    history would say nothing a reader needs."""
    before = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = before
