"""Reads of users' role assignments, and of the access log."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.accounts.models import RoleAssignment
from zhengtong.core.models import AccessRecord


def assignments_of(user) -> list[RoleAssignment]:
    """The user's role assignments with the region, department, site or unit each is for."""
    return list(
        RoleAssignment.objects.filter(user=user).select_related("region", "department", "site__unit", "unit")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_record_list(*, user: Any, filters: dict | None = None) -> QuerySet[AccessRecord]:
    """Who viewed whose health data (core.access), newest first: for the city administrator only;
    anyone else gets nothing. Filters: ``user`` (part of a username), ``kind``, ``subject_type``,
    ``whose`` (an id, or part of the subject's label), ``start`` and ``end`` (local days, both
    included)."""
    if not scopes.is_city_admin(user):
        return AccessRecord.objects.none()
    f = filters or {}
    qs = AccessRecord.objects.all()
    if f.get("user"):
        qs = qs.filter(username__icontains=f["user"].strip())
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("subject_type"):
        qs = qs.filter(subject_type=f["subject_type"])
    whose = (f.get("whose") or "").strip()
    if whose.isascii() and whose.isdigit():
        qs = qs.filter(subject_id=int(whose)) if len(whose) <= 18 else qs.none()
    elif whose:
        qs = qs.filter(subject__icontains=whose)
    if f.get("start"):
        qs = qs.filter(at__gte=_day_start(f["start"]))
    if f.get("end"):
        qs = qs.filter(at__lt=_day_start(f["end"] + timedelta(days=1)))
    return qs.order_by("-at", "-pk")
