"""Every write of screening at sites. The gate screen, the device API and the offline sync all
call ``entry_screen``/``entries_sync``, which gather the facts and ask screening.rules."""

import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core import audit
from zhengtong.core.cleaners import clean_date, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.registry import selectors as registry_selectors
from zhengtong.registry.models import Person, Site, SitePerson, VisitorPolicy
from zhengtong.screening import alerts, counts, hotpath, ports, rotations, rules, selectors
from zhengtong.screening.models import (
    VISIT_TEXT_LIMITS,
    Alert,
    Area,
    Disinfection,
    Entry,
    EntryHold,
    GateDevice,
    HealthCheck,
    Reason,
)

# A check-in carrying the client's time is looked up again within this span around that time: a retry
# carries the same time, and the same check-in first sent without it was stored at the server's time
# of receipt. The span keeps PostgreSQL's search to the monthly partitions concerned.
RETRY_WINDOW = timedelta(days=1)


@dataclass
class Actor:
    """Who records an entry: a signed-in user at the gate screen, or a gate device."""

    user: Any = None  # a User, or None for a device
    device: GateDevice | None = None

    def check_site(self, site: Site) -> None:
        if self.device is not None:
            if self.device.site_id != site.pk:
                raise PermissionDenied(_("This gate device belongs to another site."))
        elif self.user is None or not scopes.can_screen_at(self.user, site):
            raise PermissionDenied(_("You may not screen people at this site."))


@dataclass
class Screened:
    entry: Entry
    created: bool  # False when the client UUID was already recorded (a retry)

    @property
    def result(self) -> rules.Result:
        return rules.Result(self.entry.decision, self.entry.reason)


def _check_time(at: datetime | None, now: datetime, field: str = "at") -> datetime:
    """A time a person or a device gave, with its zone: not in the future beyond the clock skew
    (ZT_CLOCK_SKEW_SECONDS) nor older than ZT_OLDEST_TIME_DAYS, else a clock to check; in UTC.
    The gate page, the device API and the offline batch (sync._Checks, whose short path keeps the
    same bounds) all ask it."""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise DomainError(_("Give the time with its time zone, e.g. 2020-02-20T08:30:00+08:00."), field=field)
    if at > now + timedelta(seconds=settings.CLOCK_SKEW_SECONDS):
        raise DomainError(_("The time %(at)s is in the future; check the device's clock.") % {"at": _shown(at)},
                          field=field)
    if at < now - timedelta(days=settings.OLDEST_TIME_DAYS):
        raise DomainError(
            _("The time %(at)s is more than %(days)d days ago; check the device's clock.")
            % {"at": at.isoformat(sep=" ", timespec="seconds"), "days": settings.OLDEST_TIME_DAYS}, field=field,
        )
    return at.astimezone(UTC)  # Python reads offsets up to ±23:59, PostgreSQL up to ±15:59


def _shown(at: datetime) -> str:
    """A refused time in the city's time zone; as it was given when that lies outside the years 1–9999
    (a reset or runaway clock: 9999-12-31T23:59:59-12:00 is in the year 10000 in Shanghai)."""
    try:
        return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
    except OverflowError:
        return at.isoformat(sep=" ", timespec="seconds")


def gate_facts(*, site: Site, day: date, relation: str | None, since: date | None, until: date | None,
               isolated: bool, temperature: Decimal, on_duty: bool | None = None) -> rules.Facts:
    """The facts rules.decide reads for one person entering ``site`` on ``day``: the one place they
    are put together, for the gate page, the device API and the offline batch alike (the batch reads
    its people in bulk and calls this for each distinct set of facts). A relation whose ``until`` has
    passed is no relation (SitePerson.in_force), and one as the site's people (SitePerson.BELONGS)
    that has ended makes a former member (rules, rule 6); closed management counts from its first
    day (Site.is_closed_on). ``on_duty`` (screening.rotations.duty): whether a staff member is in a
    rotation on duty that day, None when no rotation is on duty (rule 7); ``needs_duty`` says when the
    callers must read it."""
    in_force = relation is not None and SitePerson.in_force(until, day)
    former = relation in SitePerson.BELONGS and not in_force
    closed = site.is_closed_on(day)
    return rules.Facts(
        site_active=site.is_active,
        closed=closed,
        visitor_policy=site.visitor_policy,
        threshold=rules.fever_threshold(site),
        relation=relation if in_force else None,
        relation_since=since if in_force else None,
        isolated=isolated,
        temperature=temperature,
        day=day,
        former_until=until if former else None,
        off_duty=in_force and closed and relation == SitePerson.Relation.STAFF and on_duty is False,
    )


