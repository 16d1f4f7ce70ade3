"""Every read of the resumption app, scoped by accounts.scopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, router
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Least
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengtong.accounts import scopes
from zhengtong.core import compiled
from zhengtong.core.http import per_request
from zhengtong.core.ids import valid_id
from zhengtong.core.panels import Figure, Todo
from zhengtong.registry.models import Industry, Region, Unit
from zhengtong.resumption import visits
from zhengtong.resumption.clocks import clock_status
from zhengtong.resumption.models import (
    DeclarationStatus,
    Difficulty,
    DifficultyAttachment,
    DifficultyCategory,
    DifficultyEvent,
    DifficultyStatus,
    ExpectedUnit,
    ResumptionDeclaration,
    ResumptionStage,
    Stage,
)
from zhengtong.screening import selectors as screening_selectors

TREND_WEEKS = 4


def current_declarations() -> QuerySet[ResumptionDeclaration]:
    """Declarations in force: those no later one corrects. Written as NOT EXISTS (an anti-join the
    planner estimates), not ``correction__isnull`` (a LEFT JOIN ... IS NULL it takes to keep one row in
    thousands, and then probes every unit one by one)."""
    corrected = ResumptionDeclaration.objects.filter(corrects=OuterRef("pk"))
    return ResumptionDeclaration.objects.filter(~Exists(corrected))


def current_stages() -> QuerySet[ResumptionStage]:
    """Stages in force: those no later report corrects (NOT EXISTS, as ``current_declarations``)."""
    return ResumptionStage.objects.filter(~Exists(ResumptionStage.objects.filter(corrects=OuterRef("pk"))))


def expected_q() -> Q:
    """The units expected to declare: active enterprises, with the city's additions and removals
    (ExpectedUnit)."""
    removed = ExpectedUnit.objects.filter(expected=False).values("unit_id")
    added = ExpectedUnit.objects.filter(expected=True).values("unit_id")
    return (Q(kind=Unit.Kind.ENTERPRISE, status=Unit.Status.ACTIVE) & ~Q(pk__in=removed)) | Q(pk__in=added)


def expected_units(*, user) -> QuerySet[Unit]:
    return Unit.objects.filter(scopes.resumption_units_q(user)).filter(expected_q())


def _annotated(qs: QuerySet[Unit], today: date) -> QuerySet[Unit]:
    declared = current_declarations().filter(unit=OuterRef("pk"))
    stages = current_stages().filter(unit=OuterRef("pk"), reached_on__lte=today)
    return qs.annotate(
        declared=Exists(declared),
        resumed=Exists(stages),
        fully=Exists(stages.filter(stage=Stage.FULLY)),
        behind=ExpressionWrapper(Exists(declared.filter(planned_date__lt=today)) & ~Exists(stages),
                                 output_field=BooleanField()),
    )


def units_overview(*, user, today: date, show: str = "", county: int | None = None,
                   q: str = "") -> QuerySet[Unit]:
    """The expected units the user oversees, each with whether it declared, resumed, fully resumed and
    is behind plan (its planned date has passed and it reports no stage), and its workforce declared and
    measured (``with_workforce``); ``show``: "undeclared", "behind", "resumed", "fully", "gap" or all."""
    qs = _annotated(expected_units(user=user), today).select_related("county", "industry")
    if county:
        qs = qs.filter(county_id=county)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q))
    qs = with_workforce(qs, today)
    filters = {"undeclared": Q(declared=False), "behind": Q(behind=True), "resumed": Q(resumed=True),
               "fully": Q(fully=True), "gap": Q(workforce_gap=True)}
    if show in filters:
        qs = qs.filter(filters[show])
    return qs


# Measured, not only declared -------------------------------------------------------------------


def workforce_span(today: date) -> tuple[date, date]:
    """The last ZT_WORKFORCE_DAYS whole days: the day in progress is not counted yet."""
    end = today - timedelta(days=1)
    return end - timedelta(days=settings.WORKFORCE_DAYS - 1), end


def with_workforce(qs: QuerySet[Unit], today: date) -> QuerySet[Unit]:
    """Units with ``returned_declared`` (the declaration in force), ``measured`` (the most people their
    sites admitted on one day of ``workforce_span``: screening's daily count; NULL when they have none,
    i.e. not measured) and ``workforce_gap``: both known and differing by more than ZT_WORKFORCE_GAP_PCT
    per cent of the declared figure. The rule of the flag, in the list's one statement."""
    start, end = workforce_span(today)
    declared = current_declarations().filter(unit=OuterRef("pk")).order_by("-declared_at", "-id")
    share = settings.WORKFORCE_GAP_PCT / 100
    qs = qs.annotate(returned_declared=Subquery(declared.values("workforce_returned")[:1],
                                                output_field=IntegerField()),
                     measured=screening_selectors.unit_admitted_peak(start=start, end=end))
    apart = (Q(measured__gt=F("returned_declared") * Value(1 + share))
             | Q(measured__lt=F("returned_declared") * Value(1 - share)))
    return qs.annotate(workforce_gap=Case(
        When(Q(measured__isnull=False, returned_declared__isnull=False) & apart, then=Value(True)),
        default=Value(False), output_field=BooleanField()))


