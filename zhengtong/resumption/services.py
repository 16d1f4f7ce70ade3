"""Every write of the resumption app.

Declarations. An enterprise clerk declares the unit's resumption (planned date, workforce,
prevention measures); the lead department (the setting RESUMPTION_LEAD_DEPARTMENTS, by the unit's
county) answers within RESUMPTION_ANSWER_DAYS working days (2 by default: in 2020 one lead department
per area answered each enterprise within 2 working days, shared/domain/epidemic.md). Nothing is
changed after the fact: a wrong declaration or stage is corrected by a new record naming the one it
corrects and why. A declaration's moves (``DECLARATIONS``; who: an officer of the lead department,
or the city administrator):

===========  ======  ============  ==========
action       from    to            who
===========  ======  ============  ==========
acknowledge  filed   acknowledged  department
return       filed   returned      department
===========  ======  ============  ==========

Difficulties (困难和问题). An enterprise clerk reports one with its category; it goes to the department
the routing table (``DifficultyRoute``, the city's) names for the category, else to the unit's lead
department. The department accepts it within DIFFICULTY_ACCEPT_DAYS working days and resolves it within
DIFFICULTY_RESOLVE_DAYS (per category) working days of the report; the county officer may send it to
another department, which restarts both clocks. Everyone involved writes in its thread (the report and
each entry may carry attachments: at most DIFFICULTY_MAX_ATTACHMENTS documents of core.uploads' types and
DOCUMENT_MAX_MB each, kept as uploaded, never changed); the enterprise
confirms the resolution and rates it (1–5), or reopens it (its resolution days start again). A closed
difficulty takes no reply. Its moves (``DIFFICULTIES``; who: ``department`` an officer of the department
it is routed to, ``county`` a county officer of the unit's county, ``enterprise`` the unit's clerk,
``involved`` any of them; the city administrator may do all):

========  ============================  ========  ==========
action    from                          to        who
========  ============================  ========  ==========
accept    reported                      accepted  department
reassign  reported, accepted, reopened  reported  county
reply     reported, accepted, resolved  (same)    involved
          reopened
resolve   accepted, reopened            resolved  department
confirm   resolved                      closed    enterprise
reopen    resolved                      reopened  enterprise
========  ============================  ========  ==========

Escalation. A difficulty past a clock (not accepted by ``accept_due``; not resolved, or resolved
again after a reopening, by ``resolve_due``) escalates, once per clock (its kind and due date: a
reassignment or a reopening starts a new clock), by ``difficulties_escalate`` (the daily job
``resumption.daily``): to the heads of its department (its officers whose assignment has the head
flag); where the department has no active head, to all its department officers and to the city
administrators (where it has no department, to the city administrators). The escalation is an event
of its thread (kind "escalate", no change of state) naming the clock, its due date and the people it
went to; the inbox marks the difficulty escalated while that clock runs, and the city administrator's
inbox holds the overdue ones escalated to them.

A stage may not be dated before the day the unit first declared (our reading of "a stage earlier
than the declaration": a unit declares before it resumes, as the 2020 filings required), nor after
today; its capacity is a whole % from 0 to 100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts import scopes
from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core import uploads
from zhengtong.core.cleaners import clean_choice, clean_count, clean_date, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.core.statemachine import Move, StateMachine
from zhengtong.registry.models import Department, Unit
from zhengtong.resumption.clocks import due_after
from zhengtong.resumption.models import (
    DeclarationStatus,
    Difficulty,
    DifficultyAttachment,
    DifficultyCategory,
    DifficultyEvent,
    DifficultyRoute,
    DifficultyStatus,
    ResumptionDeclaration,
    ResumptionStage,
    Stage,
)

D = DeclarationStatus
DECLARATIONS = StateMachine(gettext_lazy("declaration"), DeclarationStatus.choices, [
    Move("acknowledge", (D.FILED,), D.ACKNOWLEDGED, "department", gettext_lazy("Acknowledge the filing")),
    Move("return", (D.FILED,), D.RETURNED, "department", gettext_lazy("Return for correction")),
])
MAX_WORKFORCE = 1_000_000
TRUE_VALUES = {True, "true", "True", "on", "1", "yes"}


def lead_department_for(unit: Unit) -> Department | None:
    """The department that answers the unit's declarations: the setting's entry for the unit's
    county, else its "*" entry; None when the setting names no active department (the city
    administrator answers then, and the page says so)."""
    table = settings.RESUMPTION_LEAD_DEPARTMENTS
    code = table.get(unit.county.code) or table.get("*")
    if not code:
        return None
    return Department.objects.filter(code=code, is_active=True).first()


def current_declaration(unit: Unit) -> ResumptionDeclaration | None:
    """The unit's declaration in force: the latest one that no other corrects."""
    return (ResumptionDeclaration.objects.filter(unit=unit, correction__isnull=True)
            .order_by("-declared_at", "-id").first())


