"""Offline sync: the check-ins and exits a gate device recorded while it had no network, sent as one
batch.

``entries_sync(device=, items=)`` answers one result per item, in the order sent. An item is a
check-in (an entry), or an exit when it says ``"kind": "exit"`` (see *Exits* below). For a check-in:

* ``created``: stored. The rules (screening.rules.decide, the same function every check-in goes
  through) are applied again with the facts at the item's own time; the gate's own decision is kept
  as taken in ``gate_decision``, and when the two differ the entry is marked ``disagreement`` and the
  site's managers and county officers get an alert. Nothing the gate decided is dropped or
  overwritten.
* ``duplicate``: a check-in with this client UUID is already stored (a retry, or the same UUID twice
  in the batch). Nothing is written; the stored decision is given back.
* ``rejected``: the item is not valid (each error names its field, with the message a single
  check-in gets) or its person is unknown. The other items go in regardless.

A gate retries a batch blindly: a batch sent again answers ``duplicate`` for every item stored the
first time and writes nothing new.

Exits (``{"kind": "exit", "client_uuid", "person_id" or "code", "at", "area_id"?}``) give the stays
of an offline gate their ends. They are matched after the batch's check-ins are stored, so an exit
finds its entry in the same batch as well as one stored before, and in the order of their times. The
matching rule: an exit of a person at ``at`` matches that person's latest stay (an entry the rules or
the offline gate admitted, Entry.stay_q) at the device's site in the same area (an exit with no area:
a stay with no area) that began before ``at`` and at most the maximum stay (MAX_STAY_HOURS) before it,
since a longer stay has ended at the maximum stay by rule. Then:

* ``created``: that stay was open, or its end was estimated (the overdue-stay job ended it at the
  maximum stay): it ends at ``at``, no longer estimated. ``entry_id`` names the entry.
* ``duplicate``: that stay already ends at ``at`` with a recorded exit (this exit sent again, or the
  same exit twice in the batch): nothing is written. An exit is found again by its person, area and
  time, not by its client UUID, which is only given back in the result.
* ``unmatched``: no such stay, or it already ended at another recorded exit (the person left and
  this exit has no open entry): nothing is written; the error names the person's field. The gate
  need not send it again.
* ``rejected``: the exit's values are not valid, or it is not after its entry (the person's stay
  here, in that area, begins at or after ``at``, within the maximum stay, and none before it: a
  device's clock to check); the error names ``at``.

None of these sinks the batch: each item is answered on its own.

Cost: a fixed number of queries per batch, whatever its size, all in one transaction: stored client
UUIDs in one query, the people named and their relation to the site in one, the site's areas in one
when an item names an area, the stays the exits may end in one and their ends in one (only when the
batch holds exits), isolation orders through screening.ports once, for the batch's whole
span (see _isolated), the site's closed-duty rotations once when a staff member of a closed site is
in the batch (see _rosters), the rows in one COPY on PostgreSQL (bulk_create elsewhere), and the alerts (a few per
batch, see _alert). Per item there is no query and no model save: the checks, a dictionary look-up
of the decision for facts already decided in the batch, and a row as a plain list.

Concurrent retries: the database's key is (client_uuid, entered_at), and a retry carries the same
time. Should another request store some of the batch's rows between the look-up and the insert,
the insert skips them (PostgreSQL: the COPY fails and the rows go in again with ON CONFLICT DO
NOTHING; SQLite writes one transaction at a time, so it cannot happen there) and a re-read confirms
that every item answered ``created`` is stored, for this site and person. Both requests may then
answer ``created`` for the same check-in, and alert for it: it is stored once, and nothing is lost.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Choices, FilteredRelation, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import MAX_ID, valid_id
from zhengtong.registry.codes import CodeError, check_id_number
from zhengtong.registry.identity import id_number_hash
from zhengtong.registry.models import Person, SitePerson
from zhengtong.screening import alerts, ports, rotations, rules, selectors, services
from zhengtong.screening.models import Alert, Area, Decision, Entry, GateDevice, Reason
from zhengtong.screening.passes import read_pass_code

MAX_BATCH = 5000
FIELDS = frozenset({"client_uuid", "person_id", "code", "temperature", "at", "gate_decision", "area_id",
                    "visit_host", "visit_purpose", "kind"})
EXIT_FIELDS = frozenset({"kind", "client_uuid", "person_id", "code", "at", "area_id"})
ENTRY_KIND, EXIT_KIND = "entry", "exit"
# Fever alerts name each person up to this many per batch; the rest are counted in one more alert.
FEVER_ALERTS_NAMED = 10
DECISIONS = frozenset(Decision.values)
# The usual spellings of a UUID and a time, which PostgreSQL reads exactly as Python does: rows carry
# them as text (psycopg's dumpers of UUID and datetime objects cost more than the rest of a row).
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
                       r"(?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])")

CREATED, DUPLICATE, REJECTED, UNMATCHED = "created", "duplicate", "rejected", "unmatched"
# An exit carries no temperature: its items hold this, never read.
NO_TEMPERATURE = Decimal(0)


@dataclass(slots=True)
class ItemResult:
    client_uuid: str | None
    status: str
    decision: str | None = None
    reason: str | None = None
    disagreement: bool | None = None
    errors: list[dict[str, str]] | None = None
    entry_id: int | None = None  # for an exit: the entry whose stay it ends


@dataclass(slots=True)
class _Item:
    """One item that passed the checks of its own values."""

    index: int
    key: str  # the client UUID, in canonical form (lower case, with hyphens)
    text: str  # the client UUID as sent, given back in the result
    at: datetime
    at_text: str  # the time as PostgreSQL reads it, equal to at
    temperature: Decimal
    gate_decision: str
    person_id: int | None
    code: str
    area_id: int | None
    visit_host: str
    visit_purpose: str
    pass_site: int | None = None  # set for a valid pass code of this site (person_id is then its person)
    id_hash: str = ""  # set for an ID number
    exit: bool = False  # an exit (temperature NO_TEMPERATURE, no gate decision, no visit)


def entries_sync(*, device: GateDevice, items) -> list[ItemResult]:
    """Store a batch of check-ins and exits an offline gate recorded; one result per item, in order."""
    if device.revoked_at is not None:
        raise PermissionDenied(_("This gate device has been revoked."))
    if not isinstance(items, list):
        raise DomainError(_("Send the check-ins as a list."), field="items")
    if len(items) > MAX_BATCH:
        raise DomainError(
            _("A batch holds at most %(max)d check-ins; this one has %(n)d. Send the rest in another batch.")
            % {"max": MAX_BATCH, "n": len(items)}, field="items")
    site = device.site
    checks = _Checks(timezone.now())
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[_Item] = []
    exits: list[_Item] = []
    for index, raw in enumerate(items):
        item, errors = checks.item(index, raw)
        if errors:
            results[index] = ItemResult(_echo_uuid(raw), REJECTED, errors=errors)
        elif item.exit:
            exits.append(item)
        else:
            valid.append(item)
    if not valid and not exits:
        return results

    repeats: list[tuple[_Item, int]] = []  # (item, index of the first item with the same UUID)
    with transaction.atomic():
        stored = _stored(valid) if valid else {}
        # before the duplicates: a retry by pass or ID number names its person
        people = _people(site, valid + exits if exits else valid)
        fresh = []
        for item in valid:
            row = stored.get(item.key)
            if row is not None:
                results[item.index] = _duplicate(item, row, site.pk, people)
            else:
                fresh.append(item)
        areas = _areas(site, fresh + exits if exits else fresh)
        todo: list[tuple[_Item, int]] = []
        seen: dict[str, tuple[int, int, datetime]] = {}
        for item in fresh:
            person_id, error = _resolve(item, people, areas)
            if error:
                results[item.index] = ItemResult(item.text, REJECTED, errors=[error])
            elif item.key in seen:
                # The same check-in twice in one batch is a duplicate with the first one's outcome;
                # another check-in under a UUID already used is refused.
                first, first_person, first_at = seen[item.key]
                if (first_person, first_at) == (person_id, item.at):
                    repeats.append((item, first))
                else:
                    results[item.index] = ItemResult(item.text, REJECTED, errors=[_uuid_used()])
            else:
                seen[item.key] = (item.index, person_id, item.at)
                todo.append((item, person_id))
        if todo:
            layout = _Layout(site_id=site.pk, device_id=device.pk, recorded_at=checks.now.isoformat())
            isolated = _isolated(todo)  # asked now: nothing may query the database while the COPY runs
            duty = _rosters(site, people, todo)
            rows = _insert(layout, _decide(layout, site, people, isolated, duty, todo, results), todo, results)
            _alert(site, device, people, layout, [row for row, (item, _pid) in zip(rows, todo, strict=True)
                                                  if results[item.index].status == CREATED])
        if exits:
            _exits_record(site, people, areas, exits, results)
    for item, first in repeats:
        origin = results[first]
        status = DUPLICATE if origin.status == CREATED else origin.status
        results[item.index] = ItemResult(item.text, status, decision=origin.decision, reason=origin.reason,
                                         disagreement=origin.disagreement, errors=origin.errors)
    return results


# Checks of each item's own values ---------------------------------------------------------


class _Unusual(Exception):
    """An item the short path leaves to the full checks."""


def _unusual():
    raise _Unusual


def _echo_uuid(raw) -> str | None:
    value = raw.get("client_uuid") if isinstance(raw, dict) else None
    return value[:64] if isinstance(value, str) else None


class _Checks:
    """The checks of one item's values, with the messages a single check-in gets. An item whose values
    are all of the usual kinds takes a short path (``_usual``), which accepts only what the full
    checks (``_checked``) accept, with the same result; anything else goes through the full checks,
    which report every field that is wrong."""

    def __init__(self, now: datetime):
        self.now = now
        self.latest = now + timedelta(seconds=settings.CLOCK_SKEW_SECONDS)
        self.earliest = now - timedelta(days=settings.OLDEST_TIME_DAYS)
        self.temperatures: dict[object, Decimal] = {}  # typed value -> °C: a batch repeats a few readings

    def item(self, index: int, raw) -> tuple[_Item | None, list[dict[str, str]]]:
        if type(raw) is dict:
            try:
                return self._usual(index, raw), []
            except (_Unusual, KeyError, ValueError, TypeError):
                pass
        return self._checked(index, raw)

    def _usual(self, index: int, raw: dict) -> _Item:
        if not FIELDS.issuperset(raw) or raw.get("area_id") is not None or raw.get("visit_host") is not None \
                or raw.get("visit_purpose") is not None or raw.get("kind") is not None:
            raise _Unusual
        text = raw["client_uuid"]
        key = text.lower() if type(text) is str and UUID_TEXT.fullmatch(text) else _unusual()
        person_id, code = raw.get("person_id"), raw.get("code")
        if type(person_id) is int and code is None and 0 < person_id <= MAX_ID:
            code = ""
        elif person_id is None and type(code) is str and code.strip():
            code = code.strip()
        else:
            raise _Unusual
        value = raw["temperature"]
        temperature = self.temperatures.get(value) if type(value) in (str, int, float) else None
        if temperature is None:
            raise _Unusual
        at_text = raw["at"]
        at = datetime.fromisoformat(at_text) if type(at_text) is str and TIME_TEXT.fullmatch(at_text) else _unusual()
        if not self.earliest <= at <= self.latest:
            raise _Unusual
        gate_decision = raw["gate_decision"]
        if type(gate_decision) is not str or gate_decision not in DECISIONS:
            raise _Unusual
        return _Item(index, key, text, at, at_text, temperature, gate_decision, person_id, code, None, "", "")

    def _checked(self, index: int, raw) -> tuple[_Item | None, list[dict[str, str]]]:
        if type(raw) is not dict:
            return None, [{"field": "", "message": _(
                "Each item is an object with client_uuid, person_id or code, temperature, at and gate_decision.")}]
        errors: list[dict[str, str]] = []

        def fail(field: str, message: str) -> None:
            errors.append({"field": field, "message": message})

        kind = raw.get("kind")
        if kind == EXIT_KIND:
            return self._exit(index, raw, errors, fail)
        if kind is not None and kind != ENTRY_KIND:
            fail("kind", _("Give the kind of the item: entry (the default) or exit."))
        if not FIELDS.issuperset(raw):
            for key in raw:
                if key not in FIELDS:
                    fail(str(key), _("This field is not known here."))
        key = parse_client_uuid(raw.get("client_uuid"), fail)
        person_id, code = parse_person(raw, fail)
        temperature = self.temperature(raw.get("temperature"), fail)
        at = self.time(raw.get("at"), fail)
        gate_decision = raw.get("gate_decision")
        if type(gate_decision) is not str or gate_decision not in DECISIONS:
            fail("gate_decision", _("Give the gate's own decision: admit or refuse."))
        area_id = parse_area_id(raw.get("area_id"), fail)
        visit_host = parse_text(raw.get("visit_host"), "visit_host", fail)
        visit_purpose = parse_text(raw.get("visit_purpose"), "visit_purpose", fail)
        if errors:
            return None, errors
        return _Item(index, str(key), raw["client_uuid"], at, at.isoformat(), temperature,
                     gate_decision, person_id, "" if person_id is not None else code, area_id, visit_host,
                     visit_purpose), errors

    def _exit(self, index: int, raw: dict, errors: list[dict[str, str]], fail) -> tuple[_Item | None, list]:
        """An exit's values: its client UUID (given back in the result), the person (person_id or code),
        its time and its area, if any; a field an exit does not carry is an error."""
        if not EXIT_FIELDS.issuperset(raw):
            for key in raw:
                if key not in EXIT_FIELDS:
                    fail(str(key), _("An exit carries only client_uuid, person_id or code, at and area_id."))
        key = parse_client_uuid(raw.get("client_uuid"), fail)
        person_id, code = parse_person(raw, fail)
        at = self.time(raw.get("at"), fail)
        area_id = parse_area_id(raw.get("area_id"), fail)
        if errors:
            return None, errors
        return _Item(index, str(key), raw["client_uuid"], at, at.isoformat(), NO_TEMPERATURE, "", person_id,
                     "" if person_id is not None else code, area_id, "", "", exit=True), errors

    def temperature(self, value, fail) -> Decimal | None:
        """rules.parse_temperature, remembered for the batch's next item typed alike."""
        if value is None or value == "":
            fail("temperature", _("This field is required."))
            return None
        if isinstance(value, (bool, dict, list)):
            fail("temperature", _("Type the temperature in °C, e.g. 36.5."))
            return None
        try:
            t = rules.parse_temperature(value)
        except DomainError as e:
            fail("temperature", e.message)
            return None
        self.temperatures[value] = t
        return t

    def time(self, value, fail) -> datetime | None:
        """An ISO 8601 time with its zone, as services._check_time accepts it (not in the future beyond
        the clock skew, nor older than OLDEST_TIME_DAYS), in UTC. ``_usual`` applies the same bounds."""
        if value is None or value == "":
            fail("at", _("This field is required."))
            return None
        at = None
        if type(value) is str:
            try:
                at = datetime.fromisoformat(value.strip())
            except ValueError:
                pass
        if at is None:
            fail("at", _("Give the time in ISO 8601 with its time zone, e.g. 2020-02-20T08:30:00+08:00."))
            return None
        try:
            return services._check_time(at, self.now)
        except DomainError as e:
            fail("at", e.message)
            return None


