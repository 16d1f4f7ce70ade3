"""Resumption over REST, under /api/resumption/: difficulties and their moves, declarations and their
stages, and the donation drive.

Thin, over the services and selectors the resumption pages use (zhengtong.resumption.services,
selectors, donations), so that the API and the pages never disagree about who sees and does what
(zhengtong.accounts.scopes):

* a difficulty is seen by the unit's enterprise clerk, the department it is routed to, the unit's
  county officer and the city administrator; its moves are the table ``services.DIFFICULTIES``: a move
  the state does not allow is 409 on ``status`` (and ``action`` names the moves open to the caller now),
  a move the caller's role may not make is 403;
* a unit's declarations and stages are seen by its clerk, its county officer, the city administrator
  and the lead department's officers (those filed with them); the clerk files, reports and corrects,
  the lead department answers;
* a donation campaign is seen by the organising department's officers and the city administrator; a
  sheet of donations (``…/donations/batch``) is recorded donation by donation, one refusal sinking no other.

Anything outside the caller's scope answers 404, like a record that does not exist; a record named in a
body that the caller cannot see is a 400 naming the field. Nothing is edited after the fact: a
declaration, a stage or a donation is corrected by a new record that names the one it corrects, with the
reason. None of this is health data: no access record is written.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator

from zhengtong.core.errors import DomainError
from zhengtong.core.http import get_or_404
from zhengtong.core.schemas import (
    Filters,
    Flag,
    Id,
    In,
    IsoDate,
    Name,
    Pagination,
    Patch,
    Text,
    TextOrNumber,
    codes_of,
    whole_number,
)
from zhengtong.registry.models import Unit
from zhengtong.resumption import donations, selectors, services
from zhengtong.resumption.models import (
    DeclarationStatus,
    Difficulty,
    DifficultyCategory,
    DifficultyEvent,
    DifficultyStatus,
    Donation,
    DonationCampaign,
    DonorKind,
    ResumptionDeclaration,
    ResumptionStage,
    Stage,
)

router = Router(tags=["resumption"])


if TYPE_CHECKING:  # for mypy: codes are text; pydantic reads the Literal types built below
    CategoryCode: TypeAlias = str
    DifficultyStatusCode: TypeAlias = str
    DifficultyShow: TypeAlias = str
    DeclarationStatusCode: TypeAlias = str
    DeclarationAction: TypeAlias = str
    StageCode: TypeAlias = str
    DonorKindCode: TypeAlias = str
else:
    CategoryCode = codes_of(DifficultyCategory)
    DifficultyStatusCode = codes_of(DifficultyStatus)
    DifficultyShow = Literal[("open", *DifficultyStatus.values)]
    DeclarationStatusCode = codes_of(DeclarationStatus)
    DeclarationAction = Literal[tuple(services.DECLARATIONS.moves)]
    StageCode = codes_of(Stage)
    DonorKindCode = codes_of(DonorKind)

Note = Annotated[Text, Field(max_length=5000)]
Written = Annotated[Name, Field(max_length=5000)]  # a text that may not be empty


def _username(user) -> str:
    return user.get_username() if user is not None else ""


def _unit(user, unit_id: int, field: str = "unit") -> Unit:
    """A unit named in a body: one whose resumption the caller sees, else a 400 naming the field (a unit
    outside the scope is reported like a missing one)."""
    try:
        return selectors.resumption_unit_get(user=user, pk=unit_id)
    except Http404:
        raise DomainError(_("No unit with this id."), field=field) from None


# Difficulties ------------------------------------------------------------------------------------


class DifficultyEventOut(Schema):
    kind: str = Field(description="report, route, reassign, accept, reply, resolve, confirm or reopen")
    from_status: DifficultyStatusCode | None
    to_status: DifficultyStatusCode
    department: int | None = Field(description="for a report and a reassignment: the department it went to")
    department_name: str | None
    text: str
    rating: int | None
    at: datetime
    by: str

    @staticmethod
    def resolve_from_status(obj: DifficultyEvent) -> str | None:
        return obj.from_status or None

    @staticmethod
    def resolve_department(obj: DifficultyEvent) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_department_name(obj: DifficultyEvent) -> str | None:
        return obj.department.name if obj.department is not None else None

    @staticmethod
    def resolve_by(obj: DifficultyEvent) -> str:
        return _username(obj.by)


class DifficultyOut(Schema):
    id: int
    unit: int
    unit_name: str
    county: str = Field(description="GB/T 2260 code of the unit's county")
    category: CategoryCode
    title: str
    details: str
    department: int | None = Field(description="the department it is routed to (null: none yet; the county "
                                               "officer sends it on)")
    department_name: str | None
    status: DifficultyStatusCode
    reported_on: date
    reported_at: datetime
    accept_due: date = Field(description="the department accepts it by this day (working days)")
    resolve_due: date = Field(description="and resolves it by this day (working days, per category)")
    due_confirmed: bool = Field(description="false: a due date rests on a holiday calendar not confirmed "
                                            "(Monday–Friday counted)")
    overdue: bool = Field(description="past the clock it is on now")
    clock: str = Field(description="the clock it is on now (acceptance or resolution), as the page names it")
    accepted_on: date | None
    resolved_on: date | None
    closed_on: date | None
    rating: int | None = Field(description="the enterprise's rating of the answer, 1–5, when it confirmed")

    @staticmethod
    def resolve_unit(obj: Difficulty) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj: Difficulty) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_county(obj: Difficulty) -> str:
        return obj.unit.county.code

    @staticmethod
    def resolve_department(obj: Difficulty) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_department_name(obj: Difficulty) -> str | None:
        return obj.department.name if obj.department is not None else None

    @staticmethod
    def resolve_overdue(obj: Difficulty) -> bool:
        return bool(selectors.difficulty_clock(obj, timezone.localdate())["overdue"])

    @staticmethod
    def resolve_clock(obj: Difficulty) -> str:
        return str(selectors.difficulty_clock(obj, timezone.localdate())["label"])


class DifficultyDetailOut(DifficultyOut):
    reported_by: str
    allowed_moves: list[str] = Field(description="the moves the caller may make now (as the page's buttons)")
    thread: list[DifficultyEventOut] = Field(description="its report, routing, moves and replies, in time order")

    @staticmethod
    def resolve_reported_by(obj: Difficulty) -> str:
        return _username(obj.reported_by)

    @staticmethod
    def resolve_allowed_moves(obj: Difficulty, context) -> list[str]:
        return list(services.difficulty_moves_allowed(user=context["request"].auth, difficulty=obj))

    @staticmethod
    def resolve_thread(obj: Difficulty) -> list[DifficultyEvent]:
        return list(selectors.difficulty_events(difficulty=obj))


class DifficultyFilters(Filters):
    status: DifficultyShow | None = Field(None, description="a state, or open (any but closed)")
    category: CategoryCode | None = None
    overdue: bool | None = Field(None, description="true: only those past their clock; false: none of those")
    unit: Id | None = Field(None, description="unit id")
    q: Text | None = Field(None, description="words of the title or of the unit's name")


class DifficultyIn(In):
    unit: Id = Field(description="the unit's id (its enterprise clerk reports)")
    category: CategoryCode = Field(description="routes it: the department the city's table names for the category, "
                                               "else the unit's lead department")
    title: Name = Field(max_length=100)
    details: Written


class AcceptIn(In):
    text: Note = ""


class ReplyIn(In):
    text: Written


class ReassignIn(In):
    department: Id = Field(description="id of the department it goes to (an active one, not the one it is with); "
                                       "both clocks start again")
    text: Note = Field("", description="why")


class ResolveIn(In):
    text: Written = Field(description="how it was resolved")


class ConfirmIn(In):
    rating: Annotated[int, Field(ge=1, le=5), BeforeValidator(whole_number)] = Field(
        description="the enterprise's rating of the answer, 1 (poor) to 5 (good)")
    text: Note = ""


class ReopenIn(In):
    text: Written = Field(description="why it is not resolved")


def _difficulty(request, pk: int) -> Difficulty:
    return selectors.difficulty_get(user=request.auth, pk=pk)


def _move(request, difficulty_id: int, action: str, data: dict[str, Any]) -> Difficulty:
    difficulty = _difficulty(request, difficulty_id)
    services.difficulty_move(user=request.auth, difficulty=difficulty, action=action, data=data)
    return _difficulty(request, difficulty.pk)


@router.get("/difficulties", response=list[DifficultyOut], summary="Difficulties the caller sees, newest first")
@paginate(Pagination)
def list_difficulties(request, filters: Query[DifficultyFilters]):
    today = timezone.localdate()
    qs = selectors.difficulty_list(user=request.auth, today=today, status=filters.status or "",
                                   category=filters.category or "", q=filters.q or "", unit=filters.unit)
    if filters.overdue is not None:
        overdue = selectors.overdue_q(today)
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    return qs


@router.get("/difficulties/{difficulty_id}", response=DifficultyDetailOut, summary="One difficulty with its thread")
def get_difficulty(request, difficulty_id: Id):
    return _difficulty(request, difficulty_id)


@router.post("/difficulties", response={201: DifficultyDetailOut}, summary="Report a difficulty of a unit")
def report_difficulty(request, payload: DifficultyIn):
    """The unit's enterprise clerk (or the city administrator): 403 for others who see the unit, 400 on
    ``unit`` for a unit the caller does not see."""
    unit = _unit(request.auth, payload.unit)
    difficulty = services.difficulty_report(user=request.auth, unit=unit, data=payload.dict(exclude={"unit"}))
    return Status(201, _difficulty(request, difficulty.pk))


@router.post("/difficulties/{difficulty_id}/accept", response=DifficultyDetailOut, summary="Accept a difficulty")
def accept_difficulty(request, difficulty_id: Id, payload: AcceptIn):
    """An officer of the department it is routed to, while it is reported."""
    return _move(request, difficulty_id, "accept", payload.dict())


@router.post("/difficulties/{difficulty_id}/reply", response=DifficultyDetailOut,
             summary="Write in a difficulty's thread")
def reply_difficulty(request, difficulty_id: Id, payload: ReplyIn):
    """Anyone involved (the department, the county officer, the enterprise), until it is closed (409)."""
    return _move(request, difficulty_id, "reply", payload.dict())


@router.post("/difficulties/{difficulty_id}/reassign", response=DifficultyDetailOut,
             summary="Send a difficulty to another department")
def reassign_difficulty(request, difficulty_id: Id, payload: ReassignIn):
    """A county officer of the unit's county (or the city administrator); a department that does not
    exist, or the one it is with, is a 400 on ``department``."""
    return _move(request, difficulty_id, "reassign", payload.dict())


@router.post("/difficulties/{difficulty_id}/resolve", response=DifficultyDetailOut,
             summary="Mark a difficulty resolved")
def resolve_difficulty(request, difficulty_id: Id, payload: ResolveIn):
    """An officer of the department it is routed to, once accepted (or reopened)."""
    return _move(request, difficulty_id, "resolve", payload.dict())


@router.post("/difficulties/{difficulty_id}/confirm", response=DifficultyDetailOut,
             summary="Confirm a resolution and rate it; the difficulty is closed")
def confirm_difficulty(request, difficulty_id: Id, payload: ConfirmIn):
    """The unit's enterprise clerk, once resolved."""
    return _move(request, difficulty_id, "confirm", payload.dict())


