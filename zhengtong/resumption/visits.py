"""Leaders' visits and instructions (调研, 指导意见): a visit records the leader (by title, never by
name), the date, the units visited and the instructions given there; each instruction goes to a
department with a due date and is followed, like a difficulty, until it is done. Reads and writes
together, as the donation drive's.

Who (accounts.scopes): the city administrator records a visit to any units, a county officer to the
county's units (``visit_units_q``); an instruction's department accepts it, replies and reports it
done (``department``); whoever follows the visit confirms it done or reopens it (``follower``: the
recorder, a county officer of the unit's county — of a unit visited, for an instruction to the visit
as a whole — or the city administrator); ``involved`` is either. The moves (``INSTRUCTIONS``):

===========  ==================================  ========  ==========
action       from                                to        who
===========  ==================================  ========  ==========
accept       assigned                            accepted  department
reply        assigned, accepted, done, reopened  (same)    involved
report_done  accepted, reopened                  done      department
confirm      done                                closed    follower
reopen       done                                reopened  follower
===========  ==================================  ========  ==========

A due date is a calendar day the leader gives (not a working-day clock), not before the visit; an
instruction is overdue while it is not reported done after its due date (``clocks.clock_status``, one
rule with the difficulties'). A reopening gives the department a new due date, asked of the follower
who reopens as the first was given by the leader (a calendar day, not before the day of reopening);
the thread keeps every due date (``InstructionEvent.due_on``: the first on the assignment, each new one
on its reopening). Nothing is changed after the fact: the thread is only added to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts import scopes
from zhengtong.core import compiled
from zhengtong.core.cleaners import clean_date, clean_text
from zhengtong.core.errors import FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.core.statemachine import Move, StateMachine
from zhengtong.registry.models import Department, Region, Unit
from zhengtong.resumption.clocks import clock_status
from zhengtong.resumption.models import InspectionVisit, Instruction, InstructionEvent, InstructionStatus

S = InstructionStatus
INSTRUCTIONS = StateMachine(gettext_lazy("instruction"), InstructionStatus.choices, [
    Move("accept", (S.ASSIGNED,), S.ACCEPTED, "department", gettext_lazy("Accept")),
    Move("reply", (S.ASSIGNED, S.ACCEPTED, S.DONE, S.REOPENED), None, "involved", gettext_lazy("Reply")),
    Move("report_done", (S.ACCEPTED, S.REOPENED), S.DONE, "department", gettext_lazy("Report done")),
    Move("confirm", (S.DONE,), S.CLOSED, "follower", gettext_lazy("Confirm done and close")),
    Move("reopen", (S.DONE,), S.REOPENED, "follower", gettext_lazy("Reopen")),
])
OPEN = (S.ASSIGNED, S.ACCEPTED, S.REOPENED)  # the department's work: the due date runs
MAX_UNITS = 50
MAX_INSTRUCTIONS = 30
INSTRUCTION_FIELDS = ("text", "department", "due_on", "unit")
MOVE_TEXT = {"reply": gettext_lazy("Write the reply."), "report_done": gettext_lazy("Write what was done."),
             "reopen": gettext_lazy("Write why it is not done.")}


# Writes ------------------------------------------------------------------------------------------


def _unit_in(raw: Any, units: QuerySet[Unit]) -> Unit | None:
    """The unit of ``units`` a form names: its id, its unified social credit code or its exact name."""
    if isinstance(raw, Unit):
        return units.filter(pk=raw.pk).first()
    text = str(raw).strip()
    pk = valid_id(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
    if pk is not None:
        return units.filter(pk=pk).first()
    return units.filter(Q(uscc__iexact=text) | Q(name=text)).order_by("pk").first()


def _visited_units(errors: FieldErrors, user, raw: Any) -> list[Unit]:
    """The units visited: each named once, each one the user may record a visit to."""
    items = [r for r in (raw or []) if str(r).strip()] if not isinstance(raw, str) else \
        [line for line in raw.splitlines() if line.strip()]
    if not items:
        errors.add("units", _("Name at least one unit visited."))
        return []
    if len(items) > MAX_UNITS:
        errors.add("units", _("At most %(n)d units in one visit.") % {"n": MAX_UNITS})
        return []
    mine = Unit.objects.filter(scopes.visit_units_q(user))
    found: list[Unit] = []
    for item in items:
        unit = _unit_in(item, mine)
        if unit is None:
            name = str(getattr(item, "name", item)).strip()[:60]
            if _unit_in(item, Unit.objects.all()) is not None:
                errors.add("units", _("“%(u)s” is outside the units you may record a visit to.") % {"u": name})
            else:
                errors.add("units", _("No unit is called “%(u)s” (give its exact name or its unified social credit "
                                      "code).") % {"u": name})
        elif unit in found:
            errors.add("units", _("“%(u)s” is named twice.") % {"u": unit.name})
        else:
            found.append(unit)
    return found


def _department(errors: FieldErrors, field: str, raw: Any) -> Department | None:
    pk = valid_id(raw.pk if isinstance(raw, Department) else raw)
    department = Department.objects.filter(pk=pk, is_active=True).first() if pk else None
    if department is None:
        errors.add(field, _("Choose a department that exists.") if raw not in (None, "")
                   else _("Choose the department it is assigned to."))
    return department


def _instructions(errors: FieldErrors, rows: Any, *, visited_on: date | None, units: list[Unit]) -> list[dict]:
    """The instructions of the form, each with its text, department and due date (not before the
    visit) and, optionally, the unit visited it is about; a row left wholly blank is skipped. Errors
    name the row's field: ``instructions[2].due_on``."""
    result = []
    rows = list(rows or [])
    if len([r for r in rows if any(str(r.get(f) or "").strip() for f in INSTRUCTION_FIELDS)]) > MAX_INSTRUCTIONS:
        errors.add("instructions", _("At most %(n)d instructions in one visit.") % {"n": MAX_INSTRUCTIONS})
        return []
    for i, row in enumerate(rows):
        if not any(str(row.get(f) or "").strip() for f in INSTRUCTION_FIELDS):
            continue
        name = f"instructions[{i}]"
        text = clean_text(errors, row, "text", required=True, max_length=2000, field=f"{name}.text")
        department = _department(errors, f"{name}.department", row.get("department"))
        sub = FieldErrors()
        due = clean_date(sub, row, "due_on")
        for message in sub.errors.get("due_on", []):
            errors.add(f"{name}.due_on", message)
        if due is None and not sub:
            errors.add(f"{name}.due_on", _("Give the due date."))
        elif due is not None and visited_on is not None and due < visited_on:
            errors.add(f"{name}.due_on", _("The due date cannot be before the visit (%(d)s).")
                       % {"d": visited_on.isoformat()})
        unit = None
        raw_unit = row.get("unit")
        if raw_unit not in (None, "") and str(raw_unit).strip():
            unit = _unit_in(raw_unit, Unit.objects.filter(pk__in=[u.pk for u in units]))
            if unit is None:
                errors.add(f"{name}.unit", _("Choose one of the units visited (or none, for the visit as a whole)."))
        result.append({"text": text, "department": department, "due_on": due, "unit": unit})
    return result


