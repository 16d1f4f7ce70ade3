"""Permits over REST, under /api/permits/: a unit's class and the facts it declares, its applications
(a draft, its outlets and limits, submission), its permits and registrations, the public search,
compliance reports (read and filed) and enforcement cases (read).

Thin by design, over the selectors the permit pages read, so that the API and the pages never
disagree about who sees what (zhengtong.accounts.scopes):

* a unit's class and its permits are public for whoever sees the unit;
* its applications (with their statutory clocks) are for the unit's clerk, the permit reviewers of
  its region, its county officer and the city (``scopes.permit_work_units_q``).

Anything outside the caller's scope answers 404, exactly like a record that does not exist. The
unit's own clerk declares facts, starts, fills and submits applications and files reports (403 for
others who see the unit); a unit's classification shows the keys of the facts still missing, never
the values declared.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhengtong.core.schemas import Filters, Flag, Id, In, IsoDate, Name, Pagination, Patch, Text, codes_of
from zhengtong.permits import compliance, selectors, services, workflow
from zhengtong.permits.classification import GENERAL_ONLY
from zhengtong.permits.models import Application, Classification, ManagementClass, Permit
from zhengtong.registry import selectors as registry_selectors

router = Router(tags=["permits"])

CLASS_DOC = ("key, simplified, registration, none (not in the catalogue), undetermined (facts missing) or review "
             "(the catalogue's text leaves it open: a permit reviewer decides)")


if TYPE_CHECKING:  # for mypy: codes are text; pydantic reads the Literal types built below
    ClassCode: TypeAlias = str
    ApplicationKind: TypeAlias = str
    ApplicationStatus: TypeAlias = str
    PermitStatus: TypeAlias = str
else:
    ClassCode = codes_of(ManagementClass)
    ApplicationKind = codes_of(Application.Kind)
    ApplicationStatus = codes_of(Application.Status)
    PermitStatus = codes_of(Permit.Status)


# Classification --------------------------------------------------------------------------


class CatalogueRowOut(Schema):
    row: int = Field(description="row number in the 2019 catalogue (1–112)")
    section: str
    industry: str = Field(description="the row's industry category, as printed")
    text: str = Field(description="the row's cell for the unit's class, as printed")


class OpenReadingOut(Schema):
    reading: str = Field(description="the open place of the catalogue's text (the rules file's [readings])")
    key: str = Field(description="the open point for this unit: the reading and the facts it rests on")
    chosen: Literal["a", "b"] | None = Field(description="the reading a permit reviewer chose; null: needs review")


class ClassificationOut(Schema):
    unit: int
    fixed_source: int = Field(description="the unit's fixed source (its location) by its HJ 608 sequence number, 1 "
                                          "for 001: each location has its own facts and class")
    management_class: ClassCode = Field(description=CLASS_DOC)
    at_least: ClassCode | None = Field(
        description="while undetermined: the class the unit has at least, whatever the missing facts say")
    general_processes_only: bool = Field(
        description="the permit or registration covers only the general processes (catalogue Arts. 6–7)")
    deciding_row: CatalogueRowOut | None = Field(description="the catalogue row that decided the class")
    missing_facts: list[str] = Field(description="keys of the facts still needed to decide (never their values); a "
                                               "year of a note 2 quantity is `fact__2023`, its EIA figure `fact__eia`; "
                                               "a fact of one industry line carries the line's code: "
                                               "`1511:has_fermentation`")
    open_readings: list[OpenReadingOut] = Field(
        description="where the catalogue's text leaves the class open (management_class review until decided)")
    catalogue_edition: str
    classified_at: datetime


def _classification(classification: Classification) -> dict:
    entry = selectors.deciding_entry(classification)
    row = None
    if entry is not None:
        cell = getattr(entry, f"{classification.management_class}_text", "")
        row = {"row": entry.row, "section": entry.section, "industry": entry.industry_text, "text": cell}
    return {
        "unit": classification.unit_id, "fixed_source": classification.source,
        "management_class": classification.management_class,
        "at_least": classification.at_least or None,
        "general_processes_only": classification.scope == GENERAL_ONLY,
        "deciding_row": row, "missing_facts": list(classification.missing),
        "open_readings": [{"reading": p["reading"], "key": p["key"], "chosen": p["chosen"] or None}
                          for p in classification.open_readings],
        "catalogue_edition": classification.catalogue_version, "classified_at": classification.classified_at,
    }


SourceNumber = Annotated[int, Field(ge=1, le=999, description="the unit's fixed source by its sequence number "
                                                              "(1 for 001, the default)")]


@router.get("/units/{unit_id}/classification", response=ClassificationOut,
            summary="A fixed source's management class, the catalogue row that decided it and the facts it lacks")
def get_classification(request, unit_id: Id, fixed_source: SourceNumber = 1):
    """Public for whoever sees the unit. 404 also when the unit (or that fixed source) has not been
    classified yet."""
    return _classification(selectors.classification_get(user=request.auth, unit_pk=unit_id, source=fixed_source))


class FixedSourceOut(Schema):
    fixed_source: int = Field(description="the HJ 608 sequence number (1 for 001): the `fixed_source` the facts, "
                                          "classification and application endpoints take")
    address: str
    industry_codes: list[str] = Field(description="the unit's industry lines carried on at this location")
    management_class: ClassCode | None = Field(description=CLASS_DOC + "; null: not classified yet")


@router.get("/units/{unit_id}/sources", response=list[FixedSourceOut],
            summary="A unit's fixed sources (its locations), each with its industries and class")
def list_sources(request, unit_id: Id):
    """For whoever sees the unit, as its classification. Source 1 is always listed: the unit's first
    location, numbered 001 when it first files."""
    unit = registry_selectors.unit_get(user=request.auth, pk=unit_id)
    return [{"fixed_source": s["sequence"], "address": s["address"] or "", "industry_codes": s["codes"],
             "management_class": s["classification"].management_class if s["classification"] else None}
            for s in selectors.unit_sources(unit)]


# Applications ----------------------------------------------------------------------------


class ClockOut(Schema):
    kind: Literal["acceptance_notice", "decision", "certificate"] = Field(
        description="acceptance_notice: the notice of missing materials; decision; certificate")
    status: Literal["running", "due_soon", "paused", "stopped", "overdue"] = Field(
        description="stopped: decided in time; overdue: the limit has passed, decided or not")
    started: date
    due: date
    basis: Literal["working", "calendar"] = Field(description="working or calendar days")
    limit_days: int
    extension_days: int
    used: int = Field(description="days counted so far, pauses excluded")
    remaining: int = Field(description="days left until due, never negative")
    article: str = Field(description="the law and article that set the limit")
    limit_confirmed: bool = Field(description="false: the limit is a setting, not a text we hold")
    calendar_confirmed: bool = Field(description="false: the due date rests on an unconfirmed holiday calendar")


class OfFixedSource(Schema):
    """What an application and a permit say of the fixed source they belong to (HJ 608: one unit at one
    site, numbered 001, 002 … per unit)."""

    id: int
    unit: int
    unit_name: str
    fixed_source: str = Field(description="HJ 608 sequence of the unit's fixed source, 001, 002 …")

    @staticmethod
    def resolve_unit(obj: Application | Permit) -> int:
        return obj.fixed_source.unit_id

    @staticmethod
    def resolve_unit_name(obj: Application | Permit) -> str:
        return obj.fixed_source.unit.name

    @staticmethod
    def resolve_fixed_source(obj: Application | Permit) -> str:
        return f"{obj.fixed_source.sequence:03d}"


class ApplicationOut(OfFixedSource):
    kind: ApplicationKind
    version: int
    status: ApplicationStatus
    management_class: ClassCode = Field(description=CLASS_DOC)
    previous: int | None = Field(description="the earlier version this one completes")
    renews: int | None = Field(description="the permit renewed or changed")
    permit: int | None = Field(description="the permit issued on it")
    created_at: datetime
    submitted_at: datetime | None
    received_on: date | None
    accepted_on: date | None
    deemed_accepted: bool = Field(description="accepted by law: no notice of missing materials within the limit")
    extension_days: int
    public_notice_from: date | None
    public_notice_to: date | None
    decided_on: date | None
    clock: ClockOut | None = Field(description="the statutory clock the application is on today, as its page shows")

    @staticmethod
    def resolve_previous(obj: Application) -> int | None:
        return obj.previous_id

    @staticmethod
    def resolve_renews(obj: Application) -> int | None:
        return obj.renews_id

    @staticmethod
    def resolve_permit(obj: Application) -> int | None:
        permit = getattr(obj, "permit", None)  # the reverse one-to-one raises when there is none
        return permit.pk if permit is not None else None

    @staticmethod
    def resolve_clock(obj: Application) -> dict | None:
        clock = selectors.application_clock(obj, timezone.localdate())
        if clock is None:
            return None
        state = clock["state"]
        return {
            "kind": clock["kind"], "status": clock["status"], "started": state.started, "due": state.due,
            "basis": clock["basis"], "limit_days": state.limit_days, "extension_days": state.extension_days,
            "used": state.used, "remaining": state.remaining, "article": clock["article"],
            "limit_confirmed": clock["limit_confirmed"], "calendar_confirmed": state.confirmed,
        }




@router.get("/units/{unit_id}/applications", response=list[ApplicationOut],
            summary="A unit's permit applications, newest first, with their statutory clocks")
@paginate(Pagination)
def list_unit_applications(request, unit_id: Id):
    """For the unit's clerk, the permit reviewers of its region, its county officer and the city;
    404 for anyone else. Versions superseded by a completion are left out."""
    unit = selectors.permit_work_unit_get(user=request.auth, pk=unit_id)
    return selectors.unit_applications(unit).select_related("fixed_source__unit", "permit")


@router.get("/applications/{application_id}", response=ApplicationOut, summary="One permit application")
def get_application(request, application_id: Id):
    """For the unit's clerk, the permit reviewers of its region, its county officer and the city."""
    return selectors.application_get(user=request.auth, pk=application_id)