def first_declared_on(declaration: ResumptionDeclaration) -> date:
    """The day the unit first declared: the start of the chain of corrections."""
    origin = declaration
    while origin.corrects_id is not None:
        origin = ResumptionDeclaration.objects.get(pk=origin.corrects_id)
    return origin.declared_on


def _workforce(errors: FieldErrors, data: dict) -> dict[str, int | None]:
    names = ("workforce_total", "workforce_returned", "returned_from_outside", "outside_isolated")
    values = {n: clean_count(errors, n, data.get(n), maximum=MAX_WORKFORCE) for n in names}
    for n in names:
        if values[n] is None and n not in errors.errors:
            errors.add(n, _("This field is required."))
    total, returned, outside, isolated = (values[n] for n in names)
    if total is not None and returned is not None and returned > total:
        errors.add("workforce_returned", _("More people returned (%(r)d) than the workforce's total (%(t)d).")
                   % {"r": returned, "t": total})
    if returned is not None and outside is not None and outside > returned:
        errors.add("returned_from_outside", _("More returned from outside the city (%(o)d) than returned in all "
                                              "(%(r)d).") % {"o": outside, "r": returned})
    if outside is not None and isolated is not None and isolated > outside:
        errors.add("outside_isolated", _("More completed isolation (%(i)d) than returned from outside the city "
                                         "(%(o)d).") % {"i": isolated, "o": outside})
    return values


def declaration_file(*, user, unit: Unit, data: dict, corrects: ResumptionDeclaration | None = None,
                     first: bool = False, today: date | None = None) -> ResumptionDeclaration:
    """Declare the unit's resumption. When the unit has declared before, this is a correction of the
    declaration in force: it needs its reason (``data["reason"]``) and leaves the earlier one as it
    was. ``corrects``: the declaration the caller saw and means to correct (one of this unit's, else
    refused); when another has corrected it meanwhile, 409 (nobody corrects a declaration they have not
    seen). ``first``: the caller saw no declaration (the page of a first declaration); when the unit has
    declared meanwhile, 409 likewise. The lead department's answer is due ``RESUMPTION_ANSWER_DAYS``
    working days after today."""
    if not scopes.can_declare_resumption(user, unit):
        raise PermissionDenied(_("Only the unit's enterprise clerk declares its resumption."))
    if corrects is not None and corrects.unit_id != unit.pk:
        raise PermissionDenied(_("A declaration is corrected only by its own unit."))
    today = today or timezone.localdate()
    errors = FieldErrors()
    planned = clean_date(errors, data, "planned_date")
    if planned is None and "planned_date" not in errors.errors:
        errors.add("planned_date", _("This field is required."))
    workforce = _workforce(errors, data)
    measures = {name: data.get(name) in TRUE_VALUES for name in ResumptionDeclaration.MEASURES}
    note = clean_text(errors, data, "measures_note", max_length=2000)
    reason = clean_text(errors, data, "reason", max_length=2000)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one declaration in force per unit
        previous = current_declaration(unit)
        if corrects is not None and (previous is None or previous.pk != corrects.pk):
            raise DomainError(_("This declaration has been corrected: correct the latest one."), field="status",
                              status=409)
        if first and previous is not None:
            raise DomainError(_("The unit has declared meanwhile: read the declaration in force; file again to "
                                "correct it, with the reason."), field="status", status=409)
        if previous is not None and not reason and "reason" not in errors.errors:
            errors.add("reason", _("The unit has declared already: write why this correction is needed."))
        errors.raise_if_any()
        assert planned is not None  # raise_if_any() refused a missing date
        due = due_after(today, settings.RESUMPTION_ANSWER_DAYS)
        return ResumptionDeclaration.objects.create(
            unit=unit, corrects=previous, reason=reason if previous else "", planned_date=planned,
            measures_note=note, declared_on=today, declared_by=user, lead_department=lead_department_for(unit),
            answer_due=due.due, answer_confirmed=due.confirmed, **workforce, **measures)