@router.post("/difficulties/{difficulty_id}/reopen", response=DifficultyDetailOut,
             summary="Reopen a resolved difficulty")
def reopen_difficulty(request, difficulty_id: Id, payload: ReopenIn):
    """The unit's enterprise clerk, once resolved: the resolution's working days start again."""
    return _move(request, difficulty_id, "reopen", payload.dict())


# Declarations ------------------------------------------------------------------------------------

Count = Annotated[int, Field(ge=0, le=services.MAX_WORKFORCE), BeforeValidator(whole_number)]
Reason = Annotated[Name, Field(max_length=2000)]


class DeclarationOut(Schema):
    id: int
    unit: int
    unit_name: str
    county: str = Field(description="GB/T 2260 code of the unit's county")
    planned_date: date
    workforce_total: int
    workforce_returned: int
    returned_from_outside: int = Field(description="of those returned, from outside the city")
    outside_isolated: int = Field(description="of those from outside the city, how many completed isolation")
    temperature_checks: bool
    masks: bool
    disinfection_schedule: bool
    canteen_arrangements: bool
    isolation_room: bool
    measures_note: str
    declared_on: date
    declared_at: datetime
    declared_by: str
    corrects: int | None = Field(description="the declaration this one corrects")
    reason: str = Field(description="why it corrects the earlier one")
    corrected_by: int | None = Field(description="the declaration that corrects this one (null: in force)")
    lead_department: int | None = Field(description="the department that answers (null: the city administrator)")
    lead_department_name: str | None
    answer_due: date = Field(description="the lead department answers by this day (working days)")
    answer_confirmed: bool = Field(description="false: the due date rests on a holiday calendar not confirmed")
    status: DeclarationStatusCode
    clock: Literal["running", "due_today", "overdue", "done"] = Field(
        description="the answer's clock: overdue also when it was answered late")
    answer: str
    answered_on: date | None
    answered_by: str
    allowed_answers: list[str] = Field(description="the answers the caller may give now")

    @staticmethod
    def resolve_unit(obj: ResumptionDeclaration) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj: ResumptionDeclaration) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_county(obj: ResumptionDeclaration) -> str:
        return obj.unit.county.code

    @staticmethod
    def resolve_declared_by(obj: ResumptionDeclaration) -> str:
        return _username(obj.declared_by)

    @staticmethod
    def resolve_corrects(obj: ResumptionDeclaration) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_corrected_by(obj: ResumptionDeclaration) -> int | None:
        correction = getattr(obj, "correction", None)  # the reverse one-to-one raises when there is none
        return correction.pk if correction is not None else None

    @staticmethod
    def resolve_lead_department(obj: ResumptionDeclaration) -> int | None:
        return obj.lead_department_id

    @staticmethod
    def resolve_lead_department_name(obj: ResumptionDeclaration) -> str | None:
        return obj.lead_department.name if obj.lead_department is not None else None

    @staticmethod
    def resolve_clock(obj: ResumptionDeclaration) -> str:
        return selectors.declaration_clock(obj, timezone.localdate())

    @staticmethod
    def resolve_answered_by(obj: ResumptionDeclaration) -> str:
        return _username(obj.answered_by)

    @staticmethod
    def resolve_allowed_answers(obj: ResumptionDeclaration, context) -> list[str]:
        return list(services.declaration_moves_allowed(user=context["request"].auth, declaration=obj))


