"""Cases, their contacts and isolation orders over REST, under /api/outbreak/.

Thin, over the services and selectors the outbreak pages use (zhengtong.outbreak.services,
isolation, tracing, selectors), so that the API and the pages never disagree about who sees and
does what (zhengtong.accounts.scopes):

* cases and isolation orders are seen as on the pages (``scopes.cases_q``): the city administrator
  all, a county officer the county's, a site manager those of the site; anything else answers 404;
* a county officer of the case's county (or the city administrator) moves a case and traces it;
* every answer that shows a case, a trace or an isolation order writes an access record.

People are named by their registry id (``person_id``, as /api/people); a county by its GB/T 2260 code.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer

from zhengtong.core.access import Kind, Subject, record_view
from zhengtong.core.errors import DomainError
from zhengtong.core.schemas import Filters, Id, In, IsoDate, Name, Out, Pagination, Text, codes_of
from zhengtong.outbreak import isolation, selectors, services, tracing
from zhengtong.outbreak.models import Case, CaseStatus, IsolationOrder, IsolationPlace, IsolationReason, IsolationStatus
from zhengtong.registry.models import Region

router = Router(tags=["outbreak"])


if TYPE_CHECKING:
    CaseStatusCode: TypeAlias = str
    ReportStatus: TypeAlias = str
    CaseAction: TypeAlias = str
    ReasonCode: TypeAlias = str
    PlaceCode: TypeAlias = str
    OrderStatus: TypeAlias = str
else:
    CaseStatusCode = codes_of(CaseStatus)
    ReportStatus = Literal[tuple(services.REPORTABLE)]
    CaseAction = Literal[tuple(services.CASES.moves)]
    ReasonCode = codes_of(IsolationReason)
    PlaceCode = codes_of(IsolationPlace)
    OrderStatus = codes_of(IsolationStatus)

Note = Annotated[Text, Field(max_length=2000)]


def _county_pk(code: str | None, field: str = "county") -> int | None:
    """A county named by its GB/T 2260 code, as the registry's endpoints name it."""
    if code in (None, ""):
        return None
    pk = Region.objects.filter(code=code, level__in=Region.COUNTY_LEVELS).values_list("pk", flat=True).first()
    if pk is None:
        raise DomainError(_("No county of the city has this code."), field=field)
    return pk


def _person(user, person_id: int, field: str = "person_id"):
    try:
        return selectors.reportable_person(user=user, pk=person_id)
    except Http404:
        raise DomainError(_("No person with this id among those you see."), field=field) from None


# Cases -------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    id_number_masked: str
    status: CaseStatusCode
    onset_date: date | None
    sample_date: date | None = Field(description="for a case without symptoms: the day of the positive sample")
    symptoms: str
    where_found: str
    site_id: int | None
    site_name: str | None
    county: str = Field(description="GB/T 2260 code of the county that handles the case")
    county_name: str
    reported_at: datetime

    @staticmethod
    def resolve_person_name(obj: Case) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number_masked(obj: Case) -> str:
        return obj.person.id_number_masked

    @staticmethod
    def resolve_site_name(obj: Case) -> str | None:
        return obj.site.name if obj.site is not None else None

    @staticmethod
    def resolve_county(obj: Case) -> str:
        return obj.county.code

    @staticmethod
    def resolve_county_name(obj: Case) -> str:
        return obj.county.name


class CaseMoveOut(Schema):
    action: str = Field(description="report, or one of the moves: " + ", ".join(services.CASES.moves))
    from_status: CaseStatusCode | None
    to_status: CaseStatusCode
    at: datetime
    by: str
    reason: str

    @staticmethod
    def resolve_from_status(obj) -> str | None:
        return obj.from_status or None

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.get_username() if obj.by_id else ""


class CaseFilters(Filters):
    status: CaseStatusCode | None = None
    county: Text | None = Field(None, description="GB/T 2260 code")
    site_id: Id | None = None
    q: Text | None = Field(None, description="words of the person's name")