def visit_record(*, user, data: dict, today: date | None = None, at: datetime | None = None) -> InspectionVisit:
    """Record a leader's visit with its instructions, all or nothing. ``data``: ``leader_title``,
    ``visited_on`` (not after today), ``units`` (ids, codes or exact names, or one per line),
    ``summary``, ``instructions`` (rows of ``text``, ``department``, ``due_on``, ``unit``). ``at``: the
    time recorded (now; the demo's story time)."""
    if not scopes.can_record_visits(user):
        raise PermissionDenied(_("Only the city administrator and county officers record leaders' visits."))
    today = today or timezone.localdate()
    errors = FieldErrors()
    title = clean_text(errors, data, "leader_title", required=True, max_length=100)
    visited_on = clean_date(errors, data, "visited_on")
    if visited_on is None and "visited_on" not in errors.errors:
        errors.add("visited_on", _("Give the date of the visit."))
    elif visited_on is not None and visited_on > today:
        errors.add("visited_on", _("This day is in the future."))
    summary = clean_text(errors, data, "summary", max_length=5000)
    units = _visited_units(errors, user, data.get("units"))
    rows = _instructions(errors, data.get("instructions"), visited_on=visited_on, units=units)
    errors.raise_if_any()
    assert visited_on is not None
    with transaction.atomic():
        visit = InspectionVisit.objects.create(leader_title=title, visited_on=visited_on, summary=summary,
                                               recorded_by=user, recorded_at=at or timezone.now())
        visit.units.set(units)
        for row in rows:
            instruction = Instruction.objects.create(visit=visit, **row)
            InstructionEvent.objects.create(instruction=instruction, kind=InstructionEvent.Kind.ASSIGN,
                                            to_status=instruction.status, department=instruction.department,
                                            text=instruction.text, due_on=instruction.due_on, at=visit.recorded_at,
                                            by=user)
    return visit


def _counties(instruction: Instruction) -> set[int]:
    if instruction.unit_id is not None:
        return {Unit.objects.values_list("county_id", flat=True).get(pk=instruction.unit_id)}
    return set(instruction.visit.units.values_list("county_id", flat=True))


