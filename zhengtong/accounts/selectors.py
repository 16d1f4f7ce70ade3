"""Reads of users' role assignments, of the accounts a user manages, and of the access log."""

from datetime import date, datetime, time, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.accounts.models import AccountEvent, RoleAssignment
from zhengtong.core.cleaners import filter_text
from zhengtong.core.models import AccessRecord
from zhengtong.registry.models import Department, Region, Site


def assignments_of(user) -> list[RoleAssignment]:
    """The user's active role assignments with the region, department, site or unit each is for."""
    return list(
        RoleAssignment.objects.active().filter(user=user).select_related("region", "department", "site__unit", "unit")
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


# Accounts ------------------------------------------------------------------------------------


def account_users(*, user: Any) -> QuerySet:
    """The users whose accounts ``user`` manages (accounts.scopes.account_users_q); none for a user
    who manages no accounts."""
    if not scopes.can_manage_accounts(user):
        return get_user_model().objects.none()
    return get_user_model().objects.filter(scopes.account_users_q(user))


def account_user_list(*, user: Any, filters: dict | None = None) -> QuerySet:
    """The managed users, by username, with their active assignments. Filters: ``q`` (part of the
    username, name or phone), ``role`` (holds it actively), ``active`` ("yes" or "no")."""
    f = filters or {}
    qs = account_users(user=user).select_related("profile")
    text = filter_text(f.get("q"))
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(first_name__icontains=text)
                       | Q(profile__phone__icontains=text))
    if f.get("role"):
        qs = qs.filter(pk__in=RoleAssignment.objects.active().filter(role=f["role"]).values("user_id"))
    if f.get("active") in ("yes", "no"):
        qs = qs.filter(is_active=f["active"] == "yes")
    active = RoleAssignment.objects.active().select_related("region", "department", "site", "unit")
    return qs.prefetch_related(Prefetch("assignments", queryset=active.order_by("role", "pk"),
                                        to_attr="active_assignments")).order_by("username", "pk")


def assignment_history(*, user: Any, target: Any) -> list[RoleAssignment]:
    """Every assignment of ``target``, active first, then the ended ones newest first, with who gave and
    who ended each; empty unless ``user`` manages the account."""
    if not account_users(user=user).filter(pk=target.pk).exists():
        return []
    rows = RoleAssignment.objects.filter(user=target).select_related(
        "region", "department", "site", "unit", "created_by", "ended_by")
    return sorted(rows, key=lambda a: (a.ended_at is not None, -(a.ended_at or a.created_at).timestamp(), -a.pk))


def account_events(*, user: Any, target: Any, limit: int = 50) -> list[AccountEvent]:
    """Who did what to ``target``'s account, newest first."""
    if not account_users(user=user).filter(pk=target.pk).exists():
        return []
    return list(AccountEvent.objects.filter(user=target).select_related(
        "assignment__region", "assignment__department", "assignment__site", "assignment__unit")[:limit])


def is_locked_out(*, username: str) -> bool:
    """Whether django-axes now refuses ``username`` (from some address): enough failed attempts within
    the cool-off time."""
    qs = AccessAttempt.objects.filter(username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        qs = qs.filter(attempt_time__gte=timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME)))
    return qs.exists()


def assignable_sites(*, user: Any) -> QuerySet[Site]:
    """Sites at which ``user`` may give the site roles."""
    if not scopes.can_manage_accounts(user):
        return Site.objects.none()
    return Site.objects.filter(scopes.account_sites_q(user)).order_by("county__code", "name", "pk")


def assignable_regions(*, user: Any) -> QuerySet[Region]:
    """The city and its counties, for the city administrator's and county officers' assignments."""
    if not scopes.is_city_admin(user):
        return Region.objects.none()
    return Region.objects.filter(
        Q(level=Region.Level.CITY) | Q(level__in=Region.COUNTY_LEVELS, parent__level=Region.Level.CITY)
    ).order_by("code")


def assignable_departments(*, user: Any) -> QuerySet[Department]:
    if not scopes.is_city_admin(user):
        return Department.objects.none()
    return Department.objects.select_related("region").order_by("region__code", "name")