def parse_client_uuid(value, fail) -> uuid.UUID | None:
    if value is None or value == "":
        fail("client_uuid", _("This field is required."))
        return None
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    fail("client_uuid", _("Give the UUID the gate made for this check-in, e.g. 0b7e5c1a-3f2d-4c4e-9a51-6f0d2b8e7c11."))
    return None


def parse_person(raw: dict, fail) -> tuple[int | None, str]:
    """The person an item names: ``(person_id, "")``, or ``(None, code)`` for a pass or an ID number."""
    person_id, code = raw.get("person_id"), raw.get("code")
    if person_id is not None and code not in (None, ""):
        fail("person_id", _("Give person_id or code, not both."))
    elif person_id is not None:
        return parse_person_id(person_id, fail), ""
    elif isinstance(code, str) and code.strip():
        return None, code.strip()
    elif code not in (None, ""):
        fail("code", _("Scan a pass or type an ID number."))
    else:
        fail("person_id", _("Give person_id (one of the site's people) or code (a pass or an ID number)."))
    return None, ""


def parse_area_id(value, fail) -> int | None:
    if value is None or value == "":
        return None
    area_id = valid_id(value)
    if area_id is None:
        fail("area_id", str(selectors.UNIDENTIFIED["no_area"]))
    return area_id