class DeclarationFilters(Filters):
    status: DeclarationStatusCode | None = None
    unit: Id | None = Field(None, description="unit id")
    q: Text | None = Field(None, description="words of the unit's name, or its USCC")


class DeclarationFields(In):
    planned_date: IsoDate = Field(description="the day the unit plans to resume")
    workforce_total: Count
    workforce_returned: Count = Field(description="at most the total")
    returned_from_outside: Count = Field(description="of those returned, from outside the city")
    outside_isolated: Count = Field(description="of those from outside the city, how many completed isolation")
    temperature_checks: Flag = Field(False, description="temperature checks at the entrance")
    masks: Flag = False
    disinfection_schedule: Flag = False
    canteen_arrangements: Flag = False
    isolation_room: Flag = False
    measures_note: Annotated[Text, Field(max_length=2000)] = ""


class DeclarationIn(DeclarationFields):
    unit: Id = Field(description="the unit's id (its enterprise clerk declares)")
    reason: Annotated[Text, Field(max_length=2000)] = Field(
        "", description="needed when the unit has declared already: this one then corrects the one in force")


class DeclarationCorrectionIn(DeclarationFields):
    reason: Reason = Field(description="why the declaration is corrected")


class AnswerIn(In):
    action: DeclarationAction = Field(description="acknowledge, or return for correction")
    answer: Annotated[Text, Field(max_length=2000)] = Field("", description="what is to be corrected (needed to "
                                                                            "return)")