class CaseIn(In):
    person_id: Id
    onset_date: IsoDate | None = Field(None, description="the first day of symptoms")
    sample_date: IsoDate | None = Field(None, description="for a case without symptoms: the day of the positive sample")
    status: ReportStatus = Field("suspected", description="confirmed only by the county's officers (a laboratory's "
                                                          "result)")
    site_id: Id | None = Field(None, description="the site where the case was found (its county handles it)")
    county: Text | None = Field(None, description="GB/T 2260 code of the county that handles a case found outside "
                                                  "any site (default: the officer's only county)")
    symptoms: Annotated[Text, Field(max_length=500)] = ""
    where_found: Annotated[Text, Field(max_length=200)] = ""
    reason: Note = ""


class CaseMoveIn(In):
    action: CaseAction = Field(description="confirm, exclude (from suspected); recover, die (from confirmed); "
                                           "correct (back to suspected)")
    reason: Name = Field(max_length=2000, description="why: every move keeps its reason")


@router.get("/cases", response=list[CaseOut], summary="Cases the caller sees, newest first")
@paginate(Pagination)
def list_cases(request, filters: Query[CaseFilters]):
    if filters.county:
        county = Region.objects.filter(code=filters.county).values_list("pk", flat=True).first() or -1
    else:
        county = None
    qs = selectors.case_list(user=request.auth, status=filters.status or "", county=county, q=filters.q or "")
    if filters.site_id is not None:
        qs = qs.filter(site_id=filters.site_id)
    record_view(request, kind=Kind.CASE, subject=Subject.listing(_("Cases")),
                detail=filters.as_detail())
    return qs


@router.get("/cases/{case_id}", response=CaseOut, summary="One case")
def get_case(request, case_id: Id):
    case = selectors.case_get(user=request.auth, pk=case_id)
    record_view(request, kind=Kind.CASE, subject=Subject.of(case))
    return case


@router.post("/cases", response={201: CaseOut}, summary="Report a case (suspected, or confirmed by a laboratory)")
def report_case(request, payload: CaseIn):
    """A person has one open case at a time: a second report answers 409 and names the open one."""
    person = _person(request.auth, payload.person_id)
    data = payload.dict(exclude={"person_id", "site_id", "county"})
    data["site"] = payload.site_id
    data["county"] = _county_pk(payload.county)
    case = services.case_report(user=request.auth, person=person, data=data)
    return Status(201, selectors.case_get(user=request.auth, pk=case.pk))


@router.get("/cases/{case_id}/moves", response=list[CaseMoveOut], summary="A case's history: its report and moves")
def list_case_moves(request, case_id: Id):
    case = selectors.case_get(user=request.auth, pk=case_id)
    record_view(request, kind=Kind.CASE, subject=Subject.of(case))
    return list(selectors.case_moves(case=case))


@router.post("/cases/{case_id}/moves", response={201: CaseOut}, summary="Move a case, with the reason")
def move_case(request, case_id: Id, payload: CaseMoveIn):
    """409 when the move is not allowed from the case's state (or would open a second case)."""
    case = selectors.case_get(user=request.auth, pk=case_id)
    services.case_move(user=request.auth, case=case, action=payload.action, reason=payload.reason)
    return Status(201, selectors.case_get(user=request.auth, pk=case.pk))


# Contacts --------------------------------------------------------------------------------


class ContactPlaceOut(Out):
    site_id: int
    site_name: str
    area_id: int | None = Field(description="null: the site's gate (a site that records no areas)")
    area_name: str | None
    minutes: int


class ContactOut(Out):
    person_id: int
    name: str = Field(description="masked for a person outside the caller's scope: refer them to their county")
    id_number_masked: str
    in_scope: bool = Field(description="false: outside the caller's scope; their county's officers isolate them")
    overlap_minutes: int = Field(description="minutes of overlap, summed across stays and sites")
    first_exposure: datetime | None
    estimated: bool = Field(description="an overlap relies on a stay with no exit, ended by the maximum-stay rule")
    degree: int = Field(description="1: a contact of the case; 2: a contact of a contact")
    via_person_id: int | None = Field(description="for the second degree: the first-degree contact met")
    sites: list[ContactPlaceOut]


class TraceOut(Out):
    case_id: int
    window_start: datetime
    window_end: datetime
    lookback_days: int
    min_overlap_minutes: int
    degree: int
    contacts: list[ContactOut]


