"""Contact tracing from the gate's entries: who stayed where a case stayed, at the same time.

From a case, everyone whose stay overlapped the case's stays, from ``lookback_days`` before its onset
(or sample) until its isolation (or now), ranked by the minutes of overlap summed across stays and
sites; second degree: the contacts of each contact, from the contact's first exposure until their
own isolation (or now).

Two stays overlap when they are at the same site and area and ``[start, end)`` intersect (stays
that only touch do not). Stays in an area are compared within that area; stays with no area (the
gate of a site that records no areas) with each other; a site-level stay is compared with area stays
only on a day when the site recorded no area entries (flagged reading: the issue's words; with a
site that records areas every day, its gate stays meet only other gate stays). A stay with no exit
ends at the maximum stay (``MAX_STAY_HOURS``) and its contacts are marked ``estimated``.

The parameters are kept with each trace (``Trace``): protocols moved from 0 to 2 to 4 days of
look-back. A window reaching past the retention period is refused: those entries are purged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core import compiled
from zhengtong.core.cleaners import clean_count
from zhengtong.core.errors import FieldErrors
from zhengtong.outbreak.models import Case, IsolationOrder, Trace, TraceContact
from zhengtong.registry.models import Person
from zhengtong.screening import selectors as screening
from zhengtong.screening import services as screening_services

DEFAULT_LOOKBACK_DAYS = 2
DEFAULT_MIN_OVERLAP = 15


@dataclass
class Place:
    site_id: int
    area_id: int | None
    minutes: float = 0.0
    site: str = ""
    area: str = ""


@dataclass
class Contact:
    person_id: int
    degree: int
    minutes: float = 0.0
    estimated: bool = False
    first_exposure: datetime | None = None
    via_person_id: int | None = None
    places: dict[tuple[int, int | None], Place] = field(default_factory=dict)
    name: str = ""
    id_number_masked: str = ""
    in_scope: bool = False
    via_name: str = ""  # the second degree's first-degree contact, named (or masked) as that contact

    @property
    def overlap_minutes(self) -> int:
        return int(self.minutes)


@dataclass(frozen=True)
class Params:
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    min_overlap_minutes: int = DEFAULT_MIN_OVERLAP
    degree: int = 1


def params_read(data: dict) -> Params:
    """The trace's parameters as typed (defaults: 2 days, 15 minutes, first degree)."""
    errors = FieldErrors()
    lookback = clean_count(errors, "lookback_days", data.get("lookback_days"), maximum=60,
                           default=DEFAULT_LOOKBACK_DAYS)
    minimum = clean_count(errors, "min_overlap_minutes", data.get("min_overlap_minutes"), maximum=24 * 60,
                          default=DEFAULT_MIN_OVERLAP)
    degree = clean_count(errors, "degree", data.get("degree"), minimum=1, maximum=2, default=1)
    errors.raise_if_any()
    assert lookback is not None and minimum is not None and degree is not None
    return Params(lookback, minimum, degree)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _isolations_from(person_id: int, after: datetime) -> QuerySet:
    """The start of the person's first isolation order starting after ``after`` (a query of one time:
    the trace's statement reads it, ``screening.selectors.stays_met``'s ``until``, through ``_until``)."""
    return IsolationOrder.objects.filter(person_id=person_id, start__gte=after).order_by("start").values("start")[:1]


def _isolated_from(person_id: int, after: datetime) -> datetime | None:
    """When the person's isolation began, for the first order starting after ``after``."""
    row = _isolations_from(person_id, after).first()
    return row["start"] if row else None


# Values no trace takes, where ``_isolations_from``'s are found in its compiled SQL.
_PERSON_MARK, _AFTER_MARK = -918_273_645, datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


@cache
def _until_sql(alias: str) -> tuple[str, bool]:
    """``_isolations_from``'s SQL on a database, compiled by the ORM once, and whether it takes the
    person before the time (its two parameters)."""
    sql, params = _isolations_from(_PERSON_MARK, _AFTER_MARK).query.get_compiler(alias).as_sql()
    after = connections[alias].ops.adapt_datetimefield_value(_AFTER_MARK)
    if len(params) != 2 or _PERSON_MARK not in params or after not in params:
        raise AssertionError(f"the isolation's subquery takes the person and the time once each: {sql}")
    return sql, params[0] == _PERSON_MARK