def needs_duty(*, site: Site, day: date, relation: str | None, until: date | None) -> bool:
    """Whether rule 7 can apply: a staff member (in force) of a site under closed management on ``day``.
    Only then is the rotation on duty read."""
    return (relation == SitePerson.Relation.STAFF and SitePerson.in_force(until, day)
            and site.is_closed_on(day))


def facts_for(*, site: Site, person: Person, temperature: Decimal, at: datetime) -> rules.Facts:
    """The facts of one person entering a site (gate_facts). The person's relation to the site is read
    here, unless the person was read with it (``selectors.site_person`` sets ``site_membership``)."""
    day = timezone.localdate(at)
    membership = getattr(person, "site_membership", None)
    if membership is None or membership.site_id != site.pk:
        relations = SitePerson.objects.filter(site=site, person=person)  # ended too: a former member
        membership = next(iter(relations.only("relation", "since", "until")[:1]), None)
    relation = membership.relation if membership else None
    until = membership.until if membership else None
    return gate_facts(
        site=site, day=day, relation=relation,
        since=membership.since if membership else None,
        until=until,
        isolated=_isolated(person, at),
        temperature=temperature,
        on_duty=_on_duty(site, person, day) if needs_duty(site=site, day=day, relation=relation, until=until)
        else None,
    )


def _on_duty(site: Site, person: Person, day: date) -> bool | None:
    """Whether the person is in a rotation on duty on ``day`` (screening.rotations): as read with the
    person on the hot path for that day (``selectors.gate_device_for_key``), else asked."""
    known = getattr(person, "rotation_duty", None)
    if known is not None and known[0] == day:
        return rotations.duty_from_code(known[1])
    return rotations.duty(site=site, person_id=person.pk, day=day)


def _isolated(person: Person, at: datetime) -> bool:
    """Whether the person is under an isolation order at ``at``: from the periods read with the person
    on the hot path (``selectors.gate_device_for_key``), else by asking screening.ports."""
    latest = getattr(person, "latest_isolation", None)
    if latest is not None:
        known = ports.isolated_by_latest(person.pk, latest, at)
        if known is not None:
            return known
    return person.pk in ports.isolated_at([person.pk], at)


def _area(site: Site, area_id) -> Area | None:
    if area_id in (None, ""):
        return None
    pk = valid_id(area_id)  # ASCII digits only: "²" is a digit to str.isdigit() and not to int()
    area = Area.objects.filter(site=site, pk=pk, is_active=True).first() if pk is not None else None
    if area is None:
        raise selectors.unidentified("no_area", "area")
    return area


def _existing(client_uuid, at: datetime | None = None) -> Entry | None:
    """The entry already recorded under a client UUID, looked for within RETRY_WINDOW of the client's
    time when there is one (PostgreSQL then searches one or two monthly partitions), else everywhere."""
    qs = Entry.objects.filter(client_uuid=client_uuid).order_by()  # no ORDER BY id: it defeats the index
    if at is not None:
        qs = qs.filter(entered_at__range=(at - RETRY_WINDOW, at + RETRY_WINDOW))
    return next(iter(qs[:1]), None)