class TraceParams(Filters):
    min_overlap_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = tracing.DEFAULT_MIN_OVERLAP
    lookback_days: Annotated[int, Field(ge=0, le=60)] = tracing.DEFAULT_LOOKBACK_DAYS
    degree: Annotated[int, Field(ge=1, le=2)] = 1


def _contact(c: tracing.Contact) -> dict[str, Any]:
    return {
        "person_id": c.person_id, "name": c.name, "id_number_masked": c.id_number_masked, "in_scope": c.in_scope,
        "overlap_minutes": c.overlap_minutes, "first_exposure": c.first_exposure, "estimated": c.estimated,
        "degree": c.degree, "via_person_id": c.via_person_id,
        "sites": [{"site_id": p.site_id, "site_name": p.site, "area_id": p.area_id, "area_name": p.area or None,
                   "minutes": int(p.minutes)} for p in sorted(c.places.values(), key=lambda p: -p.minutes)],
    }


@router.get("/cases/{case_id}/contacts", response=TraceOut, summary="Trace a case's contacts from the gate's entries",
            openapi_extra={"responses": {"400": {"description": "A window the entries kept cannot cover; errors "
                                                                "name the field"}}})
def case_contacts(request, case_id: Id, params: Query[TraceParams]):
    """Everyone whose stay overlapped the case's stays at the same site and area, from
    ``lookback_days`` before onset until the case's isolation, with at least ``min_overlap_minutes``
    in all, ranked by minutes. A window reaching before the entries kept answers 400 on
    ``lookback_days``. Only a county officer of the case's county or the city administrator traces
    (403)."""
    case = selectors.case_to_trace(user=request.auth, pk=case_id)
    read = tracing.params_read(params.dict())
    result = tracing.case_trace(user=request.auth, case=case, params=read)
    record_view(request, kind=Kind.TRACE, subject=Subject.of(case),
                detail=f"lookback_days={read.lookback_days}; min_overlap_minutes={read.min_overlap_minutes}; "
                       f"degree={read.degree}")
    return trace_response(request, trace_body(case, read, result))


def trace_body(case: Case, read: tracing.Params, result: tracing.TraceResult) -> dict[str, Any]:
    """The trace's answer as ``TraceOut`` gives it: its fields in the schema's order, each value of its
    type already (a test checks that validating it through ``TraceOut`` changes nothing)."""
    return {"case_id": case.pk, "window_start": result.start, "window_end": result.end,
            "lookback_days": read.lookback_days, "min_overlap_minutes": read.min_overlap_minutes,
            "degree": read.degree, "contacts": [_contact(c) for c in result.contacts]}


_RENDERER = JSONRenderer()


def trace_response(request, body: dict[str, Any]) -> HttpResponse:
    """The trace's answer written as the API writes its answers (ninja's JSON renderer, its content type)
    without validating it through ``TraceOut`` again: built from the trace's typed results, it is
    already what the schema says (the same bytes as the API's validated answer, tested), and a trace of
    60 contacts spent ~0.3 ms in the validation and its model dump (issue 18's API goal)."""
    return HttpResponse(_RENDERER.render(request, body, response_status=200),
                        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}")


# Isolation orders ----------------------------------------------------------------------------


class IsolationOut(Schema):
    id: int
    person_id: int
    person_name: str
    reason: ReasonCode
    place: PlaceCode
    site_id: int | None
    place_note: str
    case_id: int | None
    county: str = Field(description="GB/T 2260 code of the county whose officers release the order")
    status: OrderStatus
    start: datetime
    planned_end: date
    released_at: datetime | None
    early_release_asked: bool

    @staticmethod
    def resolve_person_name(obj: IsolationOrder) -> str:
        return obj.person.name

    @staticmethod
    def resolve_county(obj: IsolationOrder) -> str:
        return obj.county.code

    @staticmethod
    def resolve_early_release_asked(obj: IsolationOrder) -> bool:
        return obj.early_requested_by_id is not None


class IsolationFilters(Filters):
    status: OrderStatus | None = Field(None, description="default: all")
    reason: ReasonCode | None = None
    q: Text | None = Field(None, description="words of the person's name")