def _declaration(request, pk: int) -> ResumptionDeclaration:
    return selectors.declaration_get(user=request.auth, pk=pk)


@router.get("/declarations", response=list[DeclarationOut],
            summary="Declarations in force the caller sees, newest first")
@paginate(Pagination)
def list_declarations(request, filters: Query[DeclarationFilters]):
    """The unit's clerk its own, the county officer the county's, the lead department those filed with it,
    the city administrator all. A corrected declaration is reached from its correction (``corrects``)."""
    qs = selectors.declaration_list(user=request.auth, status=filters.status or "", q=filters.q or "")
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)  # narrows the scoped list; an unseen unit gives nothing
    return qs.select_related("declared_by", "answered_by", "correction")


@router.get("/declarations/{declaration_id}", response=DeclarationOut, summary="One declaration")
def get_declaration(request, declaration_id: Id):
    return _declaration(request, declaration_id)


@router.post("/declarations", response={201: DeclarationOut}, summary="Declare a unit's resumption")
def file_declaration(request, payload: DeclarationIn):
    """The unit's enterprise clerk (or the city administrator): 403 for others who see the unit. More
    returned than the total (and so on down the workforce) is a 400 naming the field; a unit that has
    declared already needs ``reason``."""
    unit = _unit(request.auth, payload.unit)
    declaration = services.declaration_file(user=request.auth, unit=unit, data=payload.dict(exclude={"unit"}))
    return Status(201, _declaration(request, declaration.pk))