def entry_screen(*, actor: Actor, site: Site, person: Person, temperature, at: datetime | None = None,
                 area=None, client_uuid=None, source: str = Entry.Source.PAGE, gate_decision: str = "",
                 visit_host: str = "", visit_purpose: str = "") -> Screened:
    """Decide on one person entering, record the decision (admissions and refusals alike) and
    raise the fever alert. A client UUID already recorded returns that entry unchanged.

    A check-in that carries its client's time is one INSERT of a row unless its client UUID is stored
    within RETRY_WINDOW of that time (a retry, or the same check-in first sent without its time), ON
    CONFLICT DO NOTHING on the key (client_uuid, entered_at) for two copies inserted at once; the row
    is committed by that statement alone (with its alert in one transaction when it raises one).
    Without the client's time, each copy of a check-in would get its own server time: the client UUID
    is then locked and looked up first, in one transaction."""
    actor.check_site(site)
    now = timezone.now()
    at_given = at is not None
    errors = FieldErrors()
    visit_host, visit_purpose = visit_text(errors, "visit_host", visit_host), visit_text(errors, "visit_purpose",
                                                                                         visit_purpose)
    errors.raise_if_any()
    at = _check_time(at, now)
    fields = {"site": site, "person": person, "temperature": temperature, "at": at, "area": area,
              "source": source, "gate_decision": gate_decision, "visit_host": visit_host,
              "visit_purpose": visit_purpose, "actor": actor}
    if client_uuid is None:
        return _screen(client_uuid=uuid.uuid4(), **fields)  # made here: it cannot have been recorded before
    if at_given:
        try:
            return _screen(client_uuid=client_uuid, **fields)
        except DomainError:
            # A retry is answered from the stored check-in even when its checks would fail now (its
            # area closed since, say): the gate must not take a stored check-in for a refused one.
            existing = _existing(client_uuid, at)
            if existing is None:
                raise
            return _retry(existing, site, person)
    with transaction.atomic():
        _lock_client_uuid(client_uuid)
        existing = _existing(client_uuid)
        if existing is not None:
            return _retry(existing, site, person)
        return _screen(client_uuid=client_uuid, **fields)


def visit_text(errors: FieldErrors, name: str, value: Any) -> str:
    """Whom a visitor visits (``visit_host``) or why (``visit_purpose``), as core.cleaners.clean_text
    takes text, up to VISIT_TEXT_LIMITS: for the gate page, the device API and the offline batch alike."""
    return clean_text(errors, {name: value}, name, max_length=VISIT_TEXT_LIMITS[name])


def _screen(*, actor: Actor, site: Site, person: Person, temperature, at: datetime, area, client_uuid,
            source: str, gate_decision: str, visit_host: str, visit_purpose: str) -> Screened:
    t = rules.parse_temperature(temperature)
    area_obj = _area(site, area)
    result = rules.decide(facts_for(site=site, person=person, temperature=t, at=at))
    entry = Entry(
        client_uuid=client_uuid, site=site, area=area_obj, person=person, entered_at=at, temperature=t,
        decision=result.decision, reason=result.reason, source=source,
        gate_decision=gate_decision, disagreement=bool(gate_decision) and gate_decision != result.decision,
        visit_host=visit_host, visit_purpose=visit_purpose,
        recorded_by=actor.user if actor.device is None else None, device=actor.device,
    )
    alerting = entry.reason == Reason.FEVER or entry.disagreement
    with transaction.atomic() if alerting else nullcontext():
        if _insert(entry):
            if alerting:
                _after_entry(entry, person)
            return Screened(entry, created=True)
    existing = _existing(client_uuid, at)
    if existing is None:  # cannot happen: the stored row is there, or the insert had raised
        raise IntegrityError("screening_entry: conflict on a client UUID that is not stored")
    return _retry(existing, site, person)