def parse_person_id(value, fail) -> int | None:
    person_id = valid_id(value)
    if person_id is None:
        fail("person_id", _("Give a person's id (a whole number)."))
    return person_id


def parse_text(value, field: str, fail) -> str:
    """A visit's text (visit_host, visit_purpose): a string, as a single check-in's (services.visit_texts)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        fail(field, _("Give plain text."))
        return ""
    errors = FieldErrors()
    text = services.visit_text(errors, field, value)
    for message in errors.errors.get(field, []):
        fail(field, message)
    return text


# Facts for the whole batch, in a few queries -----------------------------------------------


def _stored(items: list[_Item]) -> dict[str, tuple]:
    """Entries already stored under the items' client UUIDs (by canonical text): one query, bounded
    in time."""
    low = min(item.at for item in items) - services.RETRY_WINDOW
    high = max(item.at for item in items) + services.RETRY_WINDOW
    columns = ("client_uuid", "site_id", "person_id", "decision", "reason", "disagreement")
    keys = {item.key for item in items}
    if connection.vendor == "postgresql":
        # One array parameter (a text literal of canonical UUIDs, sorted: neighbouring probes share index
        # pages) rather than an IN list of thousands. OFFSET 0 keeps the subquery apart, so that each UUID
        # is one probe of the unique index (client_uuid, entered_at), whatever the table's size: a plain
        # "= ANY" was planned as a scan of the whole time span, its cost growing with the table (measured
        # with 5,000 UUIDs: 19 ms among 50,000 rows, 84 ms among 400,000; this: 13 and 24 ms).
        q = connection.ops.quote_name
        selected = [q(Entry._meta.get_field(c).column) for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.{selected[0]}::text, {', '.join(f'e.{c}' for c in selected[1:])} "
                f"FROM unnest(%s::uuid[]) AS k(u) JOIN LATERAL (SELECT {', '.join(selected)} "
                f"FROM {q(Entry._meta.db_table)} WHERE {q('client_uuid')} = k.u "
                f"AND {q('entered_at')} >= %s AND {q('entered_at')} <= %s OFFSET 0) AS e ON true",
                ["{" + ",".join(sorted(keys)) + "}", low, high])
            return {row[0]: row[1:] for row in cursor.fetchall()}
    rows = (Entry.objects.filter(client_uuid__in=keys, entered_at__gte=low, entered_at__lte=high)
            .order_by().values_list(*columns))
    return {str(row[0]): row[1:] for row in rows}


def _uuid_used() -> dict[str, str]:
    return {"field": "client_uuid", "message": _(
        "This client UUID was already used for another check-in: make a new one.")}


def _duplicate(item: _Item, row: tuple, site_id: int, people: "_People") -> ItemResult:
    """The stored check-in under the item's client UUID, when it is the same check-in (this site, this
    person, named by id, pass or ID number); else the UUID was used for another one."""
    stored_site, stored_person, decision, reason, disagreement = row
    person_id = item.person_id if item.person_id is not None else people.by_hash.get(item.id_hash)
    if stored_site != site_id or person_id != stored_person:
        return ItemResult(item.text, REJECTED, errors=[_uuid_used()])
    return ItemResult(item.text, DUPLICATE, decision=decision, reason=reason, disagreement=disagreement)


@dataclass(slots=True)
class _Person:
    name: str
    relation: str | None  # the person's relation to the site, None when they have none
    since: object
    until: object  # the relation ends after this day (SitePerson.in_force): then it is none


@dataclass(slots=True)
class _People:
    by_id: dict[int, _Person]
    by_hash: dict[str, int]


def _people(site, items: list[_Item]) -> _People:
    """The batch's people, by id and by ID-number hash, with their relation to the site: one query."""
    ids: set[int] = set()
    hashes: set[str] = set()
    for item in items:
        if item.person_id is not None:
            ids.add(item.person_id)
        elif item.code.startswith("ZTP1:"):
            parsed = read_pass_code(item.code)
            if parsed is not None and parsed[0] == site.pk:
                item.pass_site, item.person_id = parsed
                ids.add(item.person_id)
        else:
            try:
                item.id_hash = id_number_hash(check_id_number(item.code))
            except CodeError:
                continue  # reported by _resolve, with the same message as a single check-in
            hashes.add(item.id_hash)
    people = _People({}, {})
    if not ids and not hashes:
        return people
    found = _among("pk", ids, "bigint")
    if hashes:  # its identity, or a registration held for the city (registry.selectors.person_by_id_number)
        found |= _among("id_number_hash", hashes, "text") | _among("claimed_hash", hashes, "text")
    rows = (Person.objects.filter(found)
            .annotate(here=FilteredRelation("memberships", condition=Q(memberships__site=site)))
            .order_by().values_list("pk", "id_number_hash", "claimed_hash", "name", "here__relation", "here__since",
                                    "here__until"))
    best: dict[str, int] = {}
    for pk, hashed, claimed, name, relation, since, until in rows:
        people.by_id[pk] = _Person(name, relation, since, until)
        rank = Person.id_number_rank(held=bool(claimed), here=relation is not None)
        key = claimed or hashed
        if rank is not None and key and (key not in best or rank < best[key]):
            best[key] = rank
            people.by_hash[key] = pk
    return people