@dataclass
class WorkforceDay:
    day: date
    admitted: int | None  # None: no count that day (no entry at the unit's sites)
    declared: int | None  # the returned workforce of the declaration in force that day
    x: int = 0  # the sparkline's bar: left edge, top and height (0..SPARK_HEIGHT); the declared mark's top
    y: int = 0
    bar: int = 0
    mark: int | None = None


@dataclass
class Workforce:
    days: list[WorkforceDay]
    declared: int | None  # the declaration in force now
    measured: int | None  # the highest day of the span; None: not measured
    flagged: bool
    gap_pct: float | None
    threshold: float

    @property
    def bar_width(self) -> int:
        return SPARK_WIDTH // max(len(self.days), 1)


SPARK_HEIGHT, SPARK_WIDTH = 64, 420


def unit_workforce(*, unit: Unit, today: date) -> Workforce:
    """The unit's workforce, declared and measured, day by day over ``workforce_span``; the flag by the
    rule of ``with_workforce``. Aggregates only (no person): the caller has found the unit in scope."""
    start, end = workforce_span(today)
    row = with_workforce(Unit.objects.filter(pk=unit.pk), today).get()
    admitted = screening_selectors.unit_admitted_daily(unit_id=unit.pk, start=start, end=end)
    in_force = list(ResumptionDeclaration.objects.filter(unit=unit).order_by("declared_on", "declared_at", "id")
                    .values_list("declared_on", "workforce_returned"))
    days = []
    for k in range((end - start).days + 1):
        day = start + timedelta(days=k)
        declared = next((n for on, n in reversed(in_force) if on <= day), None)
        days.append(WorkforceDay(day, admitted.get(day), declared))
    top = max([d.admitted or 0 for d in days] + [d.declared or 0 for d in days] + [1])
    width = SPARK_WIDTH // max(len(days), 1)
    for i, d in enumerate(days):
        d.x, d.bar = i * width, round(SPARK_HEIGHT * (d.admitted or 0) / top)
        d.y = SPARK_HEIGHT - d.bar
        d.mark = None if d.declared is None else SPARK_HEIGHT - round(SPARK_HEIGHT * d.declared / top)
    measured, declared = getattr(row, "measured"), getattr(row, "returned_declared")  # noqa: B009 (annotations)
    gap = 100 * (measured - declared) / declared if measured is not None and declared else None
    return Workforce(days, declared, measured, getattr(row, "workforce_gap"), gap,  # noqa: B009
                     settings.WORKFORCE_GAP_PCT)


@dataclass
class Rate:
    key: Any
    label: str
    expected: int = 0
    declared: int = 0
    resumed: int = 0
    fully: int = 0
    trend: tuple[int, ...] = ()  # resumed as of each of the last weeks, oldest first, then today

    @staticmethod
    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "—"

    @property
    def declared_pct(self) -> str:
        return self.pct(self.declared, self.expected)

    @property
    def resumed_pct(self) -> str:
        return self.pct(self.resumed, self.expected)

    @property
    def fully_pct(self) -> str:
        return self.pct(self.fully, self.expected)

    @property
    def trend_pcts(self) -> list[str]:
        return [self.pct(n, self.expected) for n in self.trend]


