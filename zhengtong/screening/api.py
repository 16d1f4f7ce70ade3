"""The gate devices' API, under /api/gate/: one entry at a time (``POST entries``), exits, the batch
of entries and exits an offline gate recorded (``POST entries/batch``), and the site's own people for
offline use.

An entry (``Entry``, 进入人员登记) is one passage through the site's entrance with its screening
result. Gate devices published before the entry had one name post to ``check-ins`` and
``check-ins/batch``: those paths stay, as aliases that run the same handlers (``ALIASES``), marked
deprecated in the OpenAPI document and keeping their operationIds.

A device authenticates with its own key (``Authorization: Bearer ztg_…``, zhengtong.screening.auth
``gate_auth``, set on this router where zhengtong.api.api adds it); the key fixes the site, so a
device never names one and never reaches another site's people. ``request.auth`` is the device.

Every decision is taken by the screening rules, once: a single check-in goes through
screening.services.entry_screen, an exit through services.exit_record, a batch through
screening.sync.entries_sync. Each check-in carries a UUID made by the gate: sent again, it answers
the stored check-in (200, ``created: false``) and writes nothing, so a gate may retry blindly.

Errors have the project's shape, ``{"detail", "errors": [{"field", "message"}]}``: a value the rules
refuse is 400 naming the field (a temperature typed in °F, a time in the future…), an unknown person
404 naming ``person_id`` or ``code``, a client UUID already used for another check-in 409; 422 is
only ninja's check of the body's types.
"""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from zhengtong.core.errors import DomainError
from zhengtong.core.ids import MAX_ID
from zhengtong.core.schemas import MAX_OFFSET, Id, In, Text, TextOrNumber, whole_number
from zhengtong.registry.codes import check_id_number
from zhengtong.registry.models import Person, SitePerson
from zhengtong.screening import ports, rotations, rules, selectors, services, sync
from zhengtong.screening.auth import gate_entry_auth
from zhengtong.screening.models import VISIT_TEXT_LIMITS, Entry, GateDevice, Reason
from zhengtong.screening.passes import pass_code

router = Router(tags=["gate"])

PEOPLE_MAX_LIMIT = 1000
EXAMPLE_UUID = "0b7e5c1a-3f2d-4c4e-9a51-6f0d2b8e7c11"
HOST_MAX, PURPOSE_MAX = VISIT_TEXT_LIMITS["visit_host"], VISIT_TEXT_LIMITS["visit_purpose"]


class GateIn(In):
    """Unknown fields are an error; a temperature may be sent as a number or as its text."""


class GateItemError(BaseModel):
    field: str
    message: str


# Bodies ------------------------------------------------------------------------------------

PERSON_DOC = "id of one of the site's people, as listed by GET /api/gate/people (or of a known visitor)"
CODE_DOC = "a scanned pass (ZTP1:…) of this site, or a resident ID number; instead of person_id"
TEMPERATURE_DOC = "°C, 34.0–43.0 in steps of 0.1; a value that looks like °F (95–110) is refused, never converted"
AT_DOC = ("when the person came, ISO 8601 with its time zone; at most settings.CLOCK_SKEW_SECONDS in the "
          "future, and at most settings.OLDEST_TIME_DAYS ago. Default: when the server receives it. Send it, "
          "and the same time on every retry; a copy first sent without it is found too (within a day of this "
          "time), once that copy has been answered")


