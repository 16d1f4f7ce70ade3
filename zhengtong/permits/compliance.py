"""Compliance reports (执行报告) and enforcement cases: the writes and the checks behind them.

Reports (条例 Art. 22): the unit reports actual discharges per outlet and pollutant at the cadence
written on its permit. Each report is compared with the permit's limits: a measured concentration
above the permitted one, or the year's quantity so far above the permitted annual quantity, is an
exceedance. A report is due on ``PERMIT_REPORT_DUE_DAY`` of the month after its period (setting:
NOT FOUND in a text we hold); late and missing reports are found by ``expected_reports``.

Enforcement: ``enforcement_scan`` opens one case per violation found (a unit that needs a permit
and has none after its campaign deadline; a registration-class unit with no registration; an
exceedance; a late or missing report), each offered the legal bases in force on its date
(law.penalties_for). A case's moves (``CASES``; who: a permit reviewer of the unit's region):

=======  =======================  ==========  ========  ==========================================
action   from                     to          who       rule
=======  =======================  ==========  ========  ==========================================
decide   open                     decided     reviewer  a basis in force on the date, its measures,
                                                        a fine inside its band (×instances if per
                                                        instance)
rectify  decided                  rectifying  reviewer  the unit is correcting
close    open, decided,           closed      reviewer  a closing note (found no violation,
         rectifying                                     corrected, paid …)
=======  =======================  ==========  ========  ==========================================
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

from zhengtong.accounts import scopes
from zhengtong.core import audit
from zhengtong.core.cleaners import clean_count, clean_date, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.core.statemachine import Move, StateMachine
from zhengtong.permits import law, numbers, selectors
from zhengtong.permits.models import ComplianceReport, EnforcementCase, Permit, ReportValue
from zhengtong.permits.workflow import REVIEWER, clean_measure, who_may

MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}
MAX_INSTANCES = 10_000  # instances of one violation a case counts (a per-instance fine multiplies by it)

C = EnforcementCase.Status
CASES = StateMachine(pgettext_lazy("state machine", "case"), C.choices, [
    Move("decide", (C.OPEN,), C.DECIDED, REVIEWER, gettext_lazy("Decide")),
    Move("rectify", (C.DECIDED,), C.RECTIFYING, REVIEWER, gettext_lazy("Under rectification")),
    Move("close", (C.OPEN, C.DECIDED, C.RECTIFYING), C.CLOSED, REVIEWER, gettext_lazy("Close the case")),
])


# Periods --------------------------------------------------------------------------------------


def _month_start(day: date, months: int) -> date:
    """The start of the period of ``months`` months (aligned on the calendar year) holding ``day``."""
    index = (day.month - 1) // months * months
    return date(day.year, index + 1, 1)


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def period_of(kind: str, start: date) -> tuple[date, date]:
    """The calendar period of this kind that begins on ``start``; raises if ``start`` is not one."""
    months = MONTHS[kind]
    if start != _month_start(start, months):
        raise DomainError(_("A %(kind)s period starts on the first day of its period (for example %(ex)s).") % {
            "kind": ComplianceReport.Kind(kind).label, "ex": _month_start(start, months).isoformat()},
            field="period_start")
    return start, _add_months(start, months) - timedelta(days=1)


def due_date(period_end: date) -> date:
    nxt = period_end + timedelta(days=1)
    return date(nxt.year, nxt.month, min(settings.PERMIT_REPORT_DUE_DAY, 28))


def lookback_start(today: date) -> date:
    """The scan looks at report periods ending after this day (PERMIT_ENFORCEMENT_LOOKBACK_DAYS)."""
    return today - timedelta(days=settings.PERMIT_ENFORCEMENT_LOOKBACK_DAYS)


def expected_reports(permit: Permit, today: date, since: date | None = None,
                     reports: list[ComplianceReport] | None = None) -> list[dict[str, Any]]:
    """Every report period of the permit's cadence that has ended by ``today`` (and after ``since``),
    with its due date and the report filed for it (None when missing). ``reports``: the permit's
    reports, every version, when the caller has read them already."""
    if reports is None:
        reports = list(permit.reports.all())
    current = {(r.kind, r.period_start): r for r in reports if r.status == ComplianceReport.Status.SUBMITTED}
    first_filed: dict[tuple, Any] = {}  # a correction does not make a report filed on time late
    for r in sorted(reports, key=lambda r: r.submitted_at):
        first_filed.setdefault((r.kind, r.period_start), r.submitted_at)
    rows = []
    permit_end = permit.ended_on or permit.valid_until
    for cadence in permit.report_cadence:
        kind = cadence["kind"]
        months = MONTHS.get(kind)
        if months is None:
            continue
        start = _month_start(permit.valid_from, months)
        while True:
            start, end = period_of(kind, start)
            if end >= today or start > permit_end:
                break
            if since is not None and end < since:
                start = _add_months(start, months)
                continue
            report = current.get((kind, start))
            due = due_date(end)
            first = first_filed.get((kind, start))
            rows.append({"kind": kind, "start": start, "end": end, "due": due, "report": report,
                         "missing": report is None and due < today,
                         "late": first is not None and timezone.localdate(first) > due})
            start = _add_months(start, months)
    return rows


# Reports -------------------------------------------------------------------------------------------


def _permit_limits(permit: Permit) -> dict[tuple[str, str], dict]:
    return {(o["code"], lim["pollutant"]): {**lim, "medium": o.get("medium", o["code"][1:2])}
            for o in permit.content.get("outlets", []) for lim in o.get("limits", [])}


def _clean_values(permit: Permit, values: list[dict]) -> list[dict]:
    limits = _permit_limits(permit)
    errors = FieldErrors()
    cleaned, seen = [], set()
    for i, row in enumerate(values or []):
        prefix = f"values[{i}]"
        try:
            outlet_code = numbers.check_outlet_code(row.get("outlet_code"), field=f"{prefix}.outlet_code")
        except DomainError as e:
            errors.add(f"{prefix}.outlet_code", e.message)
            continue
        key = (outlet_code, str(row.get("pollutant") or "").strip())
        if key not in limits:
            errors.add(f"{prefix}.pollutant", _("%(p)s at %(o)s is not in the permit.") % {"p": key[1], "o": key[0]})
            continue
        if key in seen:
            errors.add(f"{prefix}.pollutant", _("%(p)s at %(o)s is listed twice.") % {"p": key[1], "o": key[0]})
        seen.add(key)
        concentration = clean_measure(errors, f"{prefix}.concentration", row.get("concentration"))
        unit = clean_text(errors, row, "concentration_unit", max_length=20, field=f"{prefix}.concentration_unit")
        if concentration is not None and not unit:
            errors.add(f"{prefix}.concentration_unit", _("A measured value needs its unit of measure."))
        quantity = clean_measure(errors, f"{prefix}.quantity", row.get("quantity"))
        cleaned.append({"outlet_code": key[0], "pollutant": key[1], "concentration": concentration,
                        "concentration_unit": unit, "quantity": quantity})
    errors.raise_if_any()
    return cleaned


def _exceedances(permit: Permit, report_values: list[dict], year_totals: dict) -> list[dict]:
    """Values above the permit's limits: concentration (same unit only), and the year's quantity."""
    found = []
    for (code, pollutant), lim in _permit_limits(permit).items():
        value = next((v for v in report_values if (v["outlet_code"], v["pollutant"]) == (code, pollutant)), None)
        if value and value["concentration"] is not None and lim.get("concentration"):
            if value["concentration_unit"] != lim.get("concentration_unit"):
                found.append({"outlet": code, "pollutant": pollutant, "what": "unit",
                              "detail": f"{value['concentration_unit']} ≠ {lim.get('concentration_unit')}"})
            elif value["concentration"] > Decimal(lim["concentration"]):
                found.append({"outlet": code, "pollutant": pollutant, "what": "concentration",
                              "actual": str(value["concentration"]), "limit": lim["concentration"],
                              "unit": lim.get("concentration_unit", ""), "medium": lim["medium"]})
        total = year_totals.get((code, pollutant))
        if total is not None and lim.get("annual_quantity") and total > Decimal(lim["annual_quantity"]):
            found.append({"outlet": code, "pollutant": pollutant, "what": "quantity", "actual": str(total),
                          "limit": lim["annual_quantity"], "unit": "t/a", "medium": lim["medium"]})
    return found


@transaction.atomic
def report_submit(*, user, permit: Permit, kind: str, period_start: date | str, values: list[dict],
                  stopped_production: bool = False, notes: str = "", correction_reason: str = "",
                  now=None) -> ComplianceReport:
    """Submit a compliance report (条例 Art. 22). A period before the permit, a period not over, a
    kind the permit does not ask for, values not in the permit, negative quantities: refused. A
    second report for the same period is a correction and needs its reason. ``period_start`` is a
    date, or its text as typed (YYYY-MM-DD)."""
    permit = Permit.objects.select_for_update().select_related("fixed_source__unit").get(pk=permit.pk)
    if not scopes.can_declare_for_unit(user, permit.fixed_source.unit):
        raise PermissionDenied
    now = now or timezone.now()
    today = timezone.localdate(now)
    if kind not in {c["kind"] for c in permit.report_cadence}:
        raise DomainError(_("This permit does not ask for %(kind)s reports.") % {
            "kind": ComplianceReport.Kind(kind).label if kind in ComplianceReport.Kind.values else kind}, field="kind")
    errors = FieldErrors()
    period_start = clean_date(errors, {"period_start": period_start}, "period_start")
    errors.raise_if_any()
    if period_start is None:
        raise DomainError(_("This field is required."), field="period_start")
    if period_start > today:  # before period_of, which counts months past it (the year 9999 has no end)
        raise DomainError(_("The period has not begun yet."), field="period_start")
    start, end = period_of(kind, period_start)
    if end < permit.valid_from:
        raise DomainError(_("The period ends before the permit began (%(d)s).") % {"d": permit.valid_from.isoformat()},
                          field="period_start")
    if end >= today:
        raise DomainError(_("The period is not over yet (it ends on %(d)s).") % {"d": end.isoformat()},
                          field="period_start")
    cleaned = _clean_values(permit, values)
    if not cleaned and not stopped_production:
        raise DomainError(_("Report the discharges, or say that production stopped in the period."), field="values")
    current = ComplianceReport.objects.filter(permit=permit, kind=kind, period_start=start,
                                              status=ComplianceReport.Status.SUBMITTED).first()
    errors = FieldErrors()
    reason = clean_text(errors, {"correction_reason": correction_reason}, "correction_reason", max_length=300)
    notes = clean_text(errors, {"notes": notes}, "notes", max_length=5000)
    errors.raise_if_any()
    if current is not None:
        if not reason:
            raise DomainError(_("A report for this period exists: say why it is corrected."), field="correction_reason")
        current.status = ComplianceReport.Status.SUPERSEDED
        audit.record(current, user, reason)
        current.save(update_fields=["status"])
    last = ComplianceReport.objects.filter(permit=permit, kind=kind, period_start=start).order_by("-version").first()
    totals = _year_totals(permit, start, end, cleaned, exclude_kind_period=(kind, start))
    report = ComplianceReport(
        permit=permit, kind=kind, period_start=start, period_end=end, version=(last.version + 1) if last else 1,
        due=due_date(end), submitted_at=now, submitted_by=user, stopped_production=stopped_production,
        notes=notes, correction_reason=reason,
        exceedances=_exceedances(permit, cleaned, totals),
    )
    audit.record(report, user, reason)
    report.save()
    ReportValue.objects.bulk_create([ReportValue(report=report, **v) for v in cleaned])
    return report


def _year_totals(permit: Permit, start: date, end: date, values: list[dict], exclude_kind_period) -> dict:
    """The calendar year's quantities so far: this report's plus the year's other current reports
    of the same kind (an annual report is the year's total by itself)."""
    totals: dict[tuple[str, str], Decimal] = {}
    for v in values:
        if v["quantity"] is not None:
            totals[(v["outlet_code"], v["pollutant"])] = v["quantity"]
    kind = exclude_kind_period[0]
    if kind == "annual":
        return totals
    others = ReportValue.objects.filter(
        report__permit=permit, report__kind=kind, report__status=ComplianceReport.Status.SUBMITTED,
        report__period_start__year=start.year, report__period_start__lt=start, quantity__isnull=False)
    for row in others.values("outlet_code", "pollutant", "quantity"):
        key = (row["outlet_code"], row["pollutant"])
        if key in totals:
            totals[key] += row["quantity"]
    return totals


# Enforcement -------------------------------------------------------------------------------------


def _open(unit_id: int, kind: str, reference: str, on: date, details: str) -> bool:
    _case, created = EnforcementCase.objects.get_or_create(
        unit_id=unit_id, kind=kind, reference=reference[:120],
        defaults={"violation_date": on, "details": details[:2000]})
    return created


def enforcement_scan(*, today: date | None = None) -> dict[str, int]:
    """Open a case for every violation found; running it again opens nothing twice."""
    today = today or timezone.localdate()
    opened = dict.fromkeys(EnforcementCase.Kind.values, 0)
    campaign = selectors.campaign_current()
    if campaign is not None:
        rows = selectors.campaign_units(user=None, campaign=campaign, today=today, only_past_due=True)
        missing = selectors.uncovered_filing([row["unit"].pk for row in rows])
        for row in rows:
            # what each location lacks, not the unit's strictest class: a unit holding its permit at
            # one location and not registered at another has not filed a registration (one case a kind)
            by_kind: dict[str, list[str]] = {}
            for source, cls in missing.get(row["unit"].pk, ()):
                by_kind.setdefault("no_registration" if cls == "registration" else "no_permit", []).append(
                    f"{source:03d}")
            due = row["due"].date
            for kind, sources in by_kind.items():
                with override(settings.LANGUAGE_CODE):  # stored text, read by the bureau
                    where = _("fixed source %(n)s") % {"n": ", ".join(sources)}
                opened[kind] += _open(row["unit"].pk, kind, f"campaign:{campaign.pk}", due + timedelta(days=1),
                                      f"{campaign.name}: {due.isoformat()} ({where})")
    since = lookback_start(today)
    by_permit: dict[int, list[ComplianceReport]] = {}
    for report in ComplianceReport.objects.filter(period_end__gte=since).only(
            "permit_id", "kind", "period_start", "status", "submitted_at"):
        by_permit.setdefault(report.permit_id, []).append(report)
    for permit in Permit.objects.exclude(report_cadence=[]).select_related("fixed_source"):
        unit_id = permit.fixed_source.unit_id
        for row in expected_reports(permit, today, since=since, reports=by_permit.get(permit.pk, [])):
            ref = f"report:{permit.pk}:{row['kind']}:{row['start'].isoformat()}"
            if row["missing"]:
                opened["missing_report"] += _open(unit_id, "missing_report", ref, row["due"] + timedelta(days=1),
                                                  f"{permit.number} {row['kind']} {row['start']}–{row['end']}")
            elif row["late"]:
                opened["late_report"] += _open(unit_id, "late_report", ref, row["due"] + timedelta(days=1),
                                               f"{permit.number} {row['kind']} {row['start']}–{row['end']}")
    for report in ComplianceReport.objects.filter(status="submitted").exclude(exceedances=[]).select_related(
            "permit__fixed_source"):
        for e in report.exceedances:
            if e["what"] == "unit":
                continue
            ref = f"exceed:{report.permit_id}:{report.kind}:{report.period_start}:{e['outlet']}:{e['pollutant']}"
            opened["exceedance"] += _open(
                report.permit.fixed_source.unit_id, "exceedance", ref, report.period_end,
                f"{report.permit.number} {e['outlet']} {e['pollutant']}: {e['actual']} > {e['limit']} {e['unit']}")
    return opened


def case_bases(case: EnforcementCase) -> list[law.Penalty]:
    """The bases in force on the violation date; an exceedance only under the law of its medium
    (the outlet code's second letter: A air, W water)."""
    medium = ""
    if case.kind == "exceedance" and case.reference.startswith("exceed:"):
        outlet = case.reference.split(":")[4] if case.reference.count(":") >= 5 else ""
        medium = outlet[1:2] if outlet[:1] == "D" else ""
    return law.penalties_for(case.kind, case.violation_date, medium)


RECTIFYING_MEASURES = ("order_correction", "restrict_production", "suspend")


@transaction.atomic
def case_decide(*, user, case: EnforcementCase, basis: str, measures: list[str], fine: Any,
                instances: Any = 1, on: date | None = None, deadline: Any = None) -> EnforcementCase:
    """Record the officer's choice of legal basis (one in force on the violation date), its measures
    and a fine inside its band (条例 Art. 37 counts each instance: ``instances``, as typed, 1 if not);
    a measure that orders correction, restriction or suspension needs its rectification deadline,
    after the day of the decision."""
    case = EnforcementCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    move = CASES.check(case.status, "decide", may=who_may(user, case.unit))
    errors = FieldErrors()
    decided_on = on or timezone.localdate()
    until = clean_date(errors, {"deadline": deadline}, "deadline")
    if until is None and "deadline" not in errors.errors and set(measures or ()) & set(RECTIFYING_MEASURES):
        errors.add("deadline", _("Give the day by which the unit must rectify."))
    elif until is not None and until <= decided_on:
        errors.add("deadline", _("The deadline comes after the day of the decision."))
    instances = clean_count(errors, "instances", instances, minimum=1, maximum=MAX_INSTANCES, default=1)
    chosen = next((p for p in case_bases(case) if p.key == basis), None)
    if chosen is None:
        errors.add("basis", _("Choose a legal basis in force on the violation date."))
    bad = [m for m in measures or [] if chosen and m not in chosen.measures]
    if bad or not measures:
        errors.add("measures", _("Choose the measures the chosen basis provides."))
    amount = clean_measure(errors, "fine", fine, required=True)
    if chosen and amount is not None and instances is not None:
        top = chosen.max_yuan * (instances if chosen.per_instance else 1)
        bottom = chosen.min_yuan * (instances if chosen.per_instance else 1)
        if not bottom <= amount <= top:
            errors.add("fine", _("The fine must be between %(lo)s and %(hi)s yuan under %(basis)s.") % {
                "lo": f"{bottom:,}", "hi": f"{top:,}", "basis": chosen.text})
    errors.raise_if_any()
    case.status = move.target
    case.basis, case.measures, case.fine = basis, list(measures), amount
    case.decided_on = decided_on
    case.rectification_deadline = until
    audit.record(case, user)
    case.save()
    return case


def case_moves(*, user, case: EnforcementCase) -> dict[str, Move]:
    """The case's moves this user may make now, by name (the case page's forms)."""
    return CASES.allowed(case.status, may=who_may(user, case.unit))


@transaction.atomic
def case_move(*, user, case: EnforcementCase, action: str, note: str = "", on: date | None = None) -> EnforcementCase:
    """Put a decided case under rectification, or close a case with how it ended."""
    if action not in ("rectify", "close"):  # deciding takes its basis and fine: case_decide
        raise DomainError(_("Unknown action."), field="action")
    case = EnforcementCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    move = CASES.check(case.status, action, may=who_may(user, case.unit))
    note = clean_note(note, "note", required=_("Say how the case ends.") if action == "close" else "",
                      max_length=2000)
    if action == "close":
        case.closing_note = note
        case.closed_on = on or timezone.localdate()
    case.status = move.target
    audit.record(case, user, note)
    case.save()
    return case


def case_assignees(*, case: EnforcementCase):
    """The officers a case may be assigned to: active users who review permits in the unit's region
    (a reviewer of a city department reviews everywhere)."""
    from django.contrib.auth import get_user_model

    from zhengtong.accounts.models import Role, RoleAssignment

    ids = (RoleAssignment.objects.active().filter(role=Role.PERMIT_REVIEWER)
           .values_list("user_id", flat=True).distinct())
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")
    return [u for u in users if scopes.can_review_permits(u, case.unit)]


@transaction.atomic
def case_assign(*, user, case: EnforcementCase, assignee: Any, note: Any = "") -> EnforcementCase:
    """Give the case to an officer of the bureau (one of ``case_assignees``), or take it back
    (``assignee`` empty): a head of the department or the city administrator; a reviewer may take an
    unassigned case themselves."""
    case = EnforcementCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    s = scopes.get_scope(user)
    pk = valid_id(assignee) if assignee not in (None, "") else None
    if assignee not in (None, "") and pk is None:
        raise DomainError(_("Choose an officer of the bureau."), field="assignee")
    may_assign = scopes.can_review_permits(user, case.unit) and (s.is_city or s.is_head)
    takes_it = pk == user.pk and case.assignee_id is None and scopes.can_review_permits(user, case.unit)
    if not (may_assign or takes_it):
        raise PermissionDenied(_("A head of the bureau assigns cases; an officer may take an unassigned one."))
    officer = None
    if pk is not None:
        officer = next((u for u in case_assignees(case=case) if u.pk == pk), None)
        if officer is None:
            raise DomainError(_("Choose an officer who reviews permits in the unit's region."), field="assignee")
    if case.status == C.CLOSED:
        raise DomainError(_("The case is closed."), field="assignee", status=409)
    case.assignee = officer
    audit.record(case, user, clean_note(note, "note", max_length=2000))
    case.save()
    return case
