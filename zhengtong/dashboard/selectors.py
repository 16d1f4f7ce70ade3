"""What the home page shows each role: the things in their scope and what needs doing there.

Each domain app offers ``todo(user=, today=)`` and ``figures(user=, now=)`` in its selectors
(returning ``core.panels.Todo`` and ``Figure``); the home page shows them app by app in the
order of ``PANEL_SOURCES``: the registry, then screening, outbreak, permits, then resumption."""

from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.accounts.selectors import assignments_of
from zhengtong.core.panels import Figure, Todo
from zhengtong.outbreak import selectors as outbreak
from zhengtong.permits import selectors as permits
from zhengtong.registry import selectors as registry
from zhengtong.resumption import selectors as resumption
from zhengtong.screening import selectors as screening

PANEL_SOURCES = (registry, screening, outbreak, permits, resumption)


def home_panels(*, user) -> dict:
    """The user's role assignments, figures and to-dos, each computed through the apps' scoped
    selectors."""
    now = timezone.now()
    today = timezone.localdate(now)
    figures: list[Figure] = []
    todo: list[Todo] = []
    for source in PANEL_SOURCES:
        todo += source.todo(user=user, today=today)
    for source in PANEL_SOURCES:
        figures += source.figures(user=user, now=now)
    return {"assignments": assignments_of(user), "figures": figures, "todo": todo,
            "has_role": scopes.has_any_role(user)}