class GateEntryIn(GateIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"client_uuid": EXAMPLE_UUID, "person_id": 42, "temperature": "36.5", "at": "2020-02-20T08:30:00+08:00"},
        {"client_uuid": "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b", "code": "430422199001019901", "temperature": 36.8,
         "visit_host": "王科长", "visit_purpose": "送货"},
    ]})

    client_uuid: uuid.UUID = Field(description="made by the gate for this check-in; the same on every retry")
    person_id: Id | None = Field(None, description=PERSON_DOC)
    code: Text | None = Field(None, description=CODE_DOC)
    temperature: TextOrNumber = Field(description=TEMPERATURE_DOC)
    at: datetime | None = Field(None, description=AT_DOC)
    area_id: Id | None = Field(None, description="an active area of the site (wing, floor, workshop)")
    visit_host: Text = Field("", description=f"for a visitor: whom they visit (at most {HOST_MAX} characters)")
    visit_purpose: Text = Field("", description=f"for a visitor: why (at most {PURPOSE_MAX} characters)")
    name: Text = Field("", description="for an ID number nobody has registered, at a site that refuses visitors "
                                       "(closed management, or no visitors): the visitor's name (from the ID card), "
                                       "so that the refusal is recorded; visitors a site admits are registered at "
                                       "the gate screen")
    phone: Text = Field("", description="with name: the visitor's phone, if known")


class GateIdentifyIn(GateIn):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, json_schema_extra={"examples": [
        {"code": "430422199001019901"}, {"person_id": 42},
    ]})

    person_id: Id | None = Field(None, description=PERSON_DOC)
    code: Text | None = Field(None, description=CODE_DOC)


class GateIdentifyOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"person_id": None, "name": None, "id_number_masked": None, "relation": None, "former_until": None,
         "registered": False,
         "refused": True, "reason": "no_visitors", "reason_text": "The site receives no visitors"},
    ]})

    person_id: int | None = Field(description="null for an ID number nobody has registered")
    name: str | None = Field(description="only for one of the site's people or a visitor it registered")
    id_number_masked: str | None
    relation: str | None = Field(description="the person's relation to the site in force; null when they have none")
    former_until: date | None = Field(description="a former member of the site's people: the day their relation "
                                                   "ended (they are refused as former)")
    registered: bool = Field(description="false for an ID number nobody has registered")
    refused: bool = Field(description="the site refuses this person whatever their temperature: say so at once, "
                                      "and post the entry (with name, for an ID number nobody has registered) to "
                                      "record the refusal")
    reason: str | None = Field(description="why refused: former, off_duty (staff not in the closed-duty rotation on "
                                           "duty), closed, no_visitors")
    reason_text: str | None = Field(description="the reason in the caller's language (Accept-Language)")


class GateEntryOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"entry_id": 1001, "decision": "admit", "reason": "ok", "reason_text": "Checks passed", "created": True,
         "entered_at": "2020-02-20T00:30:00Z"},
        {"entry_id": 1002, "decision": "refuse", "reason": "fever", "reason_text": "Fever", "created": True,
         "entered_at": "2020-02-20T00:31:00Z"},
    ]})

    entry_id: int
    decision: Literal["admit", "refuse"]
    reason: str = Field(description="ok, fever, closed, no_visitors, appointment, isolation, inactive, former, "
                                    "off_duty")
    reason_text: str = Field(description="the reason in the caller's language (Accept-Language)")
    created: bool = Field(description="false when this client UUID was stored before (a retry): nothing written")
    entered_at: datetime


class GateExitIn(GateIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"person_id": 42, "at": "2020-02-20T17:30:00+08:00"},
    ]})

    person_id: Id | None = Field(None, description=PERSON_DOC)
    code: Text | None = Field(None, description=CODE_DOC)
    at: datetime | None = Field(None, description="when the person left; default: now")
    client_uuid: uuid.UUID | None = Field(None, description="accepted and ignored: recording an exit twice changes "
                                                            "nothing")


class GateExitOut(Schema):
    entry_id: int
    entered_at: datetime
    left_at: datetime


ITEM_SCHEMA = {
    "type": "object",
    "required": ["client_uuid", "temperature", "at", "gate_decision"],
    "properties": {
        "client_uuid": {"type": "string", "format": "uuid"},
        "person_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": PERSON_DOC},
        "code": {"type": "string", "description": CODE_DOC},
        "temperature": {"type": ["string", "number"], "description": TEMPERATURE_DOC},
        "at": {"type": "string", "format": "date-time",
               "description": "when the gate took its decision, ISO 8601 with its time zone"},
        "gate_decision": {"type": "string", "enum": ["admit", "refuse"],
                          "description": "what the offline gate decided, kept as taken"},
        "area_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "visit_host": {"type": "string", "maxLength": VISIT_TEXT_LIMITS["visit_host"]},
        "visit_purpose": {"type": "string", "maxLength": VISIT_TEXT_LIMITS["visit_purpose"]},
        "kind": {"type": "string", "enum": ["entry"], "default": "entry",
                 "description": "entry (the default); an exit says exit and has the other shape"},
    },
    "additionalProperties": False,
}