# Permits ---------------------------------------------------------------------------------


class PermitOut(OfFixedSource):
    number: str = Field(description="the permit number Zhengtong minted (fixed-source code)")
    national_number: str = Field(description="the number issued by the national platform, as given; may be empty")
    management_class: ClassCode = Field(description=CLASS_DOC)
    status: PermitStatus
    decided_on: date
    valid_from: date
    valid_until: date
    validity_basis: str = Field(description="the rule that set the term")
    ended_on: date | None = Field(description="when a revoked, cancelled or replaced permit ended")


@router.get("/units/{unit_id}/permits", response=list[PermitOut], summary="A unit's permits, newest first")
@paginate(Pagination)
def list_unit_permits(request, unit_id: Id):
    """Public for whoever sees the unit, ended permits included."""
    unit = registry_selectors.unit_get(user=request.auth, pk=unit_id)
    return selectors.unit_permits(unit).select_related("fixed_source__unit")


@router.get("/permits/{permit_id}", response=PermitOut, summary="One permit")
def get_permit(request, permit_id: Id):
    """Public for whoever sees the permit's unit."""
    return selectors.permit_public_get(user=request.auth, pk=permit_id)



# Facts -----------------------------------------------------------------------------------

FactValue = Annotated[Flag | int | float | Text, Field(union_mode="left_to_right")]