def trend_days(today: date) -> list[date]:
    return [today - timedelta(days=7 * w) for w in range(TREND_WEEKS, -1, -1)]


def _rates(*, user, today: date) -> list[tuple]:
    """The rates' one statement: the expected units the user oversees, grouped by county and industry,
    counted once each (expected), with a declaration (declared), with a stage in force reached by today
    (resumed), the full stage reached by today (fully), and resumed as of each earlier trend day (t0, t1,
    ...). Each unit's facts come from one pass over the declarations and one over the stages (the unit's
    first day of any stage and of the full stage, as in force: resumed by a day is "its first stage was
    reached by then"), joined by hash, not a lookup per unit and per column. A row: county id, industry
    id, then expected, declared, resumed, fully, t0, t1, ..."""
    days = trend_days(today)
    try:
        units_sql, units_params = (expected_units(user=user).order_by()
                                   .values("id", "county_id", "industry_id").query.sql_with_params())
    except EmptyResultSet:  # a scope that holds no unit
        return []
    # A correction is a declaration of the same unit (services.declaration_file), so a unit with any
    # declaration has one in force: no anti-join with the corrections (a fifth of the statement's time).
    declared = ResumptionDeclaration.objects.order_by().values("unit_id").distinct()
    declared_sql, declared_params = declared.query.sql_with_params()
    stages = (current_stages().order_by().values("unit_id")
              .annotate(first_on=Min("reached_on"),
                        fully_on=Min(Case(When(stage=Stage.FULLY, then=F("reached_on")), output_field=DateField()))))
    stages_sql, stages_params = stages.query.sql_with_params()
    adapt = connection.ops.adapt_datefield_value
    trend = "".join(f", COUNT(CASE WHEN s.first_on <= %s THEN 1 END) AS t{i}" for i in range(len(days) - 1))
    sql = (f"SELECT u.county_id, u.industry_id, COUNT(*) AS expected, "
           f"COUNT(d.unit_id) AS n_declared, COUNT(CASE WHEN s.first_on <= %s THEN 1 END) AS n_resumed, "
           f"COUNT(CASE WHEN s.fully_on <= %s THEN 1 END) AS n_fully{trend} "
           f"FROM ({units_sql}) u "
           f"LEFT JOIN ({declared_sql}) d ON d.unit_id = u.id "
           f"LEFT JOIN ({stages_sql}) s ON s.unit_id = u.id "
           "GROUP BY u.county_id, u.industry_id")  # the counties' names apart: not joined to every unit
    params = (adapt(today), adapt(today), *(adapt(d) for d in days[:-1]),
              *units_params, *declared_params, *stages_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rate(key, label, figures: list[int]) -> Rate:
    expected, declared, resumed, fully, *trend = figures
    return Rate(key, label, expected, declared, resumed, fully, (*trend, resumed))


@dataclass
class Rates:
    by_county: list[Rate]
    total: Rate
    by_section: list[Rate]


def rates(*, user, today: date) -> Rates:
    """Resumption rates of the expected units the user oversees, by county (the most expected first)
    and by GB/T 4754-2017 section (门类) of the units' main industry, each with its denominator (the
    expected units) and the weekly trend of the resumed rate, and the total: one statement, grouped by
    county and industry (thousands of rows for the city), folded both ways here as plain sums."""
    sections = _sections()
    rows = _rates(user=user, today=today)
    by_county: dict[Any, list[tuple]] = {}
    by_section: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:  # each row goes to its county and to its industry's section; summed column by column
        by_county.setdefault(row[0], []).append(row)
        by_section.setdefault(sections.get(row[1], ("?", "?")), []).append(row)
    names = dict(Region.objects.filter(pk__in=by_county.keys()).values_list("pk", "name"))
    counties = [_rate(key, names.get(key), _sums(group)) for key, group in by_county.items()]
    total = _rate("", _("Total"), _sums(rows) if rows else [0] * (4 + TREND_WEEKS))
    return Rates(sorted(counties, key=lambda r: (-r.expected, r.key)), total,
                 sorted((_rate(code, f"{code} {name}", _sums(group)) for (code, name), group in by_section.items()),
                        key=lambda r: r.key))


def _sums(rows: list[tuple]) -> list[int]:
    """The figures of ``_rates``' rows (after the county and the industry), summed column by column."""
    return [sum(column) for column in list(zip(*rows, strict=True))[2:]]


def rates_by_county(*, user, today: date) -> tuple[list[Rate], Rate]:
    """Resumption rates by county, and the total (``rates``)."""
    result = rates(user=user, today=today)
    return result.by_county, result.total


def _sections() -> dict[int, tuple[str, str]]:
    """Each industry's GB/T 4754 section (letter, name), by the industry's id."""
    rows = {pk: (code, name, level, parent) for pk, code, name, level, parent
            in Industry.objects.values_list("pk", "code", "name", "level", "parent_id")}
    result: dict[int, tuple[str, str]] = {}
    for pk in rows:
        node = pk
        while rows[node][2] != Industry.Level.SECTION and rows[node][3] is not None:
            node = rows[node][3]
        result[pk] = (rows[node][0], rows[node][1])
    return result


def rates_by_section(*, user, today: date) -> list[Rate]:
    """Resumption rates by GB/T 4754-2017 section (``rates``)."""
    return rates(user=user, today=today).by_section


# One unit --------------------------------------------------------------------------------------


def resumption_unit_get(*, user, pk: Any) -> Unit:
    """A unit whose resumption the user sees: through its scope, or as the lead department of one of
    its declarations. Anything else is a 404."""
    pk = valid_id(pk)
    if pk is None:
        raise Http404
    seen = scopes.resumption_units_q(user)
    if seen:  # not the city's Q() (every unit), which "|" would narrow to the other side alone
        seen |= Q(pk__in=ResumptionDeclaration.objects.filter(scopes.declarations_q(user)).values("unit_id"))
    unit = Unit.objects.filter(pk=pk).filter(seen).select_related("county", "industry").first()
    if unit is None:
        raise Http404
    return unit


def declaration_get(*, user, pk: Any) -> ResumptionDeclaration:
    pk = valid_id(pk)
    declaration = (ResumptionDeclaration.objects.filter(scopes.declarations_q(user), pk=pk)
                   .select_related("unit", "lead_department").first() if pk else None)
    if declaration is None:
        raise Http404
    return declaration


def unit_declaration_get(*, unit: Unit, pk: Any) -> ResumptionDeclaration:
    """One of the unit's declarations (the one a correction names); another unit's, or none, is a 404.
    The caller has found the unit in the user's scope."""
    pk = valid_id(pk)
    declaration = ResumptionDeclaration.objects.filter(unit=unit, pk=pk).first() if pk else None
    if declaration is None:
        raise Http404
    return declaration


def stage_get(*, user, unit: Unit, pk: Any) -> ResumptionStage:
    pk = valid_id(pk)
    stage = ResumptionStage.objects.filter(unit=unit, pk=pk).first() if pk else None
    if stage is None:
        raise Http404
    return stage


@dataclass
class TimelineItem:
    at: datetime
    day: date
    kind: str
    text: str
    detail: str = ""
    by: str = ""
    struck: bool = False  # corrected later


def _who(user) -> str:
    """A person on a page: the name the account carries (a demo's or a city's title), else the username."""
    return (user.get_full_name() or user.username) if user is not None else ""


def unit_timeline(*, unit: Unit) -> list[TimelineItem]:
    """Everything the unit declared and every answer, in time order: declarations (corrections with
    their reasons), answers, stages."""
    items: list[TimelineItem] = []
    declarations = (ResumptionDeclaration.objects.filter(unit=unit)
                    .select_related("declared_by", "answered_by", "lead_department", "correction"))
    for d in declarations:
        corrected = hasattr(d, "correction")
        kind = _("Correction") if d.corrects_id else _("Declaration")
        items.append(TimelineItem(
            d.declared_at, d.declared_on, kind,
            _("Planned %(day)s; workforce %(r)d of %(t)d returned (%(o)d from outside the city, %(i)d of them "
              "isolated)") % {"day": d.planned_date.isoformat(), "r": d.workforce_returned, "t": d.workforce_total,
                              "o": d.returned_from_outside, "i": d.outside_isolated},
            d.reason, _who(d.declared_by), corrected))
        if d.answered_at:
            items.append(TimelineItem(d.answered_at, d.answered_on or d.answered_at.date(),
                                      _("Answer: %(s)s") % {"s": d.get_status_display()}, d.answer, "",
                                      _who(d.answered_by)))
    for s in ResumptionStage.objects.filter(unit=unit).select_related("reported_by", "correction"):
        items.append(TimelineItem(
            s.reported_at, s.reached_on, s.get_stage_display(),
            _("%(day)s, capacity %(pct)d%%") % {"day": s.reached_on.isoformat(), "pct": s.capacity_pct},
            s.reason or s.note, _who(s.reported_by), hasattr(s, "correction")))
    items.sort(key=lambda i: i.at)
    return items


def unit_stages(*, unit: Unit) -> list[ResumptionStage]:
    return list(current_stages().filter(unit=unit).order_by("reached_on", "id"))


def declaration_clock(declaration: ResumptionDeclaration, today: date) -> str:
    done = declaration.answered_on if declaration.status != DeclarationStatus.FILED else None
    return clock_status(declaration.answer_due, today, done_on=done)


# Lists -----------------------------------------------------------------------------------------


def declaration_list(*, user, status: str = "", q: str = "") -> QuerySet[ResumptionDeclaration]:
    """Declarations in force the user sees (the lead department: those filed with it)."""
    qs = (current_declarations().filter(scopes.declarations_q(user))
          .select_related("unit", "unit__county", "lead_department"))
    if status in DeclarationStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__uscc__iexact=q))
    return qs