EXIT_ITEM_SCHEMA = {
    "type": "object",
    "description": (
        "An exit the offline gate recorded: it ends the person's stay at this site, in the same area (an exit "
        "with no area_id: a stay with no area). It matches the person's latest stay (an entry the rules or the "
        "gate admitted) that began before at, and at most settings.MAX_STAY_HOURS before it (a longer stay has "
        "ended at the maximum stay by rule); entries of the same batch count, and exits are matched in the "
        "order of their times, after the batch's entries. Answered created when that stay was open or its end "
        "estimated (it now ends at at; entry_id names it); duplicate when it already ends at at (a retry: an "
        "exit is found again by person, area and time, and nothing is written); unmatched when there is no such "
        "stay or it ended at another recorded exit (nothing written; no need to send it again); rejected when "
        "its values are wrong or it is not after its entry (the person's stay here begins at or after at, "
        "within the maximum stay: error on at). No exit sinks the batch."),
    "required": ["kind", "client_uuid", "at"],
    "properties": {
        "kind": {"type": "string", "enum": ["exit"]},
        "client_uuid": {"type": "string", "format": "uuid", "description": "made by the gate; given back in the "
                                                                          "result"},
        "person_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": PERSON_DOC},
        "code": {"type": "string", "description": CODE_DOC},
        "at": {"type": "string", "format": "date-time",
               "description": "when the person left, ISO 8601 with its time zone"},
        "area_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                    "description": "the area left (of this site, active or not since)"},
    },
    "additionalProperties": False,
}


class GateBatchIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [
        {"client_uuid": EXAMPLE_UUID, "person_id": 42, "temperature": "36.5", "at": "2020-02-20T08:30:00+08:00",
         "gate_decision": "admit"},
        {"client_uuid": "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b", "code": "ZTP1:…", "temperature": "37.9",
         "at": "2020-02-20T08:31:10+08:00", "gate_decision": "refuse", "area_id": 3},
        {"kind": "exit", "client_uuid": "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99", "person_id": 42,
         "at": "2020-02-20T17:30:00+08:00"},
    ]}]})

    # Items are checked one by one by screening.sync (a bad item is rejected alone, the rest go in),
    # so the schema below documents them without ninja refusing the whole batch for one of them.
    # The document says so: an item of ITEM_SCHEMA's shape is a check-in; anything else (another shape, not an
    # object) is answered "rejected" with its errors in the 200, and sinks nothing.
    items: list[Annotated[Any, WithJsonSchema({"anyOf": [ITEM_SCHEMA, EXIT_ITEM_SCHEMA, {
        "description": "anything else: answered rejected, with each field's error"}]})]] = Field(
        description=f"at most {sync.MAX_BATCH} check-ins and exits, in the order the gate recorded them")


class GateBatchItemOut(BaseModel):
    # A plain pydantic model (not a ninja Schema, which wraps every object it reads): 5,000 results are
    # validated in milliseconds rather than half a second.
    model_config = ConfigDict(from_attributes=True)

    client_uuid: str | None = Field(None, description="as sent; left out when the item carried no UUID string")
    status: Literal["created", "duplicate", "rejected", "unmatched"] = Field(
        description="unmatched: an exit that matches no open entry (nothing written)")
    decision: Literal["admit", "refuse"] | None = Field(None, description="what the rules decide (stored)")
    reason: str | None = None
    disagreement: bool | None = Field(None, description="the gate's decision differs from the rules': the site's "
                                                        "managers are alerted")
    errors: list[GateItemError] | None = Field(None, description="for a rejected item (or an unmatched exit): "
                                                                 "each field and why")
    entry_id: int | None = Field(None, description="for an exit: the entry whose stay it ends (or ended)")


class GateBatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"results": [
        {"client_uuid": EXAMPLE_UUID, "status": "created", "decision": "admit", "reason": "ok",
         "disagreement": False},
        {"client_uuid": "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b", "status": "created", "decision": "refuse",
         "reason": "fever", "disagreement": False},
        {"client_uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "status": "rejected",
         "errors": [{"field": "temperature", "message": "98.6 looks like degrees Fahrenheit. Type the temperature "
                                                        "in °C (98.6 °F is 37.0 °C)."}]},
        {"client_uuid": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "status": "duplicate", "decision": "admit",
         "reason": "ok", "disagreement": False},
        {"client_uuid": "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99", "status": "created", "entry_id": 1001},
    ]}]})

    results: list[GateBatchItemOut] = Field(description="one per item, in the order sent")


class GateSiteOut(Schema):
    id: int
    name: str
    is_active: bool
    closed_since: date | None = Field(description="closed management since this day (null: open)")
    visitor_policy: str = Field(description="allowed, appointment or none")
    fever_threshold: str = Field(description="°C; a temperature at or above it is a fever")
    clock_skew_seconds: int = Field(description="how far in the future a check-in's time may be")
    max_batch: int = Field(description="the most check-ins one batch may hold")


class GatePersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    relation: str = Field(description="inmate, resident, staff, worker or visitor")
    since: date | None = Field(description="for a visitor by appointment: the day of the visit")
    until: date | None
    pass_code: str | None = Field(description="what the person's pass card encodes (null for a visitor)")
    isolated: bool = Field(description="under an active isolation order now: the gate refuses them")
    on_duty: bool | None = Field(None, description="for staff of a site under closed management while a closed-duty "
                                                   "rotation is on duty today: whether they are in it (the gate "
                                                   "refuses the others); null otherwise")


class GatePeopleOut(Schema):
    items: list[GatePersonOut]
    count: int


class GatePeopleQuery(Schema):
    limit: Annotated[int, Field(ge=1, le=PEOPLE_MAX_LIMIT), BeforeValidator(whole_number)] = settings.PAGE_SIZE
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET), BeforeValidator(whole_number)] = 0


# Helpers -----------------------------------------------------------------------------------


def _device(request) -> GateDevice:
    return request.auth


def _person(request, site, person_id: int | None, code: str | None) -> tuple[Person, str]:
    """The person a device names, and the field it named them by. Unknown: 404 naming that field."""
    if person_id is not None and code:
        raise DomainError(_("Give person_id or code, not both."), field="person_id")
    if person_id is not None:
        # Only the site's own people and its registered visitors: a gate cannot probe the city's ids.
        person = request.gate_person  # read with the device (gate_entry_auth), or not read yet
        if person is None or person.pk != person_id:
            person = selectors.site_person(site=site, person_id=person_id)
        if person is None:
            raise selectors.unidentified("not_here", "person_id", status=404)
        return person, "person_id"
    if code and code.strip():
        # A pass's person may have been read with the device; identify still checks the pass is this site's.
        return selectors.person_identify(site=site, code=code, known=request.gate_person), "code"
    raise DomainError(_("Give person_id (one of the site's people) or code (a pass or an ID number)."),
                      field="person_id")


def _resolved(request, site, person_id: int | None, code: str | None) -> tuple[selectors.Resolved, str]:
    """Whom a device names, as the gate page resolves them (selectors.gate_resolve): a person with
    their relation to the site, or an ID number nobody has registered yet."""
    try:
        person, named_by = _person(request, site, person_id, code)
    except DomainError as e:
        unknown = _unregistered(e, code)
        if unknown is None:
            raise
        return unknown, "code"
    return selectors.resolved_person(site=site, person=person), named_by