class FactsIn(In):
    facts: dict[Annotated[str, Field(min_length=1, max_length=70)], FactValue | None] = Field(
        description="fact keys (as `missing_facts` names them) and their values; null or an empty text clears one. "
                    "The whole unit's facts (the key discharge list, the general processes, Art. 7's emissions, the "
                    "industrial building, the start of operation) without a code; an industry line's own facts as "
                    "`code:key` (`1511:has_fermentation`), or without the code where only one of the unit's lines "
                    "is asked the fact")
    replace: Flag = Field(False, description="true: the declared facts become exactly these")
    fixed_source: SourceNumber = Field(1, description="the fixed source (location) these facts are of, by its "
                                                      "sequence number: 1 for 001 (the default)")


@router.post("/units/{unit_id}/facts", response=ClassificationOut,
             summary="Declare a fixed source's facts; it is classified again at once")
def declare_facts(request, unit_id: Id, payload: FactsIn):
    """The unit's own clerk (or the city administrator): 403 for anyone else who sees the unit. An
    unknown key or a value of the wrong kind is a 400 naming the key; a fixed source the unit does
    not have is a 400 naming `fixed_source`."""
    unit = registry_selectors.unit_get(user=request.auth, pk=unit_id)
    services.unit_facts_save(user=request.auth, unit=unit, data={k: "" if v is None else v
                                                                 for k, v in payload.facts.items()},
                             replace=payload.replace, source=payload.fixed_source)
    return _classification(selectors.classification_get(user=request.auth, unit_pk=unit.pk,
                                                        source=payload.fixed_source))


