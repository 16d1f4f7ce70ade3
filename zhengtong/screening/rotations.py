"""Closed-duty rotations (shared/domain/epidemic.md: "plan their rotations — on duty inside, then
isolation — and treat them like residents"): planning them, who is on duty, and their end.

A site's managers (``scopes.can_plan_rotations``: never a gatekeeper) plan a rotation: a name, the
site's staff members, the first and the last day on duty inside, then the days of isolation
(``ROTATION_ISOLATION_DAYS``, 14, by default). While any rotation of a site under closed management is
on duty, the gate admits among the site's staff only the members of a rotation on duty (rule 7 of
screening.rules); on a day no rotation covers, the staff are admitted as before. Residents, inmates
and workers are not concerned.

The end of a rotation (``rotation_end``: the daily job ``screening.end_rotations`` for rotations whose
last day has passed, or a manager's action from the last day on, which also asks again for members
not isolated the first time) asks the app that orders isolation,
through ``screening.ports.isolate_rotation``, to isolate every member at the site, from the end of
duty for the rotation's days of isolation. Each member keeps what came of it (ordered, or why not);
asking again asks only for those not isolated. A rotation that has ended is no longer changed.

Reads for the gate: ``duty`` (one person, one day: the gate page, and the device API when the day is
not the one its statement read), ``duty_sql`` (the device API's one statement carries it) and
``rosters`` (an offline batch: one query for its whole span).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core import audit
from zhengtong.core.cleaners import clean_count, clean_date, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.registry.models import Site, SitePerson
from zhengtong.screening import hotpath, ports
from zhengtong.screening.models import Rotation, RotationMember

MAX_MEMBERS = 1000
MAX_ISOLATION_DAYS = 60
ON_DUTY, OFF_DUTY = 2, 1  # what ``duty_sql`` gives; NULL: no rotation on duty that day


# Who is on duty ------------------------------------------------------------------------------


def duty(*, site: Site, person_id: int, day: date) -> bool | None:
    """Whether the person is a member of a rotation of the site on duty on ``day``; None when no
    rotation of the site is on duty that day (the rule does not apply)."""
    on = list(Rotation.objects.filter(site=site, on_duty_from__lte=day, on_duty_until__gte=day)
              .values_list("pk", flat=True))
    if not on:
        return None
    return RotationMember.objects.filter(rotation_id__in=on, person_id=person_id).exists()


def duty_from_code(code: Any) -> bool | None:
    """``duty_sql``'s value as ``duty`` answers."""
    return None if code is None else int(code) == ON_DUTY


def duty_sql(site_column: str, person_column: str) -> str:
    """A scalar SQL subquery over the site and the person those columns name: ON_DUTY, OFF_DUTY or
    NULL (as ``duty``) on a day given twice as parameters (``day_param``)."""
    qn, t = hotpath.qn, hotpath.table
    return (f"SELECT MAX(CASE WHEN rm.{qn('id')} IS NULL THEN {OFF_DUTY} ELSE {ON_DUTY} END) "
            f"FROM {t(Rotation)} r LEFT JOIN {t(RotationMember)} rm ON rm.{qn('rotation_id')} = r.{qn('id')} "
            f"AND rm.{qn('person_id')} = {person_column} "
            f"WHERE r.{qn('site_id')} = {site_column} AND r.{qn('on_duty_from')} <= %s "
            f"AND r.{qn('on_duty_until')} >= %s")


def day_param(day: date) -> Any:
    """A day as the statement's parameter (SQLite compares the stored text)."""
    return connection.ops.adapt_datefield_value(day)


@dataclass(frozen=True)
class Roster:
    start: date
    end: date
    members: frozenset[int]


def rosters(*, site: Site, first: date, last: date) -> list[Roster]:
    """The site's rotations on duty on any day from ``first`` to ``last``, with their members: one
    query, for an offline batch's whole span."""
    rows = (RotationMember.objects.filter(rotation__site=site, rotation__on_duty_from__lte=last,
                                          rotation__on_duty_until__gte=first)
            .values_list("rotation_id", "rotation__on_duty_from", "rotation__on_duty_until", "person_id"))
    spans: dict[int, tuple[date, date, set[int]]] = {}
    for rotation_id, start, end, person_id in rows:
        spans.setdefault(rotation_id, (start, end, set()))[2].add(person_id)
    return [Roster(start, end, frozenset(members)) for start, end, members in spans.values()]


