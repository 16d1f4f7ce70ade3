"""Pre-release isolation in prisons (刑满释放人员提前隔离): the answer to the registry's release port.

An inmate is released (their relation to the prison ends, ``registry.services.inmate_release``) only
after a completed pre-release isolation: their latest order with the reason "pre-release" has been
released (through every release gate of ``outbreak.isolation``: planned end, no recent fever, a
check on or after the end, or an approved early release) on or before the day of release, and no
more than ``PRE_RELEASE_VALID_DAYS`` days before it (a setting: the newspaper says only that the
prison isolates every inmate due for release inside before release). A person under any active
isolation order is not released either. ``PreReleaseIsolation`` is registered with
``registry.ports`` from ``OutbreakConfig.ready()`` (``register_with_registry``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.outbreak.models import IsolationOrder, IsolationReason, IsolationStatus
from zhengtong.registry import ports


def refusal(order: IsolationOrder | None, active: IsolationOrder | None, day: date) -> str | None:
    """Why an inmate whose latest pre-release order is ``order`` (and whose active order of any reason
    is ``active``) may not leave on ``day``; None when they may."""
    if active is not None and active.reason != IsolationReason.PRE_RELEASE:
        return _("Under an isolation order (no. %(id)d) until %(end)s at the earliest.") % {
            "id": active.pk, "end": active.planned_end}
    if order is None:
        return _("No pre-release isolation: isolate the inmate inside before release (%(n)d days by default).") % {
            "n": settings.ISOLATION_DAYS}
    if order.status == IsolationStatus.ACTIVE:
        return _("In pre-release isolation (order no. %(id)d) until %(end)s at the earliest: a county officer "
                 "releases the order first.") % {"id": order.pk, "end": order.planned_end}
    assert order.released_at is not None
    ended = timezone.localdate(order.released_at)
    if ended > day:
        return _("Pre-release isolation ended on %(ended)s, after the day of release.") % {"ended": ended}
    if (day - ended).days > settings.PRE_RELEASE_VALID_DAYS:
        return _("Pre-release isolation ended on %(ended)s, more than %(n)d days before the release: isolate "
                 "again.") % {"ended": ended, "n": settings.PRE_RELEASE_VALID_DAYS}
    return None


class PreReleaseIsolation:
    """The registry asks, for a prison's inmates and their days of release, who may not leave and why:
    one query for the list."""

    def release_refusals(self, *, site: Any, days: Mapping[int, date]) -> dict[int, list[str]]:
        latest: dict[int, IsolationOrder] = {}
        active: dict[int, IsolationOrder] = {}
        orders = (IsolationOrder.objects.filter(Q(reason=IsolationReason.PRE_RELEASE)
                                                | Q(status=IsolationStatus.ACTIVE), person_id__in=list(days))
                  .order_by("person_id", "start", "id"))
        for order in orders:
            if order.reason == IsolationReason.PRE_RELEASE:
                latest[order.person_id] = order  # by start: the last one read is the latest
            if order.status == IsolationStatus.ACTIVE:
                active[order.person_id] = order
        result = {}
        for person_id, day in days.items():
            why = refusal(latest.get(person_id), active.get(person_id), day)
            if why:
                result[person_id] = [why]
        return result


CHECK = PreReleaseIsolation()


def register_with_registry() -> None:
    """Called by ``OutbreakConfig.ready()``: the registry refuses releases this check does not clear."""
    ports.register_release_check(CHECK)