def _unregistered(error: DomainError, code: str | None) -> selectors.Resolved | None:
    """The ID number nobody has registered, when ``error`` is _person's 404 for one."""
    if error.status == 404 and code and not code.strip().startswith("ZTP1:"):
        return selectors.Resolved(person=None, id_number=check_id_number(code.strip()))
    return None


def _renamed(error: DomainError, names: dict[str, str]) -> DomainError:
    """The services' error with its fields named as this API's body names them."""
    errors = {}
    for field, messages in error.errors.items():
        errors.setdefault(names.get(field, field), []).extend(messages)
    return DomainError(error.message, errors=errors, status=error.status)


def _entry_out(entry: Entry, created: bool) -> dict[str, Any]:
    return {"entry_id": entry.pk, "decision": entry.decision, "reason": entry.reason,
            "reason_text": str(Reason(entry.reason).label), "created": created, "entered_at": entry.entered_at}


# Endpoints ---------------------------------------------------------------------------------


@router.get("/site", response=GateSiteOut, summary="The device's own site: its state and the screening settings")
def gate_site(request):
    site = _device(request).site
    return {"id": site.pk, "name": site.name, "is_active": site.is_active, "closed_since": site.closed_since,
            "visitor_policy": site.visitor_policy, "fever_threshold": str(rules.fever_threshold(site)),
            "clock_skew_seconds": settings.CLOCK_SKEW_SECONDS, "max_batch": sync.MAX_BATCH}


ENTRY = {"response": {200: GateEntryOut, 201: GateEntryOut}, "auth": [gate_entry_auth],
         "summary": "One entry: the decision at once (201; 200 with created=false for a repeated client UUID)"}
ENTRY_BATCH = {"response": GateBatchOut, "exclude_none": True,
               "summary": "Entries and exits an offline gate recorded: each entry is stored with the gate's own "
                          "decision, checked again by the rules, and any disagreement alerted; each exit ends "
                          "the stay it matches"}


@router.post("/identify", response=GateIdentifyOut,
             summary="Who a pass or an ID number is here, and whether the site refuses them whatever their "
                     "temperature (a visitor under closed management or where visitors are not received)")
def gate_identify(request, payload: GateIdentifyIn):
    site = _device(request).site
    resolved, _named_by = _resolved(request, site, payload.person_id, payload.code)
    refusal = services.gate_refusal(site=site, resolved=resolved)
    person = resolved.person
    # A stranger's name is not the gate's to read; one of the site's people's, now or before, is.
    shown = person is not None and (resolved.relation is not None or resolved.former_until is not None)
    return {"person_id": person.pk if person else None, "name": person.name if shown else None,
            "id_number_masked": person.id_number_masked if person else None, "relation": resolved.relation,
            "former_until": resolved.former_until,
            "registered": person is not None, "refused": refusal is not None, "reason": refusal,
            "reason_text": str(Reason(refusal).label) if refusal else None}


@router.post("/entries", **ENTRY)
def gate_entry(request, payload: GateEntryIn):
    device = _device(request)
    site = device.site
    try:
        person, named_by = _person(request, site, payload.person_id, payload.code)
    except DomainError as e:
        unknown = _unregistered(e, payload.code)
        if unknown is None:
            raise
        return _refused_visitor(device, unknown, payload)
    try:
        screened = services.entry_screen(
            actor=services.Actor(device=device), site=site, person=person, temperature=payload.temperature,
            at=payload.at, area=payload.area_id, client_uuid=payload.client_uuid, source=Entry.Source.API,
            visit_host=payload.visit_host, visit_purpose=payload.visit_purpose,
        )
    except DomainError as e:
        raise _renamed(e, {"area": "area_id", "person": named_by}) from None
    # A client UUID of another site's or person's check-in is entry_screen's 409 (it shows nothing of it).
    return Status(201 if screened.created else 200, _entry_out(screened.entry, screened.created))