@cache
def _insert_statement(vendor: str) -> tuple[str, tuple]:
    qn = hotpath.qn
    fields = tuple(field for field in Entry._meta.concrete_fields if not field.primary_key)
    table = hotpath.table(Entry)
    db = hotpath.database()
    # INSERT … SELECT leaves PostgreSQL no column to type a parameter by (a NULL would be text): cast.
    values = [f"CAST(%s AS {f.cast_db_type(db)})" if vendor == "postgresql" else "%s"  # type: ignore[attr-defined]
              for f in fields]
    sql = (f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) SELECT {', '.join(values)} "
           f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {qn('client_uuid')} = %s "
           f"AND {qn('entered_at')} >= %s AND {qn('entered_at')} <= %s) "
           f"ON CONFLICT ({qn('client_uuid')}, {qn('entered_at')}) DO NOTHING RETURNING {qn('id')}")
    return sql, fields


def _insert(entry: Entry) -> bool:
    """Store a new entry: False, and nothing written, when an entry with its client UUID is stored
    within RETRY_WINDOW of its time already. The values are prepared as the ORM prepares them for
    this database."""
    db = hotpath.database()
    sql, fields = _insert_statement(db.vendor)
    values = [field.get_db_prep_save(field.pre_save(entry, True), db) for field in fields]
    time_field = Entry._meta.get_field("entered_at")
    values += [Entry._meta.get_field("client_uuid").get_db_prep_value(entry.client_uuid, db),
               time_field.get_db_prep_value(entry.entered_at - RETRY_WINDOW, db),
               time_field.get_db_prep_value(entry.entered_at + RETRY_WINDOW, db)]
    row = hotpath.fetchone(sql, values)
    if row is None:
        return False
    entry.pk = row[0]
    entry._state.adding, entry._state.db = False, db.alias
    return True


def _lock_client_uuid(client_uuid) -> None:
    """Two copies of one check-in sent at once, without the client's time, would each get their own
    server time and pass the (client_uuid, entered_at) key: on PostgreSQL a transaction lock on the
    UUID makes the second wait for the first and then find it. (SQLite writes one at a time.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(client_uuid)])


def _retry(existing: Entry, site: Site, person: Person) -> Screened:
    """A client UUID seen before: the same check-in sent again, or a mistake that must not show
    another site's or person's entry."""
    if existing.site_id != site.pk or existing.person_id != person.pk:
        raise DomainError(_("This client UUID was already used for another check-in: make a new one."),
                          field="client_uuid", status=409)
    return Screened(existing, created=False)


def _after_entry(entry: Entry, person: Person) -> None:
    site = entry.site
    if entry.reason == Reason.FEVER:
        alerts.notify(kind=Alert.Kind.FEVER, site=site, person=person,
                      message=alerts.gate_fever_text(site=site, name=person.name, temperature=entry.temperature,
                                                     admitted=entry.is_stay))
    if entry.disagreement:
        alerts.notify(kind=Alert.Kind.DISAGREEMENT, site=site, person=person, message=alerts.gate_disagreement_text(
            site=site, name=person.name, gate_decision=entry.gate_decision, decision=entry.decision,
            reason=entry.reason))


def exit_record(*, actor: Actor, site: Site, person: Person, at: datetime | None = None) -> Entry:
    """Close the person's open stay at the site. Recording an exit twice changes nothing."""
    actor.check_site(site)
    at = _check_time(at, timezone.now())
    with transaction.atomic():
        # Stays older than the maximum are closed by the scheduled job; bounding the time also keeps
        # PostgreSQL in the recent partitions.
        since = at - timedelta(hours=settings.MAX_STAY_HOURS + 24)
        stay = (Entry.objects.select_for_update()
                .filter(Entry.stay_q(), site=site, person=person, entered_at__lte=at, entered_at__gte=since)
                .order_by("-entered_at").first())
        if stay is None:
            raise DomainError(_("%(name)s has not entered %(site)s.") % {"name": person.name, "site": site.name},
                              field="person")
        if stay.left_at is None:
            stay.left_at, stay.left_estimated = at, False
            stay.save(update_fields=["left_at", "left_estimated"])
    return stay