def declaration_moves_allowed(*, user, declaration: ResumptionDeclaration) -> dict[str, Move]:
    """The answers this user may give now (the page shows exactly these)."""
    if hasattr(declaration, "correction") or not scopes.can_answer_declaration(user, declaration.lead_department_id):
        return {}
    return DECLARATIONS.allowed(declaration.status)


def declaration_answer(*, user, declaration: ResumptionDeclaration, action: str, answer: Any,
                       today: date | None = None) -> ResumptionDeclaration:
    """The lead department's answer: acknowledge the declaration, or return it for correction with
    what is to be corrected. A corrected declaration is answered in its correction."""
    move = DECLARATIONS.move(action)
    if not scopes.can_answer_declaration(user, declaration.lead_department_id):
        raise PermissionDenied(_("Only the lead department answers a declaration."))
    text = clean_note(answer, "answer", max_length=2000,
                      required=_("Write what is to be corrected.") if action == "return" else "")
    with transaction.atomic():
        declaration = ResumptionDeclaration.objects.select_for_update().get(pk=declaration.pk)
        DECLARATIONS.check(declaration.status, action)
        if ResumptionDeclaration.objects.filter(corrects=declaration).exists():
            raise DomainError(_("This declaration has been corrected: answer the correction."), field="status",
                              status=409)
        assert move.target is not None  # every answer changes the state
        declaration.status = move.target
        declaration.answer = text
        declaration.answered_on = today or timezone.localdate()
        declaration.answered_at = timezone.now()
        declaration.answered_by = user
        declaration.save(update_fields=["status", "answer", "answered_on", "answered_at", "answered_by"])
    return declaration


def stage_report(*, user, unit: Unit, data: dict, corrects: ResumptionStage | None = None,
                 today: date | None = None) -> ResumptionStage:
    """Report a stage the unit reached (construction resumed, partly resumed, fully resumed) with its
    date and capacity in % of normal output; or, with ``corrects``, correct a stage reported before
    (with the reason). The date is not before the unit's first declaration nor after today."""
    if not scopes.can_declare_resumption(user, unit):
        raise PermissionDenied(_("Only the unit's enterprise clerk reports its stages."))
    today = today or timezone.localdate()
    errors = FieldErrors()
    stage = clean_choice(errors, data, "stage", Stage)
    reached = clean_date(errors, data, "reached_on")
    if reached is None and "reached_on" not in errors.errors:
        errors.add("reached_on", _("This field is required."))
    capacity = clean_count(errors, "capacity_pct", data.get("capacity_pct"), maximum=100)
    if capacity is None and "capacity_pct" not in errors.errors:
        errors.add("capacity_pct", _("This field is required."))
    note = clean_text(errors, data, "note", max_length=2000)
    reason = clean_text(errors, data, "reason", max_length=2000)
    if corrects is not None and corrects.unit_id != unit.pk:
        raise PermissionDenied
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        declaration = current_declaration(unit)
        if declaration is None:
            errors.add("stage", _("Declare the unit's resumption first."))
        elif reached is not None:
            since = first_declared_on(declaration)
            if reached < since:
                errors.add("reached_on", _("A stage cannot be earlier than the declaration (declared on %(d)s).")
                           % {"d": since.isoformat()})
        if reached is not None and reached > today:
            errors.add("reached_on", _("This day is in the future."))
        if corrects is not None:
            if ResumptionStage.objects.filter(corrects=corrects).exists():
                errors.add("stage", _("This stage has been corrected already: correct the correction."))
            if not reason and "reason" not in errors.errors:
                errors.add("reason", _("Write why this correction is needed."))
        errors.raise_if_any()
        assert declaration is not None and reached is not None and capacity is not None
        return ResumptionStage.objects.create(
            unit=unit, declaration=declaration, corrects=corrects, reason=reason if corrects else "", stage=stage,
            reached_on=reached, capacity_pct=capacity, note=note, reported_by=user)