def _may(user, instruction: Instruction):
    handles = scopes.can_handle_instruction(user, instruction.department_id)
    follows = scopes.can_follow_instruction(user, recorder_id=instruction.visit.recorded_by_id,
                                            county_ids=_counties(instruction))
    who = {"department": handles, "follower": follows, "involved": handles or follows}
    return lambda move: who[move.who]


def instruction_moves_allowed(*, user, instruction: Instruction) -> dict[str, Move]:
    """The moves this user may make on the instruction now (the page shows exactly these)."""
    return INSTRUCTIONS.allowed(instruction.status, may=_may(user, instruction))


def instruction_move(*, user, instruction: Instruction, action: str, data: dict,
                     today: date | None = None, at: datetime | None = None) -> Instruction:
    """Move an instruction by the table above, writing the move into its thread with its text; a
    reply, a report of what was done and a reopening need their text, and a reopening its new due date
    (``data["due_on"]``, not before ``today``). ``today``, ``at``: the day and time of the move (today
    and now; the demo's story time)."""
    move = INSTRUCTIONS.move(action)
    today = today or timezone.localdate()
    errors = FieldErrors()
    text = clean_text(errors, data, "text", max_length=5000)
    if action in MOVE_TEXT and not text and "text" not in errors.errors:
        errors.add("text", str(MOVE_TEXT[action]))
    due = None
    if action == "reopen":
        due = clean_date(errors, data, "due_on")
        if due is None and "due_on" not in errors.errors:
            errors.add("due_on", _("Give the new due date."))
        elif due is not None and due < today:
            errors.add("due_on", _("The new due date cannot be before today (%(d)s).") % {"d": today.isoformat()})
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update().select_related("visit").get(pk=instruction.pk)
        INSTRUCTIONS.check(instruction.status, action, may=_may(user, instruction))
        errors.raise_if_any()  # after the state and the role: a move not allowed says so first
        before = instruction.status
        if action == "accept":
            instruction.accepted_on = today
        elif action == "report_done":
            instruction.done_on = today
        elif action == "confirm":
            instruction.closed_on = today
        elif action == "reopen":
            assert due is not None  # raise_if_any() refused a reopening without one
            instruction.done_on, instruction.due_on = None, due
        if move.target is not None:
            instruction.status = move.target
        instruction.save()
        InstructionEvent.objects.create(instruction=instruction, kind=action, from_status=before,
                                        to_status=instruction.status, text=text, due_on=due,
                                        at=at or timezone.now(), by=user)
    return instruction


# Reads -------------------------------------------------------------------------------------------


def overdue_q(today: date, prefix: str = "") -> Q:
    """Instructions past their due date and not reported done."""
    return Q(**{f"{prefix}status__in": OPEN, f"{prefix}due_on__lt": today})


@dataclass(frozen=True)
class Clock:
    status: str  # clocks.clock_status: "running", "due_today", "overdue", "done"
    due: date
    done_on: date | None

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def label(self) -> str:
        if self.done_on is not None:
            return _("done late") if self.overdue else _("done in time")
        return {"overdue": _("overdue"), "due_today": _("due today")}.get(self.status, _("running"))


def instruction_clock(instruction: Instruction, today: date) -> Clock:
    """The instruction's due date and where it stands (one rule with the difficulties' clocks)."""
    done = instruction.done_on if instruction.status in (S.DONE, S.CLOSED) else None
    return Clock(clock_status(instruction.due_on, today, done_on=done), instruction.due_on, done)


def visit_list(*, user, today: date, q: str = "", county: int | None = None, status: str = "",
               since: date | None = None, until: date | None = None) -> QuerySet[InspectionVisit]:
    """Visits the user sees, each with its instructions counted (all, open, overdue, closed) among
    those the user sees; ``status``: "open" (an instruction not closed), "overdue"."""
    from django.db.models import Count

    seen = Q(instructions__pk__in=Instruction.objects.filter(scopes.instructions_q(user)).values("pk"))
    qs = (InspectionVisit.objects.filter(pk__in=InspectionVisit.objects.filter(scopes.visits_q(user)).values("pk"))
          .select_related("recorded_by")
          .annotate(n_instructions=Count("instructions", filter=seen, distinct=True),
                    n_open=Count("instructions", filter=seen & Q(instructions__status__in=(*OPEN, S.DONE)),
                                 distinct=True),
                    n_overdue=Count("instructions", filter=seen & overdue_q(today, "instructions__"), distinct=True),
                    n_units=Count("units", distinct=True)))
    if q:
        qs = qs.filter(pk__in=InspectionVisit.objects.filter(
            Q(leader_title__icontains=q) | Q(units__name__icontains=q) | Q(summary__icontains=q)).values("pk"))
    if county:
        qs = qs.filter(pk__in=InspectionVisit.objects.filter(units__county_id=county).values("pk"))
    if since:
        qs = qs.filter(visited_on__gte=since)
    if until:
        qs = qs.filter(visited_on__lte=until)
    if status == "open":
        qs = qs.filter(n_open__gt=0)
    elif status == "overdue":
        qs = qs.filter(n_overdue__gt=0)
    return qs