def _among(field: str, values: set, array_type: str) -> Q:
    """``field IN values``; on PostgreSQL as one array parameter, which thousands of values need (an IN
    list of thousands costs more to build than the query takes). The values are ids and hex digests."""
    if not values:
        return Q(pk__in=[])
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    literal = "{" + ",".join(str(value) for value in values) + "}"
    return Q(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{array_type}[])", (literal,))})


def _areas(site, items: list[_Item]) -> dict[int, bool]:
    """The site's areas, each with whether it is active (a check-in needs an active one; an exit may
    leave an area closed since its entry): one query, when an item names an area."""
    if not any(item.area_id is not None for item in items):
        return {}
    return dict(Area.objects.filter(site=site).values_list("pk", "is_active"))


def _unidentified(problem: str, field: str) -> dict[str, str]:
    return {"field": field, "message": str(selectors.UNIDENTIFIED[problem])}


def _resolve(item: _Item, people: _People, areas: dict[int, bool]) -> tuple[int | None, dict[str, str] | None]:
    """The item's person id, or the error a single check-in would get (selectors.person_identify)."""
    if item.area_id is not None and (item.area_id not in areas if item.exit else not areas.get(item.area_id)):
        return None, _unidentified("no_area", "area_id")
    if item.code == "" or item.pass_site is not None:  # person_id, or a pass of this site
        person = people.by_id.get(item.person_id)
        if item.pass_site is not None and (person is None or person.relation is None):
            return None, _unidentified("bad_pass", "code")
        if person is None or person.relation is None:  # as a single check-in: only the site's people
            return None, _unidentified("not_here", "person_id")
        return item.person_id, None
    if item.code.startswith("ZTP1:"):
        return None, _unidentified("bad_pass", "code")
    if not item.id_hash:
        try:
            check_id_number(item.code)
        except CodeError as e:
            return None, {"field": "code", "message": str(e)}
    pk = people.by_hash.get(item.id_hash)
    if pk is None:
        return None, _unidentified("unregistered", "code")
    return pk, None