# Applications: a draft, its outlets and limits, submission ---------------------------------


class ApplicationIn(In):
    kind: Literal["first", "reapply"] = Field("first", description="first, or reapply after an ended permit "
                                                                   "(renewals and changes are made on the page)")
    fixed_source: Annotated[int, Field(ge=1, le=999)] | None = Field(
        None, description="the unit's fixed source by its sequence (1 for 001); default: the first")


class LimitIn(In):
    pollutant: Name = Field(max_length=60)
    concentration: Annotated[Text, Field(max_length=30)] | None = Field(None, description="decimal, as text")
    concentration_unit: Annotated[Text, Field(max_length=20)] = Field(
        "", description="from the form's list (mg/m³, mg/L, kg/h; configuration, rule text not confirmed)")
    annual_quantity: Annotated[Text, Field(max_length=30)] | None = Field(None, description="t/a, decimal, as text")
    standard: Annotated[Text, Field(max_length=100)] = ""


class OutletIn(In):
    code: Name = Field(max_length=10, description="HJ 608-2017: D, then A (air) or W (water), then 3 digits")
    name: Name = Field(max_length=100)
    destination: Annotated[Text, Field(max_length=200)] = ""
    limits: list[LimitIn] = Field(max_length=200)


class FacilityIn(In):
    name: Name = Field(max_length=100)
    kind: Annotated[Text, Field(max_length=40)] = Field("", description="production or treatment")
    capacity: Annotated[Text, Field(max_length=60)] = ""


class ProductIn(In):
    name: Name = Field(max_length=100)
    capacity: Annotated[Text, Field(max_length=30)] | None = Field(None, description="decimal, as text")
    unit: Annotated[Text, Field(max_length=20)] = Field("", description="from the form's list (t/a, m³/a …)")


class MaterialIn(In):
    name: Name = Field(max_length=100)
    kind: Literal["", "raw", "auxiliary", "fuel"] = ""
    amount: Annotated[Text, Field(max_length=30)] | None = Field(None, description="per year, decimal, as text")
    unit: Annotated[Text, Field(max_length=20)] = Field("", description="from the form's list (t/a, m³/a …)")


Text30 = Annotated[Text, Field(max_length=30)]
Text50 = Annotated[Text, Field(max_length=50)]
Text200 = Annotated[Text, Field(max_length=200)]
Text2000 = Annotated[Text, Field(max_length=2000)]
Text5000 = Annotated[Text, Field(max_length=5000)]
Facilities = Annotated[list[FacilityIn], Field(max_length=200, description="the production and treatment "
                                                                        "facilities: they replace the draft's")]
Outlets = Annotated[list[OutletIn], Field(max_length=200, description="the outlets, each with its limits: they "
                                                                      "replace those of the draft")]


class ApplicationPatch(Patch):
    """Each field may be left out, and is then kept (mypy reads the None default as the wrong type)."""

    unit_name: Text200 = None  # type: ignore[assignment]
    address: Text200 = None  # type: ignore[assignment]
    legal_representative: Text50 = None  # type: ignore[assignment]
    contact_name: Text50 = None  # type: ignore[assignment]
    contact_phone: Text30 = None  # type: ignore[assignment]
    production_description: Text2000 = None  # type: ignore[assignment]
    monitoring_plan: Text5000 = None  # type: ignore[assignment]
    public_notice_from: IsoDate = None  # type: ignore[assignment]
    public_notice_to: IsoDate = None  # type: ignore[assignment]
    onsite_check: Flag = None  # type: ignore[assignment]
    facilities: Facilities = None  # type: ignore[assignment]
    products: Annotated[list[ProductIn], Field(max_length=200, description="主要产品及产能: they replace the "
                                                                           "draft's")] = None  # type: ignore[assignment]
    materials: Annotated[list[MaterialIn], Field(max_length=200, description="主要原辅材料及燃料: they replace "
                                                                             "the draft's")] = None  # type: ignore[assignment]
    ledger_plan: Text5000 = None  # type: ignore[assignment]
    outlets: Outlets = None  # type: ignore[assignment]