# Difficulties ------------------------------------------------------------------------------------

OPEN_DIFFICULTIES = (DifficultyStatus.REPORTED, DifficultyStatus.ACCEPTED, DifficultyStatus.RESOLVED,
                     DifficultyStatus.REOPENED)


def overdue_q(today: date) -> Q:
    """Difficulties past a clock: not accepted by the acceptance due date, or not resolved (nor
    resolved again after a reopening) by the resolution due date."""
    return (Q(status=DifficultyStatus.REPORTED, accept_due__lt=today)
            | Q(status__in=(DifficultyStatus.REPORTED, DifficultyStatus.ACCEPTED, DifficultyStatus.REOPENED),
                resolve_due__lt=today))


def difficulty_list(*, user, today: date, status: str = "", category: str = "", q: str = "",
                    unit: int | None = None) -> QuerySet[Difficulty]:
    """Difficulties the user sees (accounts.scopes.difficulties_q); ``status``: one of the states,
    "open" or "overdue"."""
    qs = Difficulty.objects.filter(scopes.difficulties_q(user)).select_related("unit", "unit__county", "department")
    if status == "open":
        qs = qs.filter(status__in=OPEN_DIFFICULTIES)
    elif status == "overdue":
        qs = qs.filter(overdue_q(today))
    elif status in DifficultyStatus.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if unit:
        qs = qs.filter(unit_id=unit)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    return qs