@router.post("/declarations/{declaration_id}/corrections", response={201: DeclarationOut},
             summary="Correct a declaration: a new declaration naming it, with the reason")
def correct_declaration(request, declaration_id: Id, payload: DeclarationCorrectionIn):
    """The one corrected stays as it was. A declaration corrected already is 409: correct the latest."""
    corrected = _declaration(request, declaration_id)
    declaration = services.declaration_file(user=request.auth, unit=corrected.unit, data=payload.dict(),
                                            corrects=corrected)
    return Status(201, _declaration(request, declaration.pk))


@router.post("/declarations/{declaration_id}/answer", response=DeclarationOut,
             summary="The lead department's answer to a declaration")
def answer_declaration(request, declaration_id: Id, payload: AnswerIn):
    """An officer of the lead department (or the city administrator), while it is filed and in force
    (409 otherwise): acknowledge it, or return it with what is to be corrected."""
    declaration = _declaration(request, declaration_id)
    services.declaration_answer(user=request.auth, declaration=declaration, action=payload.action,
                                answer=payload.answer)
    return _declaration(request, declaration.pk)


# Stages ------------------------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    unit: int
    declaration: int = Field(description="the declaration in force when it was reported")
    stage: StageCode = Field(description="construction (resumed), partly (resumed) or fully (resumed)")
    reached_on: date
    capacity_pct: int = Field(description="capacity in per cent of normal output")
    note: str
    corrects: int | None = Field(description="the stage this one corrects")
    reason: str
    reported_at: datetime
    reported_by: str

    @staticmethod
    def resolve_unit(obj: ResumptionStage) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_declaration(obj: ResumptionStage) -> int:
        return obj.declaration_id

    @staticmethod
    def resolve_corrects(obj: ResumptionStage) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_reported_by(obj: ResumptionStage) -> str:
        return _username(obj.reported_by)


class StageIn(In):
    stage: StageCode = Field(description="construction (resumed), partly (resumed) or fully (resumed)")
    reached_on: IsoDate = Field(description="not before the unit first declared, nor after today")
    capacity_pct: Annotated[int, Field(ge=0, le=100), BeforeValidator(whole_number)] = Field(
        description="capacity in per cent of normal output")
    note: Annotated[Text, Field(max_length=2000)] = ""


class StageCorrectionIn(StageIn):
    reason: Reason = Field(description="why the stage is corrected")


def _resumption_unit(request, unit_id: int) -> Unit:
    return selectors.resumption_unit_get(user=request.auth, pk=unit_id)


@router.get("/units/{unit_id}/stages", response=list[StageOut],
            summary="A unit's stages in force, in date order")
def list_stages(request, unit_id: Id):
    """For whoever sees the unit's resumption (its clerk, its county officer, its lead department, the
    city administrator); a corrected stage is reached from its correction (``corrects``)."""
    return selectors.unit_stages(unit=_resumption_unit(request, unit_id))


@router.post("/units/{unit_id}/stages", response={201: StageOut}, summary="Report a stage the unit reached")
def report_stage(request, unit_id: Id, payload: StageIn):
    """The unit's enterprise clerk (or the city administrator), once the unit has declared: a day before
    the unit first declared, or after today, is a 400 on ``reached_on``."""
    unit = _resumption_unit(request, unit_id)
    return Status(201, services.stage_report(user=request.auth, unit=unit, data=payload.dict()))


@router.post("/units/{unit_id}/stages/{stage_id}/corrections", response={201: StageOut},
             summary="Correct a stage: a new stage naming it, with the reason")
def correct_stage(request, unit_id: Id, stage_id: Id, payload: StageCorrectionIn):
    unit = _resumption_unit(request, unit_id)
    corrected = selectors.stage_get(user=request.auth, unit=unit, pk=stage_id)
    return Status(201, services.stage_report(user=request.auth, unit=unit, data=payload.dict(), corrects=corrected))