@router.post("/units/{unit_id}/applications", response={201: ApplicationOut}, summary="Start a permit application")
def create_application(request, unit_id: Id, payload: ApplicationIn):
    """A draft for the unit's fixed source; the unit's clerk only (403). 409 when the source has an
    open application already."""
    unit = selectors.permit_work_unit_get(user=request.auth, pk=unit_id)
    application = workflow.application_create(user=request.auth, unit=unit, kind=payload.kind,
                                              sequence=payload.fixed_source)
    return Status(201, selectors.application_get(user=request.auth, pk=application.pk))


@router.patch("/applications/{application_id}", response=ApplicationOut, summary="Change a draft application")
def update_application(request, application_id: Id, payload: ApplicationPatch):
    """Only a draft changes (409 after submission); errors name the field, ``outlets[0].limits[1].pollutant``."""
    application = selectors.application_get(user=request.auth, pk=application_id)
    data = payload.dict(exclude_unset=True)
    workflow.application_update(user=request.auth, application=application, data=data)
    return selectors.application_get(user=request.auth, pk=application.pk)


@router.post("/applications/{application_id}/submit", response=ApplicationOut, summary="Submit a draft application")
def submit_application(request, application_id: Id):
    """400 naming every missing material at once, each on its field (the one notice of 条例 Art. 9 (4))."""
    application = selectors.application_get(user=request.auth, pk=application_id)
    workflow.application_submit(user=request.auth, application=application)
    return selectors.application_get(user=request.auth, pk=application.pk)


# Registrations and the public search --------------------------------------------------------


class RegistrationOut(Schema):
    id: int
    unit: int
    number: str
    version: int
    status: str
    unit_name: str
    address: str
    industry_codes: str
    management_class: ClassCode
    filed_at: datetime
    valid_until: date | None

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.fixed_source.unit_id


Day = date  # a field below is named "date"


class PublicRecordOut(Schema):
    kind: Literal["permit", "registration"]
    number: str
    unit_name: str
    uscc: str
    industry_codes: str
    county: str
    date: Day | None = Field(description="the day the permit was decided or the registration filed")
    valid_until: Day | None
    management_class: ClassCode


class PublicFilters(Filters):
    q: Text | None = Field(None, description="words of the unit's name, the start of its USCC or of a number")
    industry: Text | None = Field(None, description="GB/T 4754 code prefix")


@router.get("/units/{unit_id}/registrations", response=list[RegistrationOut],
            summary="A unit's discharge registrations")
@paginate(Pagination)
def list_unit_registrations(request, unit_id: Id):
    """Public for whoever sees the unit."""
    unit = registry_selectors.unit_get(user=request.auth, pk=unit_id)
    return selectors.unit_registrations(unit).order_by("-filed_at", "-id")


@router.get("/registrations/{registration_id}", response=RegistrationOut, summary="One discharge registration")
def get_registration(request, registration_id: Id):
    return selectors.registration_get(user=request.auth, pk=registration_id)


@router.get("/public", response=list[PublicRecordOut], auth=None,
            summary="The public search: valid permits and registrations")
@paginate(Pagination)
def public_search(request, filters: Query[PublicFilters]):
    """What the public search page shows, without signing in."""
    return selectors.public_records(q=filters.q or "", industry=filters.industry or "")


# Compliance reports --------------------------------------------------------------------------

ReportKind = Literal["annual", "semiannual", "quarterly", "monthly"]


class ReportValueOut(Schema):
    outlet_code: str
    pollutant: str
    concentration: Decimal | None
    concentration_unit: str
    quantity: Decimal | None


class ReportOut(Schema):
    id: int
    permit: int
    kind: ReportKind
    period_start: date
    period_end: date
    version: int
    status: str
    due: date
    submitted_at: datetime
    stopped_production: bool
    notes: str
    correction_reason: str
    exceedances: list[dict[str, Any]]
    values: list[ReportValueOut]

    @staticmethod
    def resolve_permit(obj) -> int:
        return obj.permit_id

    @staticmethod
    def resolve_values(obj) -> list:
        return list(obj.values.all())