# The states in which a difficulty waits for its department: to be accepted, to be resolved.
INBOX_STATUSES = (DifficultyStatus.REPORTED, DifficultyStatus.ACCEPTED, DifficultyStatus.REOPENED)
INBOX_WHEN = ("overdue", "today", "escalated")


def escalated_now(escalations: QuerySet[DifficultyEvent]) -> Exists:
    """Whether the clock a difficulty is on now was escalated: its resolution clock (this due date), or
    its acceptance clock while it is still reported."""
    return Exists(escalations.filter(difficulty=OuterRef("pk")).filter(
        Q(clock=DifficultyEvent.Clock.RESOLVE, due=OuterRef("resolve_due"))
        | Q(clock=DifficultyEvent.Clock.ACCEPT, due=OuterRef("accept_due"),
            difficulty__status=DifficultyStatus.REPORTED)))


def current_due() -> Case:
    """The due date of the clock a difficulty is on: acceptance while reported (or its resolution date,
    should that come first), resolution while accepted or reopened."""
    return Case(When(status=DifficultyStatus.REPORTED, then=Least("accept_due", "resolve_due")),
                default=F("resolve_due"), output_field=DateField())


def department_inbox(*, user, today: date, status: str = "", category: str = "", when: str = "",
                     q: str = "") -> QuerySet[Difficulty]:
    """A department officer's inbox: the difficulties routed to their departments that wait for them
    (reported: to accept; accepted or reopened: to resolve), each with ``due`` (its running clock's due
    date) and ``escalated`` (its running clock was escalated); sorted by ``due`` the overdue come first,
    then those due today. The city administrator's inbox, and a department officer's beyond their own
    departments, holds the overdue difficulties escalated to them (services.difficulties_escalate).
    ``status``: one of those three states; ``when``: "overdue", "today" or "escalated"."""
    if not getattr(user, "is_authenticated", False):
        return Difficulty.objects.none()
    waiting, own, to_me = _inbox_parts(user=user, today=today)
    escalations = DifficultyEvent.objects.filter(kind=DifficultyEvent.Kind.ESCALATE)
    qs = (waiting.filter(own | to_me)
          .annotate(due=current_due(), escalated=escalated_now(escalations))
          .select_related("unit", "unit__county", "department"))
    if status in INBOX_STATUSES:
        qs = qs.filter(status=status)
    if category in DifficultyCategory.values:
        qs = qs.filter(category=category)
    if when == "overdue":
        qs = qs.filter(due__lt=today)
    elif when == "today":
        qs = qs.filter(due=today)
    elif when == "escalated":
        qs = qs.filter(escalated=True)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    return qs