# The donation drive ------------------------------------------------------------------------------

Money = Annotated[Decimal, Field(description="yuan, two decimals")]
FEN = Decimal("0.01")


def _yuan(value: Any) -> Decimal:
    """A sum as yuan with its two decimals (SQLite's sum drops a trailing zero)."""
    return Decimal(value or 0).quantize(FEN)


class DonationCampaignOut(Schema):
    id: int
    name: str
    organiser: int = Field(description="the organising department's id")
    organiser_name: str
    purpose: str
    starts_on: date
    ends_on: date | None
    total: Money = Field(description="the donations that count (neither corrected nor withdrawn)")
    donors: int

    @staticmethod
    def resolve_organiser(obj: DonationCampaign) -> int:
        return obj.organiser_id

    @staticmethod
    def resolve_organiser_name(obj: DonationCampaign) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_total(obj: DonationCampaign) -> Decimal:
        return _yuan(getattr(obj, "total", None))


class OrganisationTotalOut(Schema):
    organisation: str
    amount: Money
    donors: int

    @staticmethod
    def resolve_amount(obj: dict[str, Any]) -> Decimal:
        return _yuan(obj["amount"])


class DonationTotalsOut(Schema):
    amount: Money
    donors: int
    leaders: int
    party_members: int
    by_organisation: list[OrganisationTotalOut] = Field(description="largest first")

    @staticmethod
    def resolve_amount(obj: donations.Totals) -> Decimal:
        return _yuan(obj.amount)


class DonationCampaignDetailOut(DonationCampaignOut):
    totals: DonationTotalsOut

    @staticmethod
    def resolve_totals(obj: DonationCampaign) -> donations.Totals:
        return donations.campaign_totals(campaign=obj)


class DonationOut(Schema):
    id: int
    campaign: int
    donor_kind: DonorKindCode
    donor_name: str
    organisation: str = Field(description="the donor's organisation (for an organisation: itself)")
    title: str = Field(description="the post the donor holds")
    party_member: bool
    is_leader: bool
    amount: Money | None = Field(description="null: a withdrawal")
    withdrawn: bool
    donated_on: date
    recorded_at: datetime
    recorded_by: str
    corrects: int | None = Field(description="the record this one corrects")
    reason: str = Field(description="why it corrects the earlier record")
    receipt_number: str

    @staticmethod
    def resolve_campaign(obj: Donation) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_recorded_by(obj: Donation) -> str:
        return _username(obj.recorded_by)

    @staticmethod
    def resolve_corrects(obj: Donation) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_receipt_number(obj: Donation) -> str:
        return donations.receipt_number(obj)


class DonationDetailOut(DonationOut):
    counts: bool = Field(description="false: corrected by a later record, or withdrawn")
    history: list[DonationOut] = Field(description="the donation's records, from the first to the latest")

    @staticmethod
    def resolve_counts(obj: Donation) -> bool:
        return not obj.withdrawn and getattr(obj, "correction", None) is None

    @staticmethod
    def resolve_history(obj: Donation) -> list[Donation]:
        return donations.donation_history(obj)


AMOUNT_DOC = "yuan, more than zero, at most two decimals: a number or its text (\"1,000\", \"200.50\")"


class DonationIn(In):
    donor_kind: DonorKindCode = "person"
    donor_name: Name = Field(max_length=100)
    organisation: Annotated[Text, Field(max_length=100)] = Field(
        "", description="the donor's organisation: needed for a person; an organisation's is its name")
    title: Annotated[Text, Field(max_length=50)] = Field("", description="the post the donor holds")
    party_member: Flag = False
    is_leader: Flag = Field(False, description="a leader: listed first on the day they donated")
    amount: TextOrNumber = Field(description=AMOUNT_DOC)
    donated_on: IsoDate = Field(description="not before the campaign began, nor after today")