def gate_refusal(*, site: Site, resolved, day: date | None = None) -> str | None:
    """Why the site refuses the person the gate identified (``resolved``, by selectors.gate_resolve)
    whatever their temperature (rules.refused_on_sight): a former member, a staff member off duty while
    a rotation is on duty, a visitor where the site is under closed management or receives no visitors.
    The gate page and the device API say it as soon as the person is identified, before a visitor is
    registered; None when only the screening can tell."""
    day = day or timezone.localdate()
    return rules.refused_on_sight(closed=site.is_closed_on(day), visitor_policy=site.visitor_policy,
                                  relation=resolved.relation, former_until=resolved.former_until,
                                  off_duty=resolved.off_duty)


def entry_screen_at_gate(*, actor: Actor, site: Site, resolved, temperature, area=None, client_uuid=None,
                         visitor: dict | None = None, visit: dict | None = None,
                         source: str = Entry.Source.PAGE, at: datetime | None = None) -> Screened:
    """One person at the gate screen (``resolved`` by selectors.gate_resolve): a visitor nobody has
    registered yet is registered (``visitor``: name and phone) with their screening, in one
    transaction, so that a failed screening leaves no registration behind. A visitor the site
    refuses on sight (``gate_refusal``) gets no relation to the site: they are recorded as a person
    (found again by ID number, or new: ``visitor`` names them) whose refused entry is all that ties
    them to the site. A visitor without their ID card (``resolved.without_id``) is a new unverified
    person each time (registry.services.person_register_without_id). ``visit`` (whom and why) is
    kept for visitors only. A client UUID already used
    for another person or site is refused: the gate never shows another screening."""
    from zhengtong.registry import services as registry

    with transaction.atomic():
        person = resolved.person
        refused = gate_refusal(site=site, resolved=resolved) is not None
        if resolved.without_id and person is None:
            actor.check_site(site)
            if actor.device is not None:
                raise PermissionDenied(_("Visitors are registered at the gate screen."))
            person = registry.person_register_without_id(user=actor.user, site=site, data=visitor or {},
                                                         relate=not refused)
        elif refused and person is None:
            actor.check_site(site)
            person = registry.person_record(user=actor.user, site=site, data={
                **(visitor or {}), "id_number": resolved.id_number})
        elif resolved.needs_registration and not refused:
            person = visitor_register(actor=actor, site=site, data={
                **(visitor or {}), "id_number": resolved.id_number})
        screened = entry_screen(actor=actor, site=site, person=person, temperature=temperature, area=area,
                                client_uuid=client_uuid, source=source, at=at,
                                **({} if resolved.belongs else (visit or {})))
        if screened.entry.site_id != site.pk or screened.entry.person_id != person.pk:
            raise DomainError(_("This screening could not be recorded: scan or type again."), field="client_uuid")
    screened.entry.person = person
    return screened


def visitor_register(*, actor: Actor, site: Site, data: dict) -> Person:
    """A visitor registered at the gate: the person (found again by ID number) and their relation."""
    from zhengtong.registry import services as registry

    actor.check_site(site)
    if actor.device is not None:
        raise PermissionDenied(_("Visitors are registered at the gate screen."))
    from zhengtong.registry.codes import CodeError, check_id_number
    from zhengtong.registry.identity import id_number_hash

    try:
        known = registry_selectors.person_by_id_number(
            site=site, digest=id_number_hash(check_id_number(str(data.get("id_number") or ""))), related_only=True)
    except CodeError:
        known = None
    if known is not None:
        return known  # already related to the site (a worker, or a visitor before): keep that relation
    # A walk-in has no appointment date; a visit booked in advance carries ``since`` (the day).
    return registry.person_register(
        user=actor.user, site=site,
        data={**data, "relation": SitePerson.Relation.VISITOR, "since": data.get("since") or ""},
    )


# Site state, areas, health checks, disinfection ---------------------------------------