def _until(person_id: int, after: datetime) -> screening.Fragment:
    """``_isolations_from(person_id, after)`` as SQL and its parameters (``stays_met``'s ``until``)."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, person_first = _until_sql(db.alias)
    at = db.ops.adapt_datetimefield_value(after)
    return sql, (person_id, at) if person_first else (at, person_id)


# The people a user sees, as stays_met's ``seen``, by database and scope (core.compiled.kept).
_SEEN: dict[tuple, screening.Fragment] = {}


def _seen(user) -> screening.Fragment | None:
    """The people the user sees (``scopes.people_q``), to mask the others (None: the city administrator
    sees everyone). Its SQL is a function of the user's scope alone: compiled once per scope."""
    if scopes.is_city_admin(user):
        return None
    return compiled.kept(_SEEN, (DEFAULT_DB_ALIAS, scopes.scope_key(user)),
                         lambda: screening.people_among(Person.objects.filter(scopes.people_q(user))))


def window_start(case: Case, params: Params) -> datetime:
    """Lookback days before onset (or sample), at midnight."""
    return _midnight(case.first_day - timedelta(days=params.lookback_days))


def window(case: Case, params: Params, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[lookback days before onset (or sample), the case's isolation or now). (The trace itself reads
    the isolation in its statement: ``contacts_of``'s ``until``.)"""
    now = now or timezone.now()
    start = window_start(case, params)
    end = _isolated_from(case.person_id, start) or now
    return start, min(end, now)


def _area_days(site_id: int, stays: Sequence[screening.Stay]) -> set[date]:
    return {timezone.localdate(s.start) for s in stays if s.site_id == site_id and s.area_id is not None}


def _compared(a: screening.Stay, b: screening.Stay, area_days: set[date]) -> bool:
    if a.area_id == b.area_id:
        return True
    if a.area_id is None:
        return timezone.localdate(a.start) not in area_days
    if b.area_id is None:
        return timezone.localdate(b.start) not in area_days
    return False


def contacts_of(person_id: int, start: datetime, end: datetime, *, degree: int = 1,
                exclude: set[int] | None = None, seen: screening.Fragment | None = None) -> dict[int, Contact]:
    """Everyone whose stays overlapped ``person_id``'s stays within [start, end) (ended earlier by the
    person's first isolation order starting from ``start``), with minutes summed per person and per
    place; nobody in ``exclude``. Each contact is named (or masked when not among ``seen``, as
    ``_seen`` gives it: None, everyone)."""
    return _contacts_met(person_id, start, end, degree=degree, exclude=exclude, seen=seen)[0]


def _contacts_met(person_id: int, start: datetime, end: datetime, *, degree: int = 1,
                  exclude: set[int] | None = None, seen: screening.Fragment | None = None
                  ) -> tuple[dict[int, Contact], datetime]:
    """``contacts_of``, with the window's end as the person's isolation bounded it."""
    exclude = {person_id, *(exclude or set())}
    # One statement: the person's isolation, stays and, for each, the slice of its site's entries the maximum
    # stay bounds, with their people's names (screening.selectors.stays_met).
    met = screening.stays_met(person_id=person_id, start=start, end=end, until=_until(person_id, start), seen=seen)
    end = met.end
    by_site: dict[int, list[screening.Stay]] = defaultdict(list)
    for stay in met.own:
        by_site[stay.site_id].append(stay)
    at_site: dict[int, list[screening.NamedStay]] = defaultdict(list)
    for other in met.others:
        assert isinstance(other, screening.NamedStay)
        at_site[other.site_id].append(other)
    found: dict[int, Contact] = {}
    masked = _("(another county)")
    for site_id, stays in by_site.items():
        others = at_site[site_id]
        area_days = _area_days(site_id, others)
        for mine in stays:
            a0, a1 = max(mine.start, start), min(mine.end, end)
            if a1 <= a0:
                continue
            for other in others:
                if other.person_id in exclude or not _compared(mine, other, area_days):
                    continue
                b0, b1 = max(other.start, a0), min(other.end, a1)
                if b1 <= b0:  # touching is not overlapping
                    continue
                contact = found.get(other.person_id)
                if contact is None:
                    contact = found[other.person_id] = Contact(
                        other.person_id, degree, via_person_id=None if degree == 1 else person_id,
                        name=other.person_name if other.seen else masked, id_number_masked=other.id_number_masked,
                        in_scope=other.seen)
                minutes = (b1 - b0).total_seconds() / 60
                contact.minutes += minutes
                contact.estimated |= mine.estimated or other.estimated
                contact.first_exposure = min(contact.first_exposure or b0, b0)
                place = contact.places.setdefault((site_id, other.area_id), Place(
                    site_id, other.area_id, site=other.site_name, area=other.area_name if other.area_id else ""))
                place.minutes += minutes
    return found, end


@dataclass
class TraceResult:
    case: Case
    params: Params
    start: datetime
    end: datetime
    contacts: list[Contact]


def case_trace(*, user, case: Case, params: Params, now: datetime | None = None) -> TraceResult:
    """The case's contacts, first (and second) degree, at least ``min_overlap_minutes`` each, ranked.
    Contacts outside the user's scope are listed masked (``in_scope`` False). One statement for the
    first degree (screening.selectors.stays_met: the isolation, the stays, the names), one more for
    each first-degree contact in the second."""
    if not scopes.can_decide_cases(user, case.county_id):
        raise PermissionDenied(_("Only the county's officers trace a case."))
    now = now or timezone.now()
    start = window_start(case, params)
    errors = FieldErrors()
    retained = now - timedelta(days=settings.ENTRY_RETENTION_DAYS)
    if start < retained:
        errors.add("lookback_days", _("The window starts on %(day)s, before the entries kept (%(n)d days): they are "
                                      "purged. Choose fewer days.")
                   % {"day": timezone.localdate(start), "n": settings.ENTRY_RETENTION_DAYS})
    errors.raise_if_any()
    seen = _seen(user)  # to mask the others
    found, end = _contacts_met(case.person_id, start, now, seen=seen)
    first = {pid: c for pid, c in found.items() if c.minutes >= params.min_overlap_minutes}
    contacts = dict(first)
    if params.degree >= 2:
        for contact in sorted(first.values(), key=lambda c: -c.minutes):
            assert contact.first_exposure is not None
            found, _until = _contacts_met(contact.person_id, contact.first_exposure, now, degree=2,
                                          exclude=set(contacts) | {case.person_id}, seen=seen)
            for pid, second in found.items():
                if second.minutes >= params.min_overlap_minutes and (
                        pid not in contacts or contacts[pid].degree == 2 and contacts[pid].minutes < second.minutes):
                    contacts[pid] = second
    names = {c.person_id: c.name for c in contacts.values()}
    for c in contacts.values():
        if c.via_person_id is not None:
            c.via_name = names.get(c.via_person_id, "")
    ranked = sorted(contacts.values(), key=lambda c: (c.degree, -c.minutes, c.person_id))
    return TraceResult(case, params, start, end, ranked)


def trace_keep(*, user, result: TraceResult) -> Trace:
    """Record the trace with its parameters and the contacts it found (the chains of transmission read
    them), and hold the entries it used past the retention period (screening keeps them until the
    case's holds are released)."""
    with transaction.atomic():
        trace = Trace.objects.create(
            case=result.case, lookback_days=result.params.lookback_days,
            min_overlap_minutes=result.params.min_overlap_minutes, degree=result.params.degree,
            window_start=result.start, window_end=result.end, contacts=len(result.contacts), traced_by=user)
        TraceContact.objects.bulk_create([
            TraceContact(trace=trace, person_id=c.person_id, degree=c.degree, minutes=c.overlap_minutes,
                         estimated=c.estimated, via_id=c.via_person_id) for c in result.contacts])
        screening_services.entries_hold(
            person_ids=[result.case.person_id, *(c.person_id for c in result.contacts)],
            start=result.start, end=max(result.end, result.start + timedelta(minutes=1)),
            holder=f"case {result.case.pk}", reason=_("Contact trace of case %(id)d") % {"id": result.case.pk})
    return trace