class DonationCorrectionIn(Patch):
    """Each field but the reason may be left out, and is then the corrected record's."""

    reason: Reason = Field(description="why the donation is corrected")
    withdraw: Flag = Field(False, description="true: the donation was recorded by mistake; it no longer counts")
    donor_kind: DonorKindCode = None  # type: ignore[assignment]
    donor_name: Annotated[Name, Field(max_length=100)] = None  # type: ignore[assignment]
    organisation: Annotated[Text, Field(max_length=100)] = None  # type: ignore[assignment]
    title: Annotated[Text, Field(max_length=50)] = None  # type: ignore[assignment]
    party_member: Flag = None  # type: ignore[assignment]
    is_leader: Flag = None  # type: ignore[assignment]
    amount: TextOrNumber = Field(None, description=AMOUNT_DOC)  # type: ignore[assignment]
    donated_on: IsoDate = None  # type: ignore[assignment]


@router.get("/donation-campaigns", response=list[DonationCampaignOut],
            summary="Donation campaigns the caller runs, newest first, with their totals")
@paginate(Pagination)
def list_donation_campaigns(request):
    """The organising department's officers their department's, the city administrator all."""
    return donations.campaign_list(user=request.auth)


@router.get("/donation-campaigns/{campaign_id}", response=DonationCampaignDetailOut,
            summary="One donation campaign with its totals, by organisation")
def get_donation_campaign(request, campaign_id: Id):
    return get_or_404(donations.campaign_list(user=request.auth), campaign_id)  # with its total and donors


@router.get("/donation-campaigns/{campaign_id}/donations", response=list[DonationOut],
            summary="A campaign's donations that count, in time order (leaders first on the day they led)")
@paginate(Pagination)
def list_donations(request, campaign_id: Id):
    campaign = donations.campaign_get(user=request.auth, pk=campaign_id)
    return donations.donation_list(campaign=campaign).select_related("recorded_by")


@router.post("/donation-campaigns/{campaign_id}/donations", response={201: DonationOut},
             summary="Record a donation")
def record_donation(request, campaign_id: Id, payload: DonationIn):
    """An amount that is not a number, not more than zero or with more than two decimals is a 400 on
    ``amount``; a day before the campaign or after today a 400 on ``donated_on``."""
    campaign = donations.campaign_get(user=request.auth, pk=campaign_id)
    return Status(201, donations.donation_record(user=request.auth, campaign=campaign, data=payload.dict()))


class DonationsIn(In):
    donations: list[DonationIn] = Field(min_length=1, max_length=500, description="a list of donations, as a "
                                                                                    "sheet of donors gives them")


class RefusalOut(Schema):
    field: str
    message: str


class DonationResultOut(Schema):
    index: int = Field(description="the donation's place in the list, from 0")
    status: int = Field(description="201 recorded; 400 refused, the errors naming its fields")
    donation: DonationOut | None
    errors: list[RefusalOut]


class DonationResultsOut(Schema):
    recorded: int
    refused: int
    results: list[DonationResultOut]


@router.post("/donation-campaigns/{campaign_id}/donations/batch", response=DonationResultsOut,
             summary="Record many donations, each on its own")
def record_donations(request, campaign_id: Id, payload: DonationsIn):
    """Each donation is recorded or refused on its own (``results``, in the list's order): one refusal
    never sinks the others."""
    campaign = donations.campaign_get(user=request.auth, pk=campaign_id)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(payload.donations):
        try:
            donation = donations.donation_record(user=request.auth, campaign=campaign, data=item.dict())
        except DomainError as e:
            results.append({"index": index, "status": e.status, "donation": None, "errors": e.as_list()})
        else:
            results.append({"index": index, "status": 201, "donation": donation, "errors": []})
    recorded = sum(1 for r in results if r["donation"] is not None)
    return {"recorded": recorded, "refused": len(results) - recorded, "results": results}


@router.get("/donations/{donation_id}", response=DonationDetailOut, summary="One donation record with its history")
def get_donation(request, donation_id: Id):
    return donations.donation_get(user=request.auth, pk=donation_id)


@router.post("/donations/{donation_id}/corrections", response={201: DonationDetailOut},
             summary="Correct a donation: a new record naming it, with the reason (never an edit)")
def correct_donation(request, donation_id: Id, payload: DonationCorrectionIn):
    """Only the latest record of a donation is corrected: 409 for one corrected or withdrawn already."""
    donation = donations.donation_get(user=request.auth, pk=donation_id)
    corrected = donations.donation_correct(user=request.auth, donation=donation,
                                           data=payload.dict(exclude_unset=True))
    return Status(201, donations.donation_get(user=request.auth, pk=corrected.pk))