def site_set_state(*, user, site: Site, data: dict) -> Site:
    """Closed management since a date (or open), the visitor policy and the site's own fever
    threshold; the reason is kept in the site's history."""
    if not scopes.can_manage_site(user, site):
        raise PermissionDenied(_("You may not change this site's state."))
    errors = FieldErrors()
    closed_since = clean_date(errors, data, "closed_since")
    policy = str(data.get("visitor_policy") or site.visitor_policy)
    if policy not in VisitorPolicy.values:
        errors.add("visitor_policy", _("Choose a visitor policy."))
    threshold = data.get("fever_threshold")
    if threshold in (None, ""):
        threshold = None
    else:
        try:
            threshold = rules.parse_temperature(threshold, field="fever_threshold")
            if not Decimal("37.0") <= threshold <= Decimal("38.5"):
                errors.add("fever_threshold", _("A fever threshold is between 37.0 and 38.5 °C."))
        except DomainError as e:
            errors.add("fever_threshold", e.message)
    interval = data.get("disinfection_interval_hours", site.disinfection_interval_hours)
    try:
        interval = int(interval)
        if not 1 <= interval <= 24 * 30:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("disinfection_interval_hours", _("Enter a whole number of hours from 1 to 720."))
    reason = clean_text(errors, data, "reason", required=True, max_length=100)
    errors.raise_if_any()
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        site.closed_since, site.visitor_policy, site.fever_threshold = closed_since, policy, threshold
        site.disinfection_interval_hours = interval
        audit.record(site, user, reason)
        site.save()
    return site


def area_create(*, user, site: Site, name: str) -> Area:
    if not scopes.can_manage_site(user, site):
        raise PermissionDenied(_("You may not change this site's areas."))
    errors = FieldErrors()
    name = clean_text(errors, {"name": name}, "name", required=True, max_length=100)
    errors.raise_if_any()
    if Area.objects.filter(site=site, name=name).exists():
        raise DomainError(_("This site already has an area of this name."), field="name", status=409)
    return Area.objects.create(site=site, name=name)


def health_check_record(*, user, site: Site, person: Person, temperature, at: datetime | None = None) -> HealthCheck:
    """A daily check of someone who lives or works inside; a fever raises the same alert as the gate."""
    if not scopes.can_manage_site(user, site):
        raise PermissionDenied(_("You may not record health checks at this site."))
    day = timezone.localdate()
    if not SitePerson.objects.filter(SitePerson.in_force_q(day), site=site, person=person,
                                     relation__in=SitePerson.BELONGS).exists():
        raise DomainError(_("%(name)s does not live or work at this site.") % {"name": person.name}, field="person")
    at = _check_time(at, timezone.now())
    t = rules.parse_temperature(temperature)
    fever = t >= rules.fever_threshold(site)
    with transaction.atomic():
        check = HealthCheck.objects.create(site=site, person=person, checked_on=timezone.localdate(at),
                                           checked_at=at, temperature=t, is_fever=fever, checked_by=user)
        if fever:
            alerts.notify(kind=Alert.Kind.HEALTH_FEVER, site=site, person=person,
                          message=alerts.health_fever_text(site=site, name=person.name, temperature=t))
    return check


def disinfection_record(*, user, site: Site, data: dict) -> Disinfection:
    if not scopes.can_manage_site(user, site):
        raise PermissionDenied(_("You may not log disinfection at this site."))
    errors = FieldErrors()
    agent = clean_text(errors, data, "agent", required=True, max_length=100)
    operator = clean_text(errors, data, "operator", required=True, max_length=50)
    area = None
    try:
        area = _area(site, data.get("area"))
        if area is None:
            errors.add("area", _("Choose the area that was disinfected."))
    except DomainError as e:
        errors.add("area", e.message)
    done_at = data.get("done_at") or timezone.now()
    if isinstance(done_at, str):
        try:
            done_at = datetime.fromisoformat(done_at)
            if timezone.is_naive(done_at):
                done_at = timezone.make_aware(done_at)
        except ValueError:
            errors.add("done_at", _("Enter a date and time."))
    if isinstance(done_at, datetime):
        try:
            done_at = _check_time(done_at, timezone.now(), field="done_at")
        except DomainError as e:
            errors.add("done_at", e.message)
    errors.raise_if_any()
    assert area is not None  # raise_if_any() refused a missing area
    return Disinfection.objects.create(site=site, area=area, agent=agent, operator=operator, done_at=done_at,
                                       recorded_by=user)


