"""Isolation orders: ordering (one person or many), daily checks, extending, releasing — and the
answer screening's gates ask (``OrdersAsIsolation``, registered with ``screening.ports`` in
``OutbreakConfig.ready()``).

Release is gated, each gate refusing with its reason on the field ``release``:

1. only a county officer of the order's county or the city administrator releases (else 403);
2. not before the planned end — unless an early release was asked with a written reason by one
   such officer and approved by a second person, a head (of a department or a team) or the city
   administrator (``isolation_release_early_ask`` / ``_approve``);
3. not with a fever in the last ``ISOLATION_FEVER_FREE_DAYS`` days (a city setting), counting the
   order's own checks and the person's daily checks at any site;
4. not without a check on or after the end date (for an early release: on the day of release).

An order is never deleted; extending it needs a reason. A person has one active order at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import clean_choice, clean_date, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.outbreak.models import (
    Case,
    IsolationCheck,
    IsolationMove,
    IsolationOrder,
    IsolationPlace,
    IsolationReason,
    IsolationStatus,
)
from zhengtong.registry.models import Person, Region, Site
from zhengtong.screening import ports
from zhengtong.screening import selectors as screening

ACTIVE = IsolationStatus.ACTIVE
MANY_PEOPLE = 200  # asked for more people than this, the source reads every order of the span


# The answer to screening's port ---------------------------------------------------------------


class OrdersAsIsolation:
    """Who is isolated within a span: the orders that meet it, each from its start until its release
    (an active order is open-ended: a person stays isolated until released, even past the planned end)."""

    def isolation_periods(self, *, person_ids: Collection[int], start: datetime,
                          end: datetime) -> dict[int, list[ports.Period]]:
        orders = IsolationOrder.objects.filter(start__lte=end).exclude(released_at__lte=start)
        if len(person_ids) <= MANY_PEOPLE:
            orders = orders.filter(person_id__in=list(person_ids))
        # else (an offline batch of thousands): the orders that meet the span are few city-wide, and
        # reading them all costs less than sending thousands of ids
        wanted = person_ids if isinstance(person_ids, set | frozenset) else set(person_ids)
        result: dict[int, list[ports.Period]] = {}
        for person_id, begun, released in orders.values_list("person_id", "start", "released_at"):
            if person_id in wanted:
                result.setdefault(person_id, []).append(ports.Period(begun, released))
        return result

    def latest_period_sql(self, person_column: str) -> tuple[str, str]:
        """The gate's one statement reads the person's latest order with them (screening.ports)."""
        qn = connection.ops.quote_name
        latest = (f"FROM {qn(IsolationOrder._meta.db_table)} io WHERE io.{qn('person_id')} = {person_column} "
                  f"ORDER BY io.{qn('start')} DESC LIMIT 1")
        return f"SELECT io.{qn('start')} {latest}", f"SELECT io.{qn('released_at')} {latest}"


SOURCE = OrdersAsIsolation()


def register_with_screening() -> None:
    """Called by ``OutbreakConfig.ready()``: the gates ask these orders from now on, and a closed-duty
    rotation's end opens its members' orders here."""
    ports.register_isolation_source(SOURCE)
    ports.register_rotation_isolation(ROTATIONS)


# Ordering ------------------------------------------------------------------------------------


def _county_of(user, *, site: Site | None, case: Case | None, raw: Any, errors: FieldErrors) -> Region | None:
    if site is not None:
        return site.county
    if case is not None:
        return case.county
    s = scopes.get_scope(user)
    if raw in (None, "") and len(s.counties) == 1:
        raw = next(iter(s.counties))
    pk = valid_id(raw)
    county = Region.objects.filter(pk=pk, level__in=Region.COUNTY_LEVELS).first() if pk else None
    if county is None:
        errors.add("county", _("Choose the county whose officers release the order."))
    return county


def _start(errors: FieldErrors, data: dict) -> datetime:
    raw = data.get("start")
    if raw in (None, ""):
        return timezone.now()
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            errors.add("start", _("Enter a date and time."))
            return timezone.now()
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        timezone.localdate(value)
        future = value > timezone.now() + timedelta(days=1)
    except (OverflowError, ValueError):  # a year at the calendar's edge
        errors.add("start", _("Enter a date and time."))
        return timezone.now()
    if future:
        errors.add("start", _("An isolation starts today or has started already."))
        return timezone.now()
    return value


@dataclass
class Ordered:
    order: IsolationOrder | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class OrderTerms:
    """What an order says apart from its person: checked once for one person or many."""
    reason: str
    place: str
    site: Site | None
    place_note: str
    case: Case | None
    county: Region
    start: datetime
    planned_end: date
    note: str


def isolation_terms(*, user, data: dict) -> OrderTerms:
    """Read and check an order's terms — reason, place (a site, a designated hotel, home), start
    (default now), planned end (default start + ISOLATION_DAYS), the case, the county — and whether
    the user may order isolation there (else PermissionDenied)."""
    errors = FieldErrors()
    reason = clean_choice(errors, data, "reason", IsolationReason)
    place = clean_choice(errors, data, "place", IsolationPlace)
    site = None
    if data.get("site") not in (None, ""):
        pk = valid_id(data.get("site"))
        site = Site.objects.filter(scopes.sites_q(user), pk=pk).first() if pk else None
        if site is None:
            errors.add("site", _("Choose one of your sites."))
    if place == IsolationPlace.SITE and site is None and "site" not in errors.errors:
        errors.add("site", _("Choose the site where the person is isolated."))
    place_note = clean_text(errors, data, "place_note", max_length=200)
    if place in (IsolationPlace.HOTEL, IsolationPlace.HOME) and not place_note and "place_note" not in errors.errors:
        errors.add("place_note", _("Write the hotel or the address."))
    case = None
    if data.get("case") not in (None, ""):
        pk = valid_id(data.get("case"))
        case = Case.objects.filter(scopes.cases_q(user), pk=pk).first() if pk else None
        if case is None:
            errors.add("case", _("No such case among those you see."))
    county = _county_of(user, site=site, case=case, raw=data.get("county"), errors=errors)
    start = _start(errors, data)
    planned_end = clean_date(errors, data, "planned_end") or (
        timezone.localdate(start) + timedelta(days=settings.ISOLATION_DAYS))
    if planned_end <= timezone.localdate(start) and "planned_end" not in errors.errors:
        errors.add("planned_end", _("The planned end comes after the start."))
    note = ""
    try:
        note = clean_note(data.get("note"), "note", max_length=2000)
    except DomainError as e:
        errors.add("note", e.message)
    errors.raise_if_any()
    assert county is not None
    if not scopes.can_order_isolation(user, county_id=county.pk, site=site):
        raise PermissionDenied(_("You may not order isolation here."))
    return OrderTerms(reason=reason, place=place, site=site, place_note=place_note, case=case, county=county,
                      start=start, planned_end=planned_end, note=note)


def isolation_order(*, user, person: Person, data: dict, terms: OrderTerms | None = None) -> IsolationOrder:
    """Order one person's isolation on the terms of ``data`` (``isolation_terms``), or on ``terms``
    already checked. A person already in isolation: 409, naming the order."""
    t = terms or isolation_terms(user=user, data=data)
    return _open(user=user, person=person, county=t.county, reason=t.reason, place=t.place, site=t.site,
                 place_note=t.place_note, case=t.case, start=t.start, planned_end=t.planned_end, note=t.note)


def _open(*, user, person: Person, county: Region, reason: str, place: str, site: Site | None, place_note: str,
          case: Case | None, start: datetime, planned_end: date, note: str) -> IsolationOrder:
    """Write one order checked by its caller; one active order per person (409 naming ``person``)."""
    try:
        with transaction.atomic():
            Person.objects.select_for_update().filter(pk=person.pk).first()
            active = IsolationOrder.objects.filter(person=person, status=ACTIVE).first()
            if active is not None:
                message = _("%(person)s is already in isolation (order no. %(id)d, until %(end)s at the earliest).")
                raise DomainError(message % {"person": person.name, "id": active.pk, "end": active.planned_end},
                                  field="person", status=409)
            order = IsolationOrder.objects.create(
                person=person, county=county, reason=reason, place=place, site=site, place_note=place_note,
                case=case, start=start, planned_end=planned_end, ordered_by=user)
            IsolationMove.objects.create(order=order, action="order", by=user, note=note)
    except IntegrityError:  # the partial unique index: a concurrent order for the same person
        raise DomainError(_("%(person)s is already in isolation.") % {"person": person.name},
                          field="person", status=409) from None
    return order


class RotationOrders:
    """The answer to screening's rotation port: when a closed-duty rotation ends, each member is
    isolated at the site (reason: closed-duty rotation), in the site's county, each on their own (one
    already in isolation sinks no other). ``user`` None is the scheduled job acting on the plan the
    site's managers made; a user must be one who orders isolation at the site."""

    def isolate_rotation(self, *, user, site: Site, person_ids, start: datetime, planned_end: date,
                         note: str) -> dict[int, str]:
        if user is not None and not scopes.can_order_isolation(user, county_id=site.county_id, site=site):
            raise PermissionDenied(_("You may not order isolation here."))
        refused: dict[int, str] = {}
        people = Person.objects.in_bulk(list(person_ids))
        for pid in person_ids:
            person = people.get(pid)
            if person is None:
                refused[pid] = _("No such person.")
                continue
            try:
                _open(user=user, person=person, county=site.county, reason=IsolationReason.ROTATION,
                      place=IsolationPlace.SITE, site=site, place_note="", case=None, start=start,
                      planned_end=planned_end, note=note)
            except DomainError as e:
                refused[pid] = e.message
        return refused


