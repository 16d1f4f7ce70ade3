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
* a donation campaign is seen by the organising department's officers and the city administrator.

Anything outside the caller's scope answers 404, like a record that does not exist; a record named in a
body that the caller cannot see is a 400 naming the field. Nothing is edited after the fact: a
declaration, a stage or a donation is corrected by a new record that names the one it corrects, with the
reason. None of this is health data: no access record is written.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator

from zhengtong.core.errors import DomainError
from zhengtong.core.schemas import Filters, Id, In, Name, Pagination, Text, codes_of, whole_number
from zhengtong.registry.models import Unit
from zhengtong.resumption import selectors, services
from zhengtong.resumption.models import Difficulty, DifficultyCategory, DifficultyEvent, DifficultyStatus

router = Router(tags=["resumption"])


if TYPE_CHECKING:  # for mypy: codes are text; pydantic reads the Literal types built below
    CategoryCode: TypeAlias = str
    DifficultyStatusCode: TypeAlias = str
    DifficultyShow: TypeAlias = str
else:
    CategoryCode = codes_of(DifficultyCategory)
    DifficultyStatusCode = codes_of(DifficultyStatus)
    DifficultyShow = Literal[("open", *DifficultyStatus.values)]

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