# Difficulties ------------------------------------------------------------------------------------

F = DifficultyStatus
DIFFICULTIES = StateMachine(gettext_lazy("difficulty"), DifficultyStatus.choices, [
    Move("accept", (F.REPORTED,), F.ACCEPTED, "department", gettext_lazy("Accept")),
    Move("reassign", (F.REPORTED, F.ACCEPTED, F.REOPENED), F.REPORTED, "county",
         gettext_lazy("Send to another department")),
    Move("reply", (F.REPORTED, F.ACCEPTED, F.RESOLVED, F.REOPENED), None, "involved", gettext_lazy("Reply")),
    Move("resolve", (F.ACCEPTED, F.REOPENED), F.RESOLVED, "department", gettext_lazy("Mark resolved")),
    Move("confirm", (F.RESOLVED,), F.CLOSED, "enterprise", gettext_lazy("Confirm and close")),
    Move("reopen", (F.RESOLVED,), F.REOPENED, "enterprise", gettext_lazy("Reopen")),
])


def resolve_days(category: str) -> int:
    table = settings.DIFFICULTY_RESOLVE_DAYS
    return int(table.get(category, table.get("*", 5)))


def route_for(unit: Unit, category: str) -> Department | None:
    """The department a new difficulty goes to: the routing table's for its category (an active
    department), else the unit's lead department; None when neither names one (the county officer
    then sends it on)."""
    route = DifficultyRoute.objects.filter(category=category, department__is_active=True).select_related(
        "department").first()
    return route.department if route else lead_department_for(unit)


def start_clocks(difficulty: Difficulty, day: date) -> None:
    accept = due_after(day, settings.DIFFICULTY_ACCEPT_DAYS)
    resolve = due_after(day, resolve_days(difficulty.category))
    difficulty.clock_started = day
    difficulty.accept_due = accept.due
    difficulty.resolve_due = resolve.due
    difficulty.due_confirmed = accept.confirmed and resolve.confirmed


def difficulty_report(*, user, unit: Unit, data: dict, files: Any = (), today: date | None = None) -> Difficulty:
    """Report a difficulty of the unit (its enterprise clerk), routed at once (``route_for``), with its
    attachments (``files``)."""
    if not scopes.can_report_difficulty(user, unit):
        raise PermissionDenied(_("Only the unit's enterprise clerk reports its difficulties."))
    today = today or timezone.localdate()
    errors = FieldErrors()
    category = clean_choice(errors, data, "category", DifficultyCategory)
    title = clean_text(errors, data, "title", required=True, max_length=100)
    details = clean_text(errors, data, "details", required=True, max_length=5000)
    checked = _attachments_checked(errors, files)
    errors.raise_if_any()
    with transaction.atomic():
        difficulty = Difficulty(unit=unit, category=category, title=title, details=details,
                                department=route_for(unit, category), reported_on=today, reported_by=user)
        start_clocks(difficulty, today)
        difficulty.save()
        event = DifficultyEvent.objects.create(difficulty=difficulty, kind=DifficultyEvent.Kind.REPORT,
                                               to_status=F.REPORTED, department=difficulty.department, text=details,
                                               by=user)
        _attach(event, checked, user)
    return difficulty