ROTATIONS = RotationOrders()


def isolation_order_many(*, user, people: list[Person], data: dict) -> dict[int, Ordered]:
    """Order isolation for several people in one action, on the same terms. The terms are checked
    once (a refusal of them refuses the whole action: 400, or 403 where the user may not order);
    then each person on their own, so that one refusal (already isolated) never sinks the others.
    Keyed by person id."""
    terms = isolation_terms(user=user, data=data)
    results: dict[int, Ordered] = {}
    for person in people:
        try:
            results[person.pk] = Ordered(order=isolation_order(user=user, person=person, data=data, terms=terms))
        except DomainError as e:
            results[person.pk] = Ordered(error=e)
    return results


# During the order ----------------------------------------------------------------------------


def isolation_check_record(*, user, order: IsolationOrder, data: dict) -> IsolationCheck:
    """The day's health check of a person in isolation (temperature by the gate's rule)."""
    if not scopes.can_check_isolation(user, county_id=order.county_id, site=order.site):
        raise PermissionDenied(_("You may not record checks of this order."))
    if order.status != ACTIVE:
        raise DomainError(_("The order has ended."), field="temperature", status=409)
    errors = FieldErrors()
    temperature = None
    try:
        temperature = screening.temperature_read(data.get("temperature"))
    except DomainError as e:
        errors.add("temperature", e.message)
    symptoms = clean_text(errors, data, "symptoms", max_length=200)
    errors.raise_if_any()
    assert temperature is not None
    now = timezone.now()
    with transaction.atomic():
        check = IsolationCheck.objects.create(order=order, checked_on=timezone.localdate(now), checked_at=now,
                                              temperature=temperature, symptoms=symptoms, checked_by=user,
                                              is_fever=screening.is_fever(temperature, order.site))
        IsolationMove.objects.create(order=order, action="check", by=user,
                                     note=f"{temperature} °C{' · ' + symptoms if symptoms else ''}")
    return check