class ReportValueIn(In):
    outlet_code: Name = Field(max_length=10)
    pollutant: Name = Field(max_length=60)
    concentration: Annotated[Text, Field(max_length=30)] | None = None
    concentration_unit: Annotated[Text, Field(max_length=20)] = ""
    quantity: Annotated[Text, Field(max_length=30)] | None = Field(None, description="t in the period")


class ReportIn(In):
    kind: ReportKind
    period_start: IsoDate = Field(description="the first day of the period")
    values: list[ReportValueIn] = Field(default_factory=list, max_length=500)
    stopped_production: Flag = False
    notes: Annotated[Text, Field(max_length=5000)] = ""
    correction_reason: Annotated[Text, Field(max_length=300)] = Field(
        "", description="needed when the period was reported already: the report is a new version")


@router.get("/permits/{permit_id}/reports", response=list[ReportOut], summary="A permit's compliance reports")
@paginate(Pagination)
def list_permit_reports(request, permit_id: Id):
    """For the unit's clerk, the permit reviewers of its region, its county officer and the city."""
    permit = selectors.permit_get(user=request.auth, pk=permit_id)
    return permit.reports.order_by("-period_start", "-version").prefetch_related("values")


@router.post("/permits/{permit_id}/reports", response={201: ReportOut}, summary="File a compliance report")
def file_report(request, permit_id: Id, payload: ReportIn):
    """The unit's clerk (403 for others). A period not over, a kind the permit does not ask for, a
    value not in the permit: 400 naming the field."""
    permit = selectors.permit_get(user=request.auth, pk=permit_id)
    report = compliance.report_submit(user=request.auth, permit=permit, kind=payload.kind,
                                      period_start=payload.period_start,
                                      values=[v.dict() for v in payload.values],
                                      stopped_production=payload.stopped_production, notes=payload.notes,
                                      correction_reason=payload.correction_reason)
    return Status(201, selectors.report_get(user=request.auth, pk=report.pk))


@router.get("/reports/{report_id}", response=ReportOut, summary="One compliance report")
def get_report(request, report_id: Id):
    return selectors.report_get(user=request.auth, pk=report_id)


# Enforcement cases (read) --------------------------------------------------------------------


class DecisionDocumentOut(Schema):
    id: int
    kind: str = Field(description="correction, restriction or penalty")
    number: str
    issued_on: date
    template_confirmed: bool = Field(description="false: the template is configuration, rule text not confirmed")
    sha256: str


class EnforcementCaseOut(Schema):
    id: int
    unit: int
    unit_name: str
    county: str
    kind: str
    violation_date: date
    details: str
    status: str
    basis: str = Field(description="the legal basis chosen, as the law names it")
    measures: list[str]
    fine: Decimal | None
    rectification_deadline: date | None
    assignee: str | None
    decided_on: date | None
    closed_on: date | None
    documents: list[DecisionDocumentOut]

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_county(obj) -> str:
        return obj.unit.county.code

    @staticmethod
    def resolve_basis(obj) -> str:
        return obj.basis_text

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.get_username() if obj.assignee_id else None

    @staticmethod
    def resolve_documents(obj) -> list:
        return list(selectors.case_documents(case=obj))


class CaseFilters(Filters):
    status: Literal["open", "decided", "rectifying", "closed"] | None = None
    kind: Text | None = None
    county: Text | None = Field(None, description="GB/T 2260 code")
    basis: Text | None = Field(None, description="the key of a legal basis (water83, air99, …)")
    assignee: Text | None = Field(None, description="me, none, or a user id")


@router.get("/cases", response=list[EnforcementCaseOut], summary="Enforcement cases the caller sees")
@paginate(Pagination)
def list_cases(request, filters: Query[CaseFilters]):
    county = None
    if filters.county:
        county = registry_selectors.county_choices().filter(code=filters.county).values_list("pk", flat=True).first()
    qs = selectors.case_list(user=request.auth, status=filters.status or "", kind=filters.kind or "",
                             county=county, basis=filters.basis or "", assignee=filters.assignee or "")
    return qs.none() if filters.county and county is None else qs


@router.get("/cases/{case_id}", response=EnforcementCaseOut, summary="One enforcement case")
def get_case(request, case_id: Id):
    return selectors.case_get(user=request.auth, pk=case_id)