def _isolated(todo: list[tuple[_Item, int]]) -> set[int]:
    """The items (by index) whose person is under an isolation order at the item's time. The owner of
    the orders is asked once, through screening.ports, for the batch's people over its whole span
    (an offline gate's hours); each item is then checked against its person's periods here, before
    the rows are written (nothing may query the database while the COPY runs)."""
    if not todo:
        return set()
    first, last = min(item.at for item, _p in todo), max(item.at for item, _p in todo)
    periods = ports.isolation_periods({pid for _item, pid in todo}, first, last)
    if not periods:
        return set()
    return {item.index for item, pid in todo if any(p.covers(item.at) for p in periods.get(pid, ()))}


def _rosters(site, people: _People, todo: list[tuple[_Item, int]]) -> list[rotations.Roster] | None:
    """The site's rotations on duty over the batch's span (rule 7), read once, and only when it can
    apply: a staff member in the batch at a site under closed management within its span. None: no
    rule 7 for this batch."""
    tz = timezone.get_current_timezone()
    last = max(item.at for item, _p in todo).astimezone(tz).date()
    if not site.is_closed_on(last) or not any(
            people.by_id[pid].relation == SitePerson.Relation.STAFF for _item, pid in todo):
        return None
    first = min(item.at for item, _p in todo).astimezone(tz).date()
    return rotations.rosters(site=site, first=first, last=last)