def _attachments_checked(errors: FieldErrors, files: Any) -> list[tuple[Any, str, str]]:
    """(upload, name, sha256) of each file, or their refusals on the field "attachments": at most
    DIFFICULTY_MAX_ATTACHMENTS documents (core.uploads: type, not empty, at most DOCUMENT_MAX_MB each)."""
    files = [f for f in (files or ()) if f is not None]
    if len(files) > settings.DIFFICULTY_MAX_ATTACHMENTS:
        errors.add("attachments", _("At most %(n)d files at a time.") % {"n": settings.DIFFICULTY_MAX_ATTACHMENTS})
        return []
    checked = []
    for upload in files:
        try:
            name, sha256 = uploads.document_checked(upload, field="attachments", label=_("Attachments"),
                                                    limit_mb=settings.DOCUMENT_MAX_MB)
        except DomainError as e:
            for message in e.errors.get("attachments", [e.message]):
                errors.add("attachments", f"{upload.name}: {message}" if upload.name else message)
            continue
        checked.append((upload, name, sha256))
    return checked


def _attach(event: DifficultyEvent, checked: list[tuple[Any, str, str]], user) -> None:
    for upload, name, sha256 in checked:
        DifficultyAttachment.objects.create(difficulty_id=event.difficulty_id, event=event, name=name, file=upload,
                                            size=upload.size, sha256=sha256, uploaded_by=user)


def _may(user, difficulty: Difficulty):
    handles = scopes.can_handle_difficulty(user, difficulty.department_id)
    county = scopes.can_reassign_difficulty(user, difficulty.unit.county_id)
    enterprise = scopes.can_confirm_difficulty(user, difficulty.unit_id)
    who = {"department": handles, "county": county, "enterprise": enterprise,
           "involved": handles or county or enterprise}
    return lambda move: who[move.who]


def moves_now(allowed: dict[str, Move]) -> str:
    """A refused move's second line: the moves the user may make now, by their labels."""
    if not allowed:
        return _("No move is open to you now.")
    return _("Open to you now: %(moves)s.") % {"moves": ", ".join(str(m.label) for m in allowed.values())}


def difficulty_moves_allowed(*, user, difficulty: Difficulty) -> dict[str, Move]:
    """The moves this user may make on the difficulty now (the page shows exactly these)."""
    return DIFFICULTIES.allowed(difficulty.status, may=_may(user, difficulty))


def difficulty_move(*, user, difficulty: Difficulty, action: str, data: dict, files: Any = (),
                    today: date | None = None) -> Difficulty:
    """Move a difficulty by the table above, writing the move into its thread with its text. A reply,
    a resolution and a reopening need their text; a reassignment a department that exists (and is not
    the one it is with); a confirmation the rating, 1 to 5. Any entry may carry attachments (``files``)."""
    move = DIFFICULTIES.move(action)
    today = today or timezone.localdate()
    required = {"reply": _("Write the reply."), "resolve": _("Write how it was resolved."),
                "reopen": _("Write why it is not resolved.")}.get(action, "")
    text = clean_note(data.get("text"), "text", required=required, max_length=5000)
    file_errors = FieldErrors()
    checked = _attachments_checked(file_errors, files)
    file_errors.raise_if_any()
    with transaction.atomic():
        difficulty = Difficulty.objects.select_for_update().select_related("unit").get(pk=difficulty.pk)
        may = _may(user, difficulty)
        try:
            DIFFICULTIES.check(difficulty.status, action, may=may)
        except DomainError as e:  # the state allows no such move: say which moves it allows the user now
            e.errors.setdefault("action", []).append(moves_now(DIFFICULTIES.allowed(difficulty.status, may=may)))
            raise
        before = difficulty.status
        department = None
        rating = None
        if action == "reassign":
            department = _department(data.get("department"), current=difficulty.department_id)
            difficulty.department = department
            start_clocks(difficulty, today)
            difficulty.accepted_on = None
        elif action == "accept":
            difficulty.accepted_on = today
        elif action == "resolve":
            difficulty.resolved_on = today
        elif action == "confirm":
            errors = FieldErrors()
            rating = clean_count(errors, "rating", data.get("rating"), minimum=1, maximum=5)
            if rating is None and "rating" not in errors.errors:
                errors.add("rating", _("Rate the answer from 1 to 5."))
            errors.raise_if_any()
            difficulty.rating = rating
            difficulty.closed_on = today
        elif action == "reopen":
            resolve = due_after(today, resolve_days(difficulty.category))
            difficulty.resolve_due = resolve.due
            difficulty.due_confirmed = difficulty.due_confirmed and resolve.confirmed
            difficulty.resolved_on = None
        if move.target is not None:
            difficulty.status = move.target
        difficulty.save()
        event = DifficultyEvent.objects.create(difficulty=difficulty, kind=action, from_status=before,
                                               to_status=difficulty.status, department=department, text=text,
                                               rating=rating, by=user)
        _attach(event, checked, user)
    return difficulty