def _inbox_parts(*, user, today: date) -> tuple[QuerySet[Difficulty], Q, Q]:
    """The inbox's rows are those of the first part (the difficulties the user sees that wait for a
    department) that are the user's own (routed to their departments) or escalated to them, overdue."""
    escalations = DifficultyEvent.objects.filter(kind=DifficultyEvent.Kind.ESCALATE)
    to_me = Q(pk__in=escalations.filter(notified=user).values("difficulty_id")) & overdue_q(today)
    waiting = Difficulty.objects.filter(scopes.difficulties_q(user)).filter(status__in=INBOX_STATUSES)
    return waiting, scopes.difficulty_inbox_q(user), to_me


def inbox_clock(difficulty: Difficulty, today: date) -> dict[str, Any]:
    """The running clock of an inbox row (``department_inbox`` annotates ``due``): its label, due date,
    "overdue", "due_today" or "running", and whether the holiday calendar was confirmed."""
    label = _("Acceptance") if difficulty.status == DifficultyStatus.REPORTED else _("Resolution")
    due = difficulty.due  # type: ignore[attr-defined]
    return {"label": label, "due": due, "status": clock_status(due, today), "overdue": today > due,
            "confirmed": difficulty.due_confirmed}


def inbox_preview(*, user, today: date, size: int = 10, request: HttpRequest | None = None) -> dict[str, Any]:
    """The head of the user's inbox for their home page: the first ``size`` rows in the inbox's order
    (overdue first) with their clocks, the total and how many are overdue."""
    qs = department_inbox(user=user, today=today)
    rows = [(d, inbox_clock(d, today)) for d in qs.order_by(F("due"), "pk")[:size]]
    return {"rows": rows, "total": inbox_difficulty_count(user=user, today=today, request=request),
            "overdue": _inbox_overdue_count(user=user, today=today)}