def isolation_checks(order: IsolationOrder) -> list[tuple[date, Any, bool, str]]:
    """Every check during the order, its own and the person's daily checks at any site, by time:
    (day, temperature, fever, where)."""
    since = timezone.localdate(order.start)
    rows = [(c.checked_at, c.checked_on, c.temperature, c.is_fever, _("Isolation check")) for c in order.checks.all()]
    rows += [(h.checked_at, h.checked_on, h.temperature, h.is_fever, h.site.name)
             for h in screening.person_health_checks(person_id=order.person_id, since=since).select_related("site")]
    rows.sort(key=lambda r: r[0])
    return [(day, t, fever, where) for _at, day, t, fever, where in rows]


def isolation_extend(*, user, order: IsolationOrder, data: dict) -> IsolationOrder:
    if not scopes.can_release_isolation(user, order.county_id):
        raise PermissionDenied(_("Only the county's officers extend an order."))
    errors = FieldErrors()
    end = clean_date(errors, data, "planned_end")
    if end is None and "planned_end" not in errors.errors:
        errors.add("planned_end", _("Give the new planned end."))
    elif end is not None and end <= order.planned_end:
        errors.add("planned_end", _("An extension ends after %(end)s.") % {"end": order.planned_end})
    errors.raise_if_any()
    assert end is not None
    reason = clean_note(data.get("reason"), "reason", required=_("Write why the order is extended."), max_length=2000)
    with transaction.atomic():
        order = IsolationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != ACTIVE:
            raise DomainError(_("The order has ended."), field="planned_end", status=409)
        before = order.planned_end
        order.planned_end = end
        order.save(update_fields=["planned_end"])
        IsolationMove.objects.create(order=order, action="extend", by=user, note=f"{before} → {end}: {reason}")
    return order