def _department(raw: Any, *, current: int | None) -> Department:
    pk = valid_id(raw)
    department = Department.objects.filter(pk=pk, is_active=True).first() if pk else None
    if department is None:
        raise DomainError(_("Choose a department that exists."), field="department")
    if department.pk == current:
        raise DomainError(_("The difficulty is with this department already."), field="department")
    return department


# Escalation ----------------------------------------------------------------------------------------


def escalation_recipients(department_id: int | None) -> list:
    """Who an overdue difficulty of the department escalates to: the department's heads (active
    department officers with the head flag); without one, all its active department officers and the
    city administrators (active city administrator assignments and superusers)."""
    User = get_user_model()
    officers = RoleAssignment.objects.active().filter(role=Role.DEPARTMENT_OFFICER, department_id=department_id)
    users = User.objects.filter(is_active=True)
    if department_id is not None:
        heads = list(users.filter(pk__in=officers.filter(is_head=True).values("user_id")).order_by("pk"))
        if heads:
            return heads
    city = RoleAssignment.objects.active().filter(role=Role.CITY_ADMIN).values("user_id")
    return list(users.filter(Q(pk__in=officers.values("user_id")) | Q(pk__in=city) | Q(is_superuser=True))
                .order_by("pk"))


def overdue_clocks(difficulty: Difficulty, today: date) -> list[tuple[str, date]]:
    """The clocks of the difficulty that have run out by ``today``: ("accept", accept_due) while it is
    reported; ("resolve", resolve_due) while it is reported, accepted or reopened."""
    clocks = []
    if difficulty.status == F.REPORTED and today > difficulty.accept_due:
        clocks.append((DifficultyEvent.Clock.ACCEPT.value, difficulty.accept_due))
    if difficulty.status in (F.REPORTED, F.ACCEPTED, F.REOPENED) and today > difficulty.resolve_due:
        clocks.append((DifficultyEvent.Clock.RESOLVE.value, difficulty.resolve_due))
    return clocks


def difficulties_escalate(*, today: date | None = None, now: datetime | None = None) -> int:
    """The escalation rule (the daily job and the tests call this): every clock of an open difficulty
    that has run out by ``today`` and was not escalated yet becomes one "escalate" event, sent to
    ``escalation_recipients`` of its department. Returns how many were written; run again the same
    day (or any later day) it writes none for the same clock. ``now``: the events' time (default: now)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    late = Q(status=F.REPORTED, accept_due__lt=today) | Q(status__in=(F.REPORTED, F.ACCEPTED, F.REOPENED),
                                                          resolve_due__lt=today)
    candidates = list(Difficulty.objects.filter(late).order_by("pk"))
    done = set(DifficultyEvent.objects.filter(kind=DifficultyEvent.Kind.ESCALATE, difficulty__in=candidates)
               .values_list("difficulty_id", "clock", "due"))
    recipients: dict[int | None, list] = {}
    written = 0
    for difficulty in candidates:
        for clock, due in overdue_clocks(difficulty, today):
            if (difficulty.pk, clock, due) in done:
                continue
            if difficulty.department_id not in recipients:
                recipients[difficulty.department_id] = escalation_recipients(difficulty.department_id)
            try:
                with transaction.atomic():
                    event = DifficultyEvent.objects.create(
                        difficulty=difficulty, kind=DifficultyEvent.Kind.ESCALATE, from_status=difficulty.status,
                        to_status=difficulty.status, department=difficulty.department, clock=clock, due=due,
                        at=now)
                    event.notified.set(recipients[difficulty.department_id])
            except IntegrityError:  # another run escalated this clock meanwhile
                continue
            written += 1
    return written
