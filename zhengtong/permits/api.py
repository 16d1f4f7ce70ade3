"""Permits over REST, read-only, under /api/permits/: a unit's class, its applications and its permits.

Thin by design, over the selectors the permit pages read, so that the API and the pages never
disagree about who sees what (zhengtong.accounts.scopes):

* a unit's class and its permits are public for whoever sees the unit;
* its applications (with their statutory clocks) are for the unit's clerk, the permit reviewers of
  its region, its county officer and the city (``scopes.permit_work_units_q``).

Anything outside the caller's scope answers 404, exactly like a record that does not exist. The
facts a unit declared are not here, only the keys of those still missing to decide its class.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zhengtong.core.schemas import Id, Pagination
from zhengtong.permits import selectors
from zhengtong.permits.classification import GENERAL_ONLY
from zhengtong.permits.models import Application, Classification, ManagementClass, Permit
from zhengtong.registry import selectors as registry_selectors

router = Router(tags=["permits"])

CLASS_DOC = ("key, simplified, registration, none (not in the catalogue), undetermined (facts missing) or review "
             "(the catalogue's text leaves it open: a permit reviewer decides)")


def _one_of(choices) -> Any:
    """The codes of a model's choices as a plain string enum (an Enum type would be one shared
    OpenAPI component per class name, and Application.Status and Permit.Status are both "Status")."""
    return Literal[tuple(choices.values)]


if TYPE_CHECKING:  # for mypy: codes are text; pydantic reads the Literal types built below
    ClassCode: TypeAlias = str
    ApplicationKind: TypeAlias = str
    ApplicationStatus: TypeAlias = str
    PermitStatus: TypeAlias = str
else:
    ClassCode = _one_of(ManagementClass)
    ApplicationKind = _one_of(Application.Kind)
    ApplicationStatus = _one_of(Application.Status)
    PermitStatus = _one_of(Permit.Status)


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
    management_class: ClassCode = Field(description=CLASS_DOC)
    at_least: ClassCode | None = Field(
        description="while undetermined: the class the unit has at least, whatever the missing facts say")
    general_processes_only: bool = Field(
        description="the permit or registration covers only the general processes (catalogue Arts. 6–7)")
    deciding_row: CatalogueRowOut | None = Field(description="the catalogue row that decided the class")
    missing_facts: list[str] = Field(description="keys of the facts still needed to decide (never their values)")
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
        "unit": classification.unit_id, "management_class": classification.management_class,
        "at_least": classification.at_least or None,
        "general_processes_only": classification.scope == GENERAL_ONLY,
        "deciding_row": row, "missing_facts": list(classification.missing),
        "open_readings": [{"reading": p["reading"], "key": p["key"], "chosen": p["chosen"] or None}
                          for p in classification.open_readings],
        "catalogue_edition": classification.catalogue_version, "classified_at": classification.classified_at,
    }


@router.get("/units/{unit_id}/classification", response=ClassificationOut,
            summary="A unit's management class, the catalogue row that decided it and the facts it lacks")
def get_classification(request, unit_id: Id):
    """Public for whoever sees the unit. 404 also when the unit has not been classified yet."""
    return _classification(selectors.classification_get(user=request.auth, unit_pk=unit_id))


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