class IsolationIn(In):
    person_ids: list[Id] = Field(min_length=1, max_length=500,
                                 description="one person or many, ordered on the same terms")
    reason: ReasonCode
    place: PlaceCode
    site_id: Id | None = Field(None, description="where the person is isolated (place site), or the site the "
                                                 "order belongs to")
    place_note: Annotated[Text, Field(max_length=200)] = Field("", description="the hotel or the address")
    case_id: Id | None = Field(None, description="the case the people were in contact with")
    county: Text | None = Field(None, description="GB/T 2260 code of the county whose officers release the "
                                                  "order (default: the site's, the case's, or the officer's only)")
    start: datetime | None = Field(None, description="default: now")
    planned_end: IsoDate | None = Field(None, description="default: the start's day plus the city's isolation days")
    note: Note = ""


class ErrorItemOut(Schema):
    field: str
    message: str


class OrderResultOut(Schema):
    person_id: int
    status: int = Field(description="201 ordered; 404 no such person among those the caller sees; 409 already in "
                                    "isolation")
    order: IsolationOut | None
    errors: list[ErrorItemOut]


class OrderResultsOut(Schema):
    ordered: int
    refused: int
    results: list[OrderResultOut]


class ReleaseIn(In):
    note: Note = ""


@router.get("/isolations", response=list[IsolationOut], summary="Isolation orders the caller sees, by planned end")
@paginate(Pagination)
def list_isolations(request, filters: Query[IsolationFilters]):
    qs = selectors.isolation_list(user=request.auth, status=filters.status or "all", reason=filters.reason or "",
                                  q=filters.q or "")
    record_view(request, kind=Kind.ISOLATION, subject=Subject.listing(_("Isolation orders")),
                detail=filters.as_detail())
    return qs


@router.get("/isolations/{order_id}", response=IsolationOut, summary="One isolation order")
def get_isolation(request, order_id: Id):
    order = selectors.isolation_get(user=request.auth, pk=order_id)
    record_view(request, kind=Kind.ISOLATION, subject=Subject.of(order))
    return order


@router.post("/isolations", response={200: OrderResultsOut}, summary="Order isolation for one person or many")
def order_isolation(request, payload: IsolationIn):
    """The terms (reason, place, site, dates, county) are checked once: a refusal of them is the
    whole answer's 400 (or 403 where the caller may not order isolation). Then each person on their
    own, in ``results``: one refusal (no such person, already in isolation) never sinks the others."""
    data = payload.dict(exclude={"person_ids", "site_id", "case_id", "county"})
    data.update(site=payload.site_id, case=payload.case_id, county=_county_pk(payload.county))
    ids = list(dict.fromkeys(payload.person_ids))
    people = {p.pk: p for p in selectors.reportable_people(user=request.auth, ids=ids)}
    outcome = isolation.isolation_order_many(user=request.auth, people=[people[i] for i in ids if i in people],
                                             data=data)
    results: list[dict[str, Any]] = []
    for pk in ids:
        done = outcome.get(pk)
        if done is None:
            results.append({"person_id": pk, "status": 404, "order": None, "errors": [
                {"field": "person_ids", "message": _("No person with this id among those you see.")}]})
        elif done.order is not None:
            results.append({"person_id": pk, "status": 201, "order": done.order, "errors": []})
        else:
            assert done.error is not None
            results.append({"person_id": pk, "status": done.error.status, "order": None,
                            "errors": done.error.as_list()})
    ordered = sum(1 for r in results if r["order"] is not None)
    return {"ordered": ordered, "refused": len(results) - ordered, "results": results}


@router.post("/isolations/{order_id}/release", response=IsolationOut, summary="Release a person from isolation")
def release_isolation(request, order_id: Id, payload: ReleaseIn):
    """On or after the planned end, with no fever in the city's fever-free days and a check on or
    after the end: otherwise 409, each reason on ``release``. Only a county officer of the order's
    county or the city administrator (403). An early release is asked and approved on the page."""
    order = selectors.isolation_get(user=request.auth, pk=order_id)
    return isolation.isolation_release(user=request.auth, order=order, note=payload.note)