class _Layout:
    """Entry's columns in the model's order, the primary key left out (the database numbers rows): what
    every row of the batch shares, and where each item's own values go. Rows are plain lists of text,
    numbers, booleans and None (UUIDs, times and temperatures as text, as the database reads them),
    written by COPY on PostgreSQL and through Entry objects otherwise."""

    OWN = ("client_uuid", "area_id", "person_id", "entered_at", "temperature", "decision", "reason",
           "gate_decision", "disagreement", "visit_host", "visit_purpose")

    def __init__(self, **shared):
        self.fields = [field for field in Entry._meta.concrete_fields if not field.primary_key]
        self.slot = {field.attname: i for i, field in enumerate(self.fields)}
        shared = {"source": Entry.Source.SYNC.value, "recorded_by_id": None, **shared}
        self.template = []
        for field in self.fields:
            if field.attname in shared:
                value = shared[field.attname]
            elif field.attname in self.OWN:
                value = None
            elif field.has_default() and callable(field.default):
                raise ImproperlyConfigured(f"screening.sync gives {field.attname} one value per batch: "
                                           "a per-row default must be set in _decide")
            else:
                value = field.get_default()
            self.template.append(value.value if isinstance(value, Choices) else value)

    def get(self, row: list, attname: str):
        return row[self.slot[attname]]

    def entry(self, row: list) -> Entry:
        return Entry(**{field.attname: value for field, value in zip(self.fields, row, strict=True)})


def _decide(layout: _Layout, site, people: _People, isolated: set[int], duty: list[rotations.Roster] | None,
            todo, results) -> Iterator[list]:
    """The rules for each item (screening.rules.decide) and the row to store, one by one (they are
    written as they come). Facts that recur (the same relation, day and temperature) are decided once:
    decide is a function of the facts alone."""
    tz = timezone.get_current_timezone()
    decided: dict[tuple, tuple[str, str, str]] = {}
    slot = layout.slot
    (s_uuid, s_area, s_person, s_at, s_temperature, s_decision, s_reason, s_gate, s_disagreement, s_host,
     s_purpose) = (slot[name] for name in layout.OWN)
    for item, pid in todo:
        person = people.by_id[pid]
        day = item.at.astimezone(tz).date()  # timezone.localdate
        state = item.index in isolated
        on_duty = None
        if duty is not None and person.relation == SitePerson.Relation.STAFF:
            on_duty = rotations.duty_in(duty, pid, day)
        key = (person.relation, person.since, person.until, state, on_duty, item.temperature, day)
        outcome = decided.get(key)
        if outcome is None:
            result = rules.decide(services.gate_facts(
                site=site, day=day, relation=person.relation, since=person.since, until=person.until,
                isolated=state, temperature=item.temperature, on_duty=on_duty,
            ))
            outcome = decided[key] = (Decision(result.decision).value, Reason(result.reason).value,
                                      str(item.temperature))
        decision, reason, temperature = outcome
        disagreement = item.gate_decision != decision
        row = layout.template.copy()
        row[s_uuid], row[s_area], row[s_person], row[s_at] = item.key, item.area_id, pid, item.at_text
        row[s_temperature], row[s_decision], row[s_reason] = temperature, decision, reason
        row[s_gate], row[s_disagreement], row[s_host], row[s_purpose] = (
            item.gate_decision, disagreement, item.visit_host, item.visit_purpose)
        results[item.index] = ItemResult(item.text, CREATED, decision=decision, reason=reason,
                                         disagreement=disagreement)
        yield row