def alert_acknowledge(*, user, alert: Alert) -> Alert:
    if alert.recipient_id != user.pk:
        raise PermissionDenied
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_at"])
    return alert


# Scheduled jobs ----------------------------------------------------------------------------


def stays_close_overdue(*, now: datetime | None = None) -> int:
    """A stay with no exit ends at the maximum stay (ZT_MAX_STAY_HOURS) and is marked estimated; an
    offline gate's admission is a stay whatever the rules said (Entry.stay_q)."""
    now = now or timezone.now()
    limit = timedelta(hours=settings.MAX_STAY_HOURS)
    # Rows older than the retention period are purged anyway; bounding by it keeps PostgreSQL in
    # the recent partitions instead of reading the whole table every hour.
    oldest = now - timedelta(days=settings.ENTRY_RETENTION_DAYS)
    return Entry.objects.filter(
        Entry.stay_q(), left_at__isnull=True, entered_at__lt=now - limit, entered_at__gte=oldest
    ).update(left_at=F("entered_at") + limit, left_estimated=True)


def entries_purge(*, now: datetime | None = None) -> int:
    """Delete personal entry data older than the retention period (ZT_ENTRY_RETENTION_DAYS),
    except rows a case investigation holds; a day not yet counted per site (``AdmittedDaily``) is
    counted first."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ENTRY_RETENTION_DAYS)
    old = Entry.objects.filter(entered_at__lt=cutoff)
    held = held_entries_q()
    if held is not None:
        old = old.exclude(held)
    counts.count_before(cutoff, held=held, now=now)  # no day leaves uncounted (screening.counts)
    deleted, _counts = old.delete()
    return deleted


# Entries held past retention ---------------------------------------------------------------


@transaction.atomic
def entries_hold(*, person_ids: Iterable[int], start: datetime, end: datetime, holder: str, reason: str = "") -> int:
    """Keep these people's entries from ``start`` until ``end`` past the retention period, for
    ``holder`` (what needs them: a case's trace, an inquiry). Called by the apps above screening; the
    purge reads the holds. Returns how many holds were written."""
    errors = FieldErrors()
    holder = clean_text(errors, {"holder": holder}, "holder", required=True, max_length=100)
    reason = clean_text(errors, {"reason": reason}, "reason", max_length=200)
    if timezone.is_naive(start) or timezone.is_naive(end):
        errors.add("start", _("Give the time with its time zone, e.g. 2020-02-20T08:30:00+08:00."))
    elif end <= start:
        errors.add("end", _("The end must come after the start."))
    errors.raise_if_any()
    holds = [EntryHold(person_id=pid, start=start, end=end, holder=holder, reason=reason)
             for pid in sorted(set(person_ids))]
    EntryHold.objects.bulk_create(holds)
    return len(holds)


def entries_release(*, holder: str, now: datetime | None = None) -> int:
    """The holds of ``holder`` end: their entries are purged with the others once past retention.
    Holds are released, never deleted, so that it stays known why rows outlived the period."""
    return EntryHold.objects.filter(holder=holder, released_at__isnull=True).update(
        released_at=now or timezone.now())


def held_entries_q() -> Q | None:
    """A Q on Entry for the rows an active hold keeps, or None when nothing is held."""
    active = EntryHold.objects.filter(released_at__isnull=True)
    if not active.exists():
        return None
    return Q(Exists(active.filter(person_id=OuterRef("person_id"), start__lte=OuterRef("entered_at"),
                                  end__gt=OuterRef("entered_at"))))