def visit_get(*, user, pk: Any) -> InspectionVisit:
    pk = valid_id(pk)
    visit = (InspectionVisit.objects.filter(pk__in=InspectionVisit.objects.filter(scopes.visits_q(user), pk=pk)
                                            .values("pk")).select_related("recorded_by").first() if pk else None)
    if visit is None:
        raise Http404
    return visit


def visit_units(*, visit: InspectionVisit) -> list[Unit]:
    """The units visited, in the order recorded."""
    links = InspectionVisit.units.through.objects.filter(inspectionvisit=visit).select_related("unit__county")
    return [link.unit for link in links.order_by("id")]


def visit_counties(*, user) -> QuerySet[Region]:
    """The counties of the units of the visits the user sees (the list's county filter)."""
    seen = InspectionVisit.objects.filter(scopes.visits_q(user)).values("pk")
    return Region.objects.filter(pk__in=Unit.objects.filter(inspection_visits__in=seen).values("county_id")).order_by(
        "code")


def visit_instructions(*, user, visit: InspectionVisit) -> QuerySet[Instruction]:
    """The visit's instructions the user sees, in the order given."""
    return (visit.instructions.filter(pk__in=Instruction.objects.filter(scopes.instructions_q(user)).values("pk"))
            .select_related("department", "unit").order_by("id"))


def instruction_get(*, user, pk: Any) -> Instruction:
    pk = valid_id(pk)
    instruction = (Instruction.objects.filter(pk__in=Instruction.objects.filter(scopes.instructions_q(user), pk=pk)
                                              .values("pk"))
                   .select_related("visit", "visit__recorded_by", "unit", "unit__county", "department").first()
                   if pk else None)
    if instruction is None:
        raise Http404
    return instruction


def instruction_events(*, instruction: Instruction) -> QuerySet[InstructionEvent]:
    return instruction.events.select_related("by", "department").order_by("at", "id")


def department_instructions(*, user, today: date, department: int | None = None, status: str = "open",
                            q: str = "") -> QuerySet[Instruction]:
    """A department's instructions for its officers (the inbox's part): those of the user's
    departments (all departments' for the city administrator, or ``department``), by ``status``:
    "open" (assigned, accepted, reopened: the department's work), "overdue", "done" (awaiting the
    follower's confirmation), "closed", one of the states, or "" for all; the most urgent first (the
    earliest due date)."""
    s = scopes.get_scope(user)
    if not (s.is_city or s.departments):
        return Instruction.objects.none()
    qs = Instruction.objects.select_related("visit", "unit", "department")
    if not s.is_city:
        qs = qs.filter(department_id__in=s.departments)
    if department:
        qs = qs.filter(department_id=department)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status == "overdue":
        qs = qs.filter(overdue_q(today))
    elif status in S.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(text__icontains=q) | Q(unit__name__icontains=q) | Q(visit__leader_title__icontains=q))
    return qs.order_by("due_on", "id")


def open_instruction_count(*, user, today: date) -> int:
    """``department_instructions(user=user, today=today).count()``: the open instructions of the user's
    departments (the navigation's inbox count, on every page of a department's officer). Its statement
    depends on the scope alone (the departments, or all for the city), so it is built and compiled once
    per process for each scope and database (some 1,400 Python calls a page through the ORM)."""
    s = scopes.get_scope(user)
    alias = router.db_for_read(Instruction)
    key = (alias, s.is_city, frozenset(s.departments))
    statement = compiled.kept(_OPEN_COUNT_STATEMENTS, key, lambda: compiled.compile_count(
        department_instructions(user=user, today=today).using(alias)))
    return compiled.count(statement)


_OPEN_COUNT_STATEMENTS: dict[tuple, compiled.Count] = {}


def recordable_units(*, user) -> QuerySet[Unit]:
    return Unit.objects.filter(scopes.visit_units_q(user))


def departments() -> QuerySet[Department]:
    """The departments an instruction may be assigned to."""
    return Department.objects.filter(is_active=True).order_by("code")