def _inbox_overdue_count(*, user, today: date) -> int:
    """``department_inbox(...).filter(overdue_q(today)).count()``, its statement compiled once for a
    user, a scope and a day (as ``_inbox_count``'s): some 2,800 Python calls a home page through the ORM."""
    key = (router.db_for_read(Difficulty), user.pk, scopes.scope_key(user), today)
    statement = compiled.kept(_INBOX_OVERDUE_STATEMENTS, key, lambda: compiled.compile_count(
        department_inbox(user=user, today=today).using(key[0]).filter(overdue_q(today))))
    return compiled.count(statement)


_INBOX_OVERDUE_STATEMENTS: dict[tuple, compiled.Count] = {}


def inbox_difficulty_count(*, user, today: date, request: HttpRequest | None = None) -> int:
    """How many difficulties wait in the user's inbox, unfiltered; counted once per ``request``: the
    inbox page's total and the navigation's count are this one number."""
    return per_request(request, ("inbox_difficulties", today), lambda: _inbox_count(user=user, today=today))


def _inbox_count(*, user, today: date) -> int:
    """``department_inbox(...).count()``, in one statement as two parts that do not overlap (UNION ALL):
    the user's own (an index-only scan of ``difficulty_dept_status``) and those escalated to them beyond
    their departments (a few). Counted at once, the OR of the two made PostgreSQL read each of the
    department's rows from the table: 2.6 ms against 1.2 ms for 2,100 rows, on every page of a department
    officer (the navigation's count)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = (router.db_for_read(Difficulty), user.pk, scopes.scope_key(user), today)

    def union() -> compiled.Count:
        waiting, own, to_me = _inbox_parts(user=user, today=today)
        return compiled.compile_count(waiting.using(key[0]).filter(own).order_by().values("pk").union(
            waiting.using(key[0]).filter(to_me).exclude(own).order_by().values("pk"), all=True))

    return compiled.count(compiled.kept(_INBOX_COUNT_STATEMENTS, key, union))


# The inbox count's statement by (database, user, scope, day): it is a function of these alone, and the
# same on every page of a user on a day (the navigation's count), so the ORM builds and compiles it once
# for them (about 4,000 Python calls a page), not on each page.
_INBOX_COUNT_STATEMENTS: dict[tuple, compiled.Count] = {}


INBOX_INSTRUCTIONS_KEY = "inbox_instructions"


def inbox_count(*, user, today: date, request: HttpRequest | None = None) -> int:
    """How many items wait in the user's inbox (the navigation's count): its difficulties, and for a
    department's officer the open instructions given to the department (visits.department_instructions);
    each counted once per ``request``."""
    n = inbox_difficulty_count(user=user, today=today, request=request)
    if getattr(user, "is_authenticated", False) and scopes.get_scope(user).departments:
        n += per_request(request, (INBOX_INSTRUCTIONS_KEY, today),
                         lambda: visits.open_instruction_count(user=user, today=today))
    return n


def difficulty_get(*, user, pk: Any) -> Difficulty:
    pk = valid_id(pk)
    difficulty = (Difficulty.objects.filter(scopes.difficulties_q(user), pk=pk)
                  .select_related("unit", "unit__county", "department", "reported_by").first() if pk else None)
    if difficulty is None:
        raise Http404
    return difficulty


def difficulty_events(*, difficulty: Difficulty) -> QuerySet[DifficultyEvent]:
    return (difficulty.events.select_related("by", "department").prefetch_related("notified", "attachments")
            .order_by("at", "id"))


def attachment_get(*, user, difficulty_pk: Any, pk: Any) -> DifficultyAttachment:
    """An attachment of a difficulty the user sees (``difficulty_get``); anything else is a 404."""
    difficulty = difficulty_get(user=user, pk=difficulty_pk)
    pk = valid_id(pk)
    attachment = difficulty.attachments.filter(pk=pk).first() if pk else None
    if attachment is None:
        raise Http404
    return attachment


def difficulties_overdue_count(*, user, today: date) -> int:
    """How many of the difficulties the user sees are past a clock (the county overview's red figure)."""
    return Difficulty.objects.filter(scopes.difficulties_q(user)).filter(overdue_q(today)).count()


def difficulty_clock(difficulty: Difficulty, today: date) -> dict[str, Any]:
    """The clock the difficulty is on now: acceptance while reported, resolution while accepted or
    reopened; its due date and whether it is overdue."""
    if difficulty.status == DifficultyStatus.REPORTED:
        overdue = today > difficulty.accept_due or today > difficulty.resolve_due
        return {"label": _("Acceptance"), "due": difficulty.accept_due, "overdue": overdue, "running": True}
    if difficulty.status in (DifficultyStatus.ACCEPTED, DifficultyStatus.REOPENED):
        return {"label": _("Resolution"), "due": difficulty.resolve_due, "overdue": today > difficulty.resolve_due,
                "running": True}
    return {"label": _("Resolution"), "due": difficulty.resolve_due, "overdue": False, "running": False}


def reporting_units(*, user) -> QuerySet[Unit]:
    """Units whose difficulties the user reports: an enterprise clerk's own (every unit for the city)."""
    s = scopes.get_scope(user)
    if s.is_city:
        return Unit.objects.filter(kind=Unit.Kind.ENTERPRISE).order_by("name")
    return Unit.objects.filter(pk__in=s.clerk_units).order_by("name")


# Home page ---------------------------------------------------------------------------------------


def todo(*, user, today: date) -> list[Todo]:
    """Declarations waiting for the lead department's answer."""
    s = scopes.get_scope(user)
    if not (s.is_city or s.departments):
        return _difficulty_todo(user=user, today=today)
    qs = current_declarations().filter(status=DeclarationStatus.FILED)
    if not s.is_city:
        qs = qs.filter(lead_department_id__in=s.departments)
    n = qs.count()
    if not n:
        return _difficulty_todo(user=user, today=today)
    late = qs.filter(answer_due__lt=today).exists()
    text = ngettext("%(n)d resumption declaration to answer.", "%(n)d resumption declarations to answer.", n)
    items = [Todo(text=text % {"n": n}, url=reverse("resumption:declaration_list") + "?status=filed", urgent=late)]
    return items + _difficulty_todo(user=user, today=today)


def figures(*, user, now: datetime) -> list[Figure]:
    if not scopes.can_oversee_resumption(user):
        return []
    n = expected_units(user=user).filter(Exists(current_stages().filter(unit=OuterRef("pk")))).count()
    return [Figure(label=_("Units resumed"), value=n, url=reverse("resumption:overview"))]


def _difficulty_todo(*, user, today: date) -> list[Todo]:
    """Difficulties waiting for the user: a department's to accept or solve, an enterprise's to confirm,
    and the overdue ones the county and the city follow."""
    s = scopes.get_scope(user)
    mine = Difficulty.objects.filter(scopes.difficulties_q(user))
    url = reverse("resumption:difficulty_list")
    items = []
    if s.is_city or s.departments:
        waiting = mine.filter(status__in=(DifficultyStatus.REPORTED, DifficultyStatus.ACCEPTED,
                                          DifficultyStatus.REOPENED))
        if not s.is_city:
            waiting = waiting.filter(department_id__in=s.departments)
        n = waiting.count()
        if n:
            to = url + "?status=open" if s.is_city else reverse("resumption:inbox")
            items.append(Todo(text=ngettext("%(n)d difficulty to solve.", "%(n)d difficulties to solve.", n)
                         % {"n": n}, url=to, urgent=waiting.filter(overdue_q(today)).exists()))
    if s.clerk_units:
        n = mine.filter(unit_id__in=s.clerk_units, status=DifficultyStatus.RESOLVED).count()
        if n:
            items.append(Todo(text=ngettext("%(n)d resolved difficulty to confirm.",
                                            "%(n)d resolved difficulties to confirm.", n) % {"n": n},
                              url=url + "?status=resolved"))
    if s.counties and not s.is_city:
        n = mine.filter(overdue_q(today)).count()
        if n:
            items.append(Todo(text=ngettext("%(n)d overdue difficulty.", "%(n)d overdue difficulties.", n)
                              % {"n": n}, url=url + "?status=overdue", urgent=True))
    return items