# Release -------------------------------------------------------------------------------------


def release_blockers(order: IsolationOrder, *, today: date | None = None, early: bool = False) -> list[str]:
    """Why the order cannot be released today (empty: it can): the gates 2–4 of the module's list."""
    today = today or timezone.localdate()
    blockers = []
    if order.status != ACTIVE:
        return [_("The order has ended.")]
    if today < order.planned_end and not early:
        blockers.append(_("The planned end is %(end)s: an earlier release needs a written reason and a second "
                          "person's approval.") % {"end": order.planned_end})
    checks = isolation_checks(order)
    window = today - timedelta(days=settings.ISOLATION_FEVER_FREE_DAYS)
    if any(fever and day > window for day, _t, fever, _w in checks):
        blockers.append(_("A fever in the last %(n)d days.") % {"n": settings.ISOLATION_FEVER_FREE_DAYS})
    due = today if early else order.planned_end
    if not any(day >= due for day, _t, _f, _w in checks):
        blockers.append(_("No health check on or after %(day)s.") % {"day": due})
    return blockers


def _released(order: IsolationOrder, *, by, approved_by=None, note: str, action: str) -> IsolationOrder:
    order.status = IsolationStatus.RELEASED
    order.released_at = timezone.now()
    order.released_by = by
    order.approved_by = approved_by
    order.save(update_fields=["status", "released_at", "released_by", "approved_by"])
    IsolationMove.objects.create(order=order, action=action, by=approved_by or by, note=note)
    return order


def isolation_release(*, user, order: IsolationOrder, note: Any = "") -> IsolationOrder:
    """Release on or after the planned end, fever-free and checked."""
    if not scopes.can_release_isolation(user, order.county_id):
        raise PermissionDenied(_("Only the county's officers release an order."))
    text = clean_note(note, "note", max_length=2000)
    with transaction.atomic():
        order = IsolationOrder.objects.select_for_update().get(pk=order.pk)
        blockers = release_blockers(order)
        if blockers:
            raise DomainError(errors={"release": blockers}, status=409)
        return _released(order, by=user, note=text, action="release")


def isolation_release_early_ask(*, user, order: IsolationOrder, reason: Any) -> IsolationOrder:
    """Ask for a release before the planned end, with the reason written down: a second person
    approves it."""
    if not scopes.can_release_isolation(user, order.county_id):
        raise PermissionDenied(_("Only the county's officers release an order."))
    text = clean_note(reason, "reason", required=_("Write why the order should end early."), max_length=2000)
    with transaction.atomic():
        order = IsolationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != ACTIVE:
            raise DomainError(_("The order has ended."), field="reason", status=409)
        order.early_requested_by, order.early_reason = user, text
        order.save(update_fields=["early_requested_by", "early_reason"])
        IsolationMove.objects.create(order=order, action="ask_early", by=user, note=text)
    return order


def isolation_release_early_approve(*, user, order: IsolationOrder, note: Any = "") -> IsolationOrder:
    """The second person's approval of an early release, which releases the order at once (the other
    gates still hold: no recent fever, a check today)."""
    if not scopes.can_approve_early_release(user):
        raise PermissionDenied(_("An early release is approved by a head or the city administrator."))
    text = clean_note(note, "note", max_length=2000)
    with transaction.atomic():
        order = IsolationOrder.objects.select_for_update().get(pk=order.pk)
        if order.early_requested_by_id is None:
            raise DomainError(_("Nobody has asked for an early release of this order."), field="release", status=409)
        if order.early_requested_by_id == user.pk:
            raise DomainError(_("The approval is a second person's: not the one who asked."), field="release",
                              status=403)
        blockers = release_blockers(order, early=True)
        if blockers:
            raise DomainError(errors={"release": blockers}, status=409)
        return _released(order, by=order.early_requested_by, approved_by=user, note=text or order.early_reason,
                         action="release_early")