def duty_in(rosters_: list[Roster], person_id: int, day: date) -> bool | None:
    """``duty`` answered from ``rosters`` (a rotation without members still counts as on duty)."""
    on = [r for r in rosters_ if r.start <= day <= r.end]
    if not on:
        return None
    return any(person_id in r.members for r in on)


# Planning ------------------------------------------------------------------------------------


def default_days() -> int:
    """The days of isolation a new rotation plans after its duty (ROTATION_ISOLATION_DAYS)."""
    return settings.ROTATION_ISOLATION_DAYS


def _members(errors: FieldErrors, site: Site, raw: Any, start: date | None) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else str(raw).split(","))
    ids: list[int] = []
    for value in values:
        pk = valid_id(value)
        if pk is None:
            errors.add("members", _("Choose staff members of the site."))
            return []
        if pk not in ids:
            ids.append(pk)
    if not ids:
        errors.add("members", _("Choose at least one staff member."))
        return []
    if len(ids) > MAX_MEMBERS:
        errors.add("members", _("At most %(n)d members in one rotation.") % {"n": MAX_MEMBERS})
        return []
    staff = SitePerson.objects.filter(site=site, person_id__in=ids, relation=SitePerson.Relation.STAFF)
    if start is not None:
        staff = staff.filter(SitePerson.in_force_q(start))
    found = set(staff.values_list("person_id", flat=True))
    if len(found) != len(ids):
        errors.add("members", _("Only the site's staff go on closed duty: %(n)d of those chosen are not.")
                   % {"n": len(set(ids) - found)})
    return ids


def _overlapping(site: Site, ids: list[int], start: date, end: date, rotation: Rotation | None) -> list[str]:
    qs = (RotationMember.objects.filter(rotation__site=site, person_id__in=ids, rotation__on_duty_from__lte=end,
                                        rotation__on_duty_until__gte=start)
          .select_related("person", "rotation"))
    if rotation is not None:
        qs = qs.exclude(rotation=rotation)
    return [f"{m.person.name}（{m.rotation.name}）" for m in qs[:5]]


def _clean(site: Site, data: dict, rotation: Rotation | None) -> dict[str, Any]:
    errors = FieldErrors()
    name = clean_text(errors, data, "name", required=True, max_length=100)
    start = clean_date(errors, data, "on_duty_from")
    end = clean_date(errors, data, "on_duty_until")
    for field, value in (("on_duty_from", start), ("on_duty_until", end)):
        if value is None and field not in errors.errors:
            errors.add(field, _("This field is required."))
    if start and end and end < start:
        errors.add("on_duty_until", _("The last day on duty comes on or after the first."))
    days = clean_count(errors, "isolation_days", data.get("isolation_days"), minimum=1, maximum=MAX_ISOLATION_DAYS,
                       default=settings.ROTATION_ISOLATION_DAYS)
    ids = _members(errors, site, data.get("members"), start)
    others = Rotation.objects.filter(site=site, name=name)
    if rotation is not None:
        others = others.exclude(pk=rotation.pk)
    if name and others.exists():
        errors.add("name", _("This site already has a rotation of this name."))
    if start and end and ids and "members" not in errors.errors:
        clash = _overlapping(site, ids, start, end, rotation)
        if clash:
            errors.add("members", _("Already on duty in another rotation at the same time: %(who)s.")
                       % {"who": "、".join(clash)})
    errors.raise_if_any()
    return {"name": name, "on_duty_from": start, "on_duty_until": end, "isolation_days": days, "members": ids}


def _may_plan(user, site: Site) -> None:
    if not Site.objects.filter(scopes.screening_sites_q(user), pk=site.pk).exists() or \
            not scopes.can_plan_rotations(user, site):
        raise PermissionDenied(_("You may not plan this site's rotations."))