def _refused_visitor(device: GateDevice, resolved: selectors.Resolved, payload: GateEntryIn):
    """An ID number nobody has registered: at a site that refuses visitors, the refusal is recorded
    under the name sent (a person with no relation to the site); elsewhere the gate screen registers
    the visitor, as before."""
    site = device.site
    refusal = services.gate_refusal(site=site, resolved=resolved)
    if refusal is None:
        raise selectors.unidentified("unregistered", "code", status=404)
    if not (payload.name or "").strip():
        raise DomainError(_("%(reason)s: refuse them. Send their name to record the refusal.")
                          % {"reason": Reason(refusal).label}, field="name")
    try:
        screened = services.entry_screen_at_gate(
            actor=services.Actor(device=device), site=site, resolved=resolved, temperature=payload.temperature,
            area=payload.area_id, client_uuid=payload.client_uuid, source=Entry.Source.API, at=payload.at,
            visitor={"name": payload.name, "phone": payload.phone})
    except DomainError as e:
        raise _renamed(e, {"area": "area_id", "person": "code"}) from None
    return Status(201 if screened.created else 200, _entry_out(screened.entry, screened.created))


# The operationId this operation was published with, before its handler was named after the exit.
@router.post("/exits", response=GateExitOut, operation_id="zhengtong_screening_api_check_out",
             summary="An exit: closes the person's open stay (twice changes nothing)")
def gate_exit(request, payload: GateExitIn):
    device = _device(request)
    person, named_by = _person(request, device.site, payload.person_id, payload.code)
    try:
        stay = services.exit_record(actor=services.Actor(device=device), site=device.site, person=person,
                                    at=payload.at)
    except DomainError as e:
        raise _renamed(e, {"person": named_by}) from None
    return {"entry_id": stay.pk, "entered_at": stay.entered_at, "left_at": stay.left_at}


@router.post("/entries/batch", **ENTRY_BATCH)
def gate_entry_batch(request, payload: GateBatchIn):
    results = sync.entries_sync(device=_device(request), items=payload.items)
    return {"results": results}


# Published paths of gate devices, before the entry had one name: the same handlers, authentication and
# answers; deprecated in the OpenAPI document, under the operationIds they were published with.
# old path: (new path, handler, its options, the old operation's name)
ALIASES = {
    "/check-ins": ("/entries", gate_entry, ENTRY, "check_in"),
    "/check-ins/batch": ("/entries/batch", gate_entry_batch, ENTRY_BATCH, "check_in_batch"),
}


def _add_alias(old: str, new: str, handler, options: dict, name: str) -> None:
    summary = f"{options['summary']} (deprecated: the old path of /api/gate{new})"
    router.add_api_operation(old, ["POST"], handler, **{**options, "summary": summary}, deprecated=True,
                             operation_id=f"zhengtong_screening_api_{name}", url_name=name)


for _old, _alias in ALIASES.items():
    _add_alias(_old, *_alias)


@router.get("/people", response=GatePeopleOut,
            summary="The site's own people (and its registered visitors) for offline use, by id, paged")
def gate_people(request, page: Query[GatePeopleQuery]):
    site = _device(request).site
    today = timezone.localdate()
    qs = (SitePerson.objects.filter(site=site).filter(SitePerson.in_force_q(today))
          .select_related("person").only("relation", "since", "until", "person__name", "person__id_number_masked")
          .order_by("person_id"))
    count = qs.count()
    rows = list(qs[page.offset:page.offset + page.limit])
    isolated = ports.isolated_at([r.person_id for r in rows], timezone.now()) if rows else set()
    staff = [r for r in rows if r.relation == SitePerson.Relation.STAFF]
    duty = rotations.rosters(site=site, first=today, last=today) if staff and site.is_closed_on(today) else []
    items = [{
        "id": r.person_id, "name": r.person.name, "id_number_masked": r.person.id_number_masked,
        "relation": r.relation, "since": r.since, "until": r.until,
        "pass_code": pass_code(site_id=site.pk, person_id=r.person_id) if r.relation in SitePerson.BELONGS else None,
        "isolated": r.person_id in isolated,
        "on_duty": rotations.duty_in(duty, r.person_id, today) if r.relation == SitePerson.Relation.STAFF else None,
    } for r in rows]
    return {"items": items, "count": count}