# Writing -----------------------------------------------------------------------------------


def _insert(layout: _Layout, decided: Iterator[list], todo, results) -> list[list]:
    """Store the rows as they are decided; return them. PostgreSQL: COPY, the fastest way in, each row
    sent as soon as it is decided, so that the server stores while the rules run; should a concurrent
    retry of the same batch have stored some of them since _stored, the COPY fails on the unique key
    (client_uuid, entered_at) and the rows go in again skipping those (ON CONFLICT DO NOTHING).
    Elsewhere (SQLite writes one transaction at a time), bulk_create skipping conflicts likewise.
    After a skip, a re-read tells which rows are this batch's."""
    rows: list[list] = []
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                _copy(layout, decided, rows)
            return rows
        except IntegrityError:
            rows.extend(decided)  # those not decided yet when the COPY failed
    else:
        rows.extend(decided)
    Entry.objects.bulk_create([layout.entry(row) for row in rows], batch_size=1000, ignore_conflicts=True)
    _confirm(layout, rows, todo, results)
    return rows


def _copy(layout: _Layout, decided: Iterator[list], rows: list[list]) -> None:
    q = connection.ops.quote_name
    columns = ", ".join(q(field.column) for field in layout.fields)
    keep = rows.append
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {q(Entry._meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in decided:
                keep(row)
                write(row)


def _confirm(layout: _Layout, rows: list[list], todo, results) -> None:
    """Every row answered ``created`` is stored, for this site and person (one query); a row skipped for
    another check-in's (client UUID, time) is rejected."""
    get = layout.get
    times = [item.at for item, _pid in todo]
    stored = {(str(key), *rest) for key, *rest in Entry.objects.filter(
        client_uuid__in=[item.key for item, _pid in todo], entered_at__gte=min(times), entered_at__lte=max(times))
        .order_by().values_list("client_uuid", "entered_at", "site_id", "person_id")}
    for row, (item, _pid) in zip(rows, todo, strict=True):
        if (item.key, item.at, get(row, "site_id"), get(row, "person_id")) not in stored:
            results[item.index] = ItemResult(item.text, REJECTED, errors=[_uuid_used()])


def _alert(site, device, people: _People, layout: _Layout, created: list[list]) -> None:
    """Fevers (one alert per person, up to FEVER_ALERTS_NAMED, then one for the rest) and the
    disagreements (one alert for the batch) go to the site's managers and its county's officers."""
    get = layout.get
    fevers = [row for row in created if get(row, "reason") == Reason.FEVER]
    for row in fevers[:FEVER_ALERTS_NAMED]:
        person_id = get(row, "person_id")
        name = people.by_id[person_id].name
        alerts.notify(kind=Alert.Kind.FEVER, site=site, person=Person(pk=person_id, name=name),
                      message=alerts.gate_fever_text(site=site, name=name, temperature=get(row, "temperature"),
                                                     admitted=get(row, "gate_decision") == Decision.ADMIT))
    if len(fevers) > FEVER_ALERTS_NAMED:
        rest = fevers[FEVER_ALERTS_NAMED:]
        alerts.notify(kind=Alert.Kind.FEVER, site=site, message=alerts.batch_more_fevers_text(
            site=site, device_name=device.name, count=len(rest),
            admitted=sum(1 for row in rest if get(row, "gate_decision") == Decision.ADMIT)))
    disagreements = [row for row in created if get(row, "disagreement")]
    if len(disagreements) == 1:
        row = disagreements[0]
        person_id = get(row, "person_id")
        name = people.by_id[person_id].name
        alerts.notify(kind=Alert.Kind.DISAGREEMENT, site=site, person=Person(pk=person_id, name=name),
                      message=alerts.gate_disagreement_text(
                          site=site, name=name, gate_decision=get(row, "gate_decision"),
                          decision=get(row, "decision"), reason=get(row, "reason")))
    elif disagreements:
        admitted = sum(1 for row in disagreements if get(row, "gate_decision") == Decision.ADMIT)
        alerts.notify(kind=Alert.Kind.DISAGREEMENT, site=site, message=alerts.batch_disagreements_text(
            site=site, device_name=device.name, count=len(disagreements), admitted=admitted))


# Exits -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Stay:
    """A stay an exit may end, as read (and as this batch's exits leave it)."""

    entry_id: int
    entered_at: datetime
    left_at: datetime | None
    estimated: bool


def _exits_record(site, people: _People, areas: dict[int, bool], exits: list[_Item], results) -> None:
    """End the stays the batch's exits match (see the module's docstring): the candidate stays in one
    query, locked, bounded by the maximum stay around the exits' times (so PostgreSQL reads the
    months concerned of the (person, time) index); the matching in Python, exit by exit in the order
    of their times; the ends written in one statement."""
    resolved: list[tuple[_Item, int]] = []
    for item in exits:
        person_id, error = _resolve(item, people, areas)
        if error:
            results[item.index] = ItemResult(item.text, REJECTED, errors=[error])
        else:
            assert person_id is not None
            resolved.append((item, person_id))
    if not resolved:
        return
    longest = timedelta(hours=settings.MAX_STAY_HOURS)
    low = min(item.at for item, _pid in resolved) - longest
    high = max(item.at for item, _pid in resolved) + longest
    stays: dict[tuple[int, int | None], list[_Stay]] = {}
    rows = (Entry.objects.select_for_update()
            .filter(Entry.stay_q(), _among("person_id", {pid for _item, pid in resolved}, "bigint"),
                    site_id=site.pk, entered_at__gte=low, entered_at__lte=high)
            .order_by("entered_at", "id")
            .values_list("id", "person_id", "area_id", "entered_at", "left_at", "left_estimated"))
    for entry_id, person_id, area_id, entered_at, left_at, estimated in rows:
        stays.setdefault((person_id, area_id), []).append(_Stay(entry_id, entered_at, left_at, estimated))
    ended: dict[int, _Stay] = {}
    for item, person_id in sorted(resolved, key=lambda pair: (pair[0].at, pair[0].index)):
        before = after = None
        for stay in stays.get((person_id, item.area_id), ()):
            if stay.entered_at < item.at:
                if item.at - stay.entered_at <= longest:
                    before = stay
            elif stay.entered_at - item.at <= longest:
                after = stay
                break
        results[item.index] = _exit_result(item, person_id, people, before, after)
        if results[item.index].status == CREATED:
            assert before is not None
            before.left_at, before.estimated = item.at, False
            ended[before.entry_id] = before
    if ended:
        _exits_write(list(ended.values()))


def _exit_result(item: _Item, person_id: int, people: _People, before: _Stay | None,
                 after: _Stay | None) -> ItemResult:
    """The answer to one exit, from the latest stay it may end (``before``) and the first one after it."""
    name = people.by_id[person_id].name
    named_by = "code" if item.code else "person_id"
    if before is not None:
        if before.left_at is None or before.estimated:
            return ItemResult(item.text, CREATED, entry_id=before.entry_id)
        if before.left_at == item.at:
            return ItemResult(item.text, DUPLICATE, entry_id=before.entry_id)
        return ItemResult(item.text, UNMATCHED, entry_id=before.entry_id, errors=[{"field": named_by, "message": _(
            "%(name)s's stay from %(entered)s already ended at %(left)s: this exit has no open entry.")
            % {"name": name, "entered": services._shown(before.entered_at), "left": services._shown(before.left_at)}}])
    if after is not None:
        return ItemResult(item.text, REJECTED, errors=[{"field": "at", "message": _(
            "The exit at %(at)s is not after the entry at %(entered)s: check the device's clock.")
            % {"at": services._shown(item.at), "entered": services._shown(after.entered_at)}}])
    return ItemResult(item.text, UNMATCHED, errors=[{"field": named_by, "message": _(
        "%(name)s has no entry here in the %(hours)s hours before this exit (the longest stay): the exit "
        "matches no entry.") % {"name": name, "hours": f"{settings.MAX_STAY_HOURS:g}"}}])


def _exits_write(ended: list[_Stay]) -> None:
    """The stays' real ends, in one statement. PostgreSQL: by (id, entered_at), so that each row is
    looked for in its own month's partition only."""
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        table = q(Entry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS e SET {q('left_at')} = v.left_at, {q('left_estimated')} = false "
                f"FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS v(id, entered_at, left_at) "
                f"WHERE e.{q('id')} = v.id AND e.{q('entered_at')} = v.entered_at "
                f"AND e.{q('entered_at')} >= %s AND e.{q('entered_at')} <= %s",
                [[s.entry_id for s in ended], [s.entered_at for s in ended], [s.left_at for s in ended],
                 min(s.entered_at for s in ended), max(s.entered_at for s in ended)])
        return
    Entry.objects.bulk_update([Entry(pk=s.entry_id, left_at=s.left_at, left_estimated=False) for s in ended],
                              ["left_at", "left_estimated"], batch_size=500)