@transaction.atomic
def rotation_save(*, user, site: Site, data: dict, rotation: Rotation | None = None) -> Rotation:
    """Plan a rotation of the site's staff, or change one that has not ended: its name, its members
    (staff of the site, on duty in no other rotation at the same time), its first and last day on
    duty, and the days of isolation after it (default ROTATION_ISOLATION_DAYS)."""
    _may_plan(user, site)
    if rotation is not None:
        rotation = Rotation.objects.select_for_update().get(pk=rotation.pk, site=site)
        if rotation.ended_at is not None:
            raise DomainError(_("This rotation has ended: it is no longer changed."), field="name", status=409)
    cleaned = _clean(site, data, rotation)
    ids = cleaned.pop("members")
    rotation = rotation or Rotation(site=site, created_by=user)
    for key, value in cleaned.items():
        setattr(rotation, key, value)
    audit.record(rotation, user, "plan" if rotation.pk is None else "change")
    rotation.save()
    current = set(rotation.members.values_list("person_id", flat=True))
    rotation.members.exclude(person_id__in=ids).delete()
    RotationMember.objects.bulk_create([RotationMember(rotation=rotation, person_id=pk) for pk in ids
                                        if pk not in current])
    return rotation


# The end of a rotation -----------------------------------------------------------------------


@dataclass
class Ended:
    rotation: Rotation
    ordered: int
    refused: int
    asked: bool  # False: no app orders isolation here


def rotation_end(*, user, rotation: Rotation, now: datetime | None = None) -> Ended:
    """End a rotation from its last day on duty on: ask the app that orders isolation (screening.ports)
    to isolate each member not isolated yet, from the end of duty (the scheduled job, ``user`` None:
    the midnight after the last day; a manager's action: now) for the rotation's days of isolation.
    Each member keeps the outcome; asking again asks only for those not isolated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if user is not None:
        _may_plan(user, rotation.site)
    if today < rotation.on_duty_until:
        raise DomainError(_("The rotation is on duty until %(day)s: it ends from that day on. To end it sooner, "
                            "change its last day on duty.") % {"day": rotation.on_duty_until}, field="on_duty_until",
                          status=409)
    if user is None:
        start = timezone.make_aware(datetime.combine(rotation.on_duty_until + timedelta(days=1), time(0, 0)))
        start = min(start, now)
    else:
        start = now
    planned_end = timezone.localdate(start) + timedelta(days=rotation.isolation_days)
    with transaction.atomic():
        rotation = Rotation.objects.select_for_update().select_related("site", "site__county").get(pk=rotation.pk)
        waiting = list(rotation.members.filter(isolation_ordered=False).order_by("pk"))
        note = _("Closed-duty rotation %(name)s ended (on duty %(start)s–%(end)s).") % {
            "name": rotation.name, "start": rotation.on_duty_from, "end": rotation.on_duty_until}
        refused = ports.isolate_rotation(user=user, site=rotation.site, person_ids=[m.person_id for m in waiting],
                                         start=start, planned_end=planned_end, note=note) if waiting else {}
        for member in waiting:
            if refused is None:
                member.isolation_note = _("Not isolated: no app orders isolation here.")
            elif member.person_id in refused:
                member.isolation_note = refused[member.person_id][:300]
            else:
                member.isolation_ordered, member.isolation_note = True, _("Isolated until %(day)s at the earliest.") % {
                    "day": planned_end}
        RotationMember.objects.bulk_update(waiting, ["isolation_ordered", "isolation_note"])
        if rotation.ended_at is None:
            rotation.ended_at, rotation.ended_by = now, user
            audit.record(rotation, user, "end")
            rotation.save(update_fields=["ended_at", "ended_by"])
    failed = 0 if refused is None else sum(1 for m in waiting if m.person_id in refused)
    return Ended(rotation, ordered=sum(1 for m in waiting if m.isolation_ordered), refused=failed,
                 asked=refused is not None)


def rotations_end_due(*, now: datetime | None = None) -> list[Ended]:
    """The scheduled job: every rotation whose last day on duty has passed and that has not ended.
    (Members it could not isolate are asked for again by a manager's action, not every night.)"""
    now = now or timezone.now()
    due = Rotation.objects.filter(on_duty_until__lt=timezone.localdate(now), ended_at__isnull=True)
    return [rotation_end(user=None, rotation=r, now=now) for r in due.order_by("on_duty_until", "pk")]
