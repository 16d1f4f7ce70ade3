"""Permit applications and permits: the state machines and every write that moves them.

An application's moves, at a glance (who: the unit's enterprise clerk, a permit reviewer of the
unit's region, or either; the city administrator may do all). ``APPLICATIONS`` below is this
table in code, and a test holds the two equal:

==========  ==========================  ============  ========  ================================================
action      from                        to            who       rule
==========  ==========================  ============  ========  ================================================
submit      draft                       submitted     clerk     complete materials; key class: disclosure first
return      submitted                   returned      reviewer  one notice of all missing materials, within the
                                                                acceptance-notice limit (条例 Art. 9 (4))
revise      returned                    superseded    clerk     the returned version is kept; a new draft version
accept      submitted                   accepted      reviewer  decision clock starts (条例 Art. 12)
not_accept  submitted                   not_accepted  reviewer  written reasons (条例 Art. 9 (1)(2))
notice      accepted                    notice        reviewer  public notice published, with its dates
extend      accepted, notice            (same)        reviewer  once, 10 days, head's approval (许可法 Art. 42)
pause       accepted, notice            (same)        reviewer  hearing, testing, expert review: the time does
                                                                not count; written notice (许可法 Art. 45)
resume      accepted, notice            (same)        reviewer  the clock runs again
approve     accepted, notice            approved      reviewer  decision to issue (条例 Art. 12)
refuse      accepted, notice            refused       reviewer  written reasons (条例 Art. 12)
issue       approved                    issued        reviewer  permit and number (条例 12, 许可法 44)
withdraw    draft, submitted, returned  withdrawn     clerk
            accepted, notice
==========  ==========================  ============  ========  ================================================

An application not returned within the acceptance-notice limit counts as accepted on the day
it was received (条例 Art. 9 (4); 许可法 Art. 32 (4) before 2021-03-01): ``applications_deem_accepted``.

A permit's moves (``PERMITS``; job: the daily job, no user's):

=======  =====  ==========  ========  ========================================================
action   from   to          who       rule
=======  =====  ==========  ========  ========================================================
renew    valid  (same)      clerk     applied for before expiry (条例 Art. 14: 60 days before)
change   valid  (same)      clerk     a change keeps the term
replace  valid  superseded  reviewer  on issuing the renewed or changed permit
revoke   valid  revoked     reviewer  the reason in writing
cancel   valid  cancelled   either    the reason in writing (the unit closes, or the authority
                                      cancels)
expire   valid  expired     job       the day after its last day
=======  =====  ==========  ========  ========================================================
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhengtong.accounts import scopes
from zhengtong.core import audit, uploads, workdays
from zhengtong.core.cleaners import clean_date, clean_decimal, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.holidays import city_calendar
from zhengtong.core.statemachine import Move, Predicate, StateMachine
from zhengtong.permits import formlists, law, numbers
from zhengtong.permits.models import (
    Application,
    ApplicationDocument,
    ApplicationStep,
    AttachmentRequirement,
    Classification,
    FixedSource,
    ManagementClass,
    Outlet,
    Permit,
    PollutantLimit,
)
from zhengtong.permits.services import (
    add_years,
    fixed_source_for,
    needs_review_message,
    source_classification,
    source_industry_codes,
)
from zhengtong.registry.models import Unit

S = Application.Status
P = Permit.Status
CLERK, REVIEWER, EITHER, JOB = "clerk", "reviewer", "either", "job"

APPLICATIONS = StateMachine(pgettext_lazy("state machine", "application"), S.choices, [
    Move("submit", (S.DRAFT,), S.SUBMITTED, CLERK, gettext_lazy("Submit")),
    Move("return", (S.SUBMITTED,), S.RETURNED, REVIEWER, gettext_lazy("Return for completion")),
    Move("revise", (S.RETURNED,), S.SUPERSEDED, CLERK, gettext_lazy("Complete the materials")),
    Move("accept", (S.SUBMITTED,), S.ACCEPTED, REVIEWER, gettext_lazy("Accept")),
    Move("not_accept", (S.SUBMITTED,), S.NOT_ACCEPTED, REVIEWER, gettext_lazy("Do not accept")),
    Move("notice", (S.ACCEPTED,), S.NOTICE, REVIEWER, gettext_lazy("Publish the public notice")),
    Move("extend", (S.ACCEPTED, S.NOTICE), None, REVIEWER, gettext_lazy("Extend by 10 days")),
    Move("pause", (S.ACCEPTED, S.NOTICE), None, REVIEWER, gettext_lazy("Stop the clock (hearing, testing, review)")),
    Move("resume", (S.ACCEPTED, S.NOTICE), None, REVIEWER, gettext_lazy("Restart the clock")),
    Move("approve", (S.ACCEPTED, S.NOTICE), S.APPROVED, REVIEWER, gettext_lazy("Approve")),
    Move("refuse", (S.ACCEPTED, S.NOTICE), S.REFUSED, REVIEWER, gettext_lazy("Refuse the permit")),
    Move("issue", (S.APPROVED,), S.ISSUED, REVIEWER, gettext_lazy("Issue the permit")),
    Move("withdraw", (S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.NOTICE), S.WITHDRAWN, CLERK,
         gettext_lazy("Withdraw")),
])
MOVES = APPLICATIONS.moves
# The process log's words for each recorded step (the moves above, and the daily job's acceptance by law).
LOG_WORDS = {
    "submit": pgettext_lazy("application log", "Application submitted"),
    "return": pgettext_lazy("application log", "Returned for completion"),
    "revise": pgettext_lazy("application log", "Materials completed (new version)"),
    "accept": pgettext_lazy("application log", "Accepted"),
    "deemed_accept": pgettext_lazy("application log", "Accepted by law (no notice within the limit)"),
    "not_accept": pgettext_lazy("application log", "Not accepted"),
    "notice": pgettext_lazy("application log", "Public notice published"),
    "extend": pgettext_lazy("application log", "Decision limit extended"),
    "pause": pgettext_lazy("application log", "Clock stopped"),
    "resume": pgettext_lazy("application log", "Clock restarted"),
    "approve": pgettext_lazy("application log", "Approved"),
    "refuse": pgettext_lazy("application log", "Permit refused"),
    "issue": pgettext_lazy("application log", "Permit issued"),
    "withdraw": pgettext_lazy("application log", "Application withdrawn"),
}
OPEN = APPLICATIONS.open_states()  # draft to approved: one such application per fixed source

PERMITS = StateMachine(pgettext_lazy("state machine", "permit"), P.choices, [
    Move("renew", (P.VALID,), None, CLERK, gettext_lazy("Apply for renewal")),
    Move("change", (P.VALID,), None, CLERK, gettext_lazy("Apply for a change")),
    Move("replace", (P.VALID,), P.SUPERSEDED, REVIEWER, gettext_lazy("Replace by the renewed or changed permit")),
    Move("revoke", (P.VALID,), P.REVOKED, REVIEWER, gettext_lazy("Revoke")),
    Move("cancel", (P.VALID,), P.CANCELLED, EITHER, gettext_lazy("Cancel the permit")),
    Move("expire", (P.VALID,), P.EXPIRED, JOB, gettext_lazy("Expire")),
])
KIND_MOVES = {Application.Kind.RENEWAL: "renew", Application.Kind.CHANGE: "change"}

MAX_DECIMAL = Decimal("1e8")  # numeric(12, 4) holds 8 integer digits
FACILITY_FIELDS = {"name": 100, "kind": 40, "capacity": 60}  # a facility row's texts and their lengths


def who_may(user, unit: Unit) -> Predicate:
    """Who may make a move on this unit's applications, permits and cases: its enterprise clerk,
    a permit reviewer of its region, or either (accounts.scopes decides); the job's moves are
    no user's."""
    clerk = scopes.can_declare_for_unit(user, unit)
    reviewer = scopes.can_review_permits(user, unit)
    grants = {CLERK: clerk, REVIEWER: reviewer, EITHER: clerk or reviewer}
    return lambda move: grants.get(move.who, False)


def allowed_moves(*, user, application: Application) -> list[str]:
    """The application's moves this user may make now: the table's, less those its own record
    rules out (one extension only; stop a running clock, restart a stopped one)."""
    may = who_may(user, application.fixed_source.unit)
    paused = is_paused(application)
    guards = {"extend": not application.extension_days, "pause": not paused, "resume": paused}
    return list(APPLICATIONS.allowed(application.status, may=lambda m: may(m) and guards.get(m.name, True)))


def permit_moves(*, user, permit: Permit) -> dict[str, Move]:
    """The permit's moves this user may make now, by name (the permit page's buttons)."""
    return PERMITS.allowed(permit.status, may=who_may(user, permit.fixed_source.unit))


def _check_move(user, application: Application, action: str) -> Move:
    return APPLICATIONS.check(application.status, action, may=who_may(user, application.fixed_source.unit))


def _step(application: Application, action: str, from_status: str, user, on: date, note: str = "") -> None:
    ApplicationStep.objects.create(application=application, action=action, from_status=from_status,
                                   to_status=application.status, on=on, by=user, note=note)


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("fixed_source__unit").get(pk=application.pk)


def _today(on: date | None) -> date:
    return on or timezone.localdate()


# Drafting ----------------------------------------------------------------------------------


BASIC_FIELDS = {"unit_name": 200, "address": 200, "legal_representative": 50, "contact_name": 50,
                "contact_phone": 30, "production_description": 2000}
def clean_measure(errors: FieldErrors, field: str, raw: Any, *, required: bool = False) -> Decimal | None:
    """core.cleaners.clean_decimal, bounded by what the limit and report columns hold."""
    return clean_decimal(errors, field, raw, required=required, maximum=MAX_DECIMAL)


def clean_outlets(outlets: list[dict]) -> list[dict]:
    """Outlets coded as HJ 608-2017 prescribes, each with its pollutants' limits; a concentration
    needs its unit of measure, quantities are never negative."""
    errors = FieldErrors()
    cleaned, codes = [], set()
    for i, outlet in enumerate(outlets or []):
        prefix = f"outlets[{i}]"
        try:
            code = numbers.check_outlet_code(outlet.get("code"), field=f"{prefix}.code")
        except DomainError as e:
            code = ""
            for field, messages in e.errors.items():
                for message in messages:
                    errors.add(field, message)
        if code and code in codes:
            errors.add(f"{prefix}.code", _("Outlet %(code)s is listed twice.") % {"code": code})
        codes.add(code)
        name = clean_text(errors, outlet, "name", required=True, max_length=100, field=f"{prefix}.name")
        limits, pollutants = [], set()
        for j, limit in enumerate(outlet.get("limits") or []):
            lp = f"{prefix}.limits[{j}]"
            pollutant = clean_text(errors, limit, "pollutant", required=True, max_length=60, field=f"{lp}.pollutant")
            if pollutant and pollutant in pollutants:
                errors.add(f"{lp}.pollutant", _("%(p)s is listed twice at this outlet.") % {"p": pollutant})
            pollutants.add(pollutant)
            concentration = clean_measure(errors, f"{lp}.concentration", limit.get("concentration"))
            unit = clean_text(errors, limit, "concentration_unit", max_length=20, field=f"{lp}.concentration_unit")
            unit = _listed_unit(errors, f"{lp}.concentration_unit", unit, formlists.lists().limit_units)
            if concentration is not None and not unit:
                errors.add(f"{lp}.concentration_unit",
                           _("A limit needs its unit of measure (for example mg/L, mg/m³)."))
            quantity = clean_measure(errors, f"{lp}.annual_quantity", limit.get("annual_quantity"))
            if concentration is None and quantity is None and pollutant:
                errors.add(f"{lp}.concentration", _("Give a permitted concentration, an annual quantity or both."))
            standard = clean_text(errors, limit, "standard", max_length=100, field=f"{lp}.standard")
            limits.append({"pollutant": pollutant, "concentration": concentration, "concentration_unit": unit,
                           "annual_quantity": quantity, "standard": standard})
        if not limits:
            errors.add(f"{prefix}.limits", _("List at least one pollutant with its limit."))
        destination = clean_text(errors, outlet, "destination", max_length=200, field=f"{prefix}.destination")
        cleaned.append({"code": code, "name": name, "medium": code[1:2], "destination": destination,
                        "limits": limits})
    errors.raise_if_any()
    return cleaned


def _listed_unit(errors: FieldErrors, field: str, unit: str, allowed: tuple[str, ...]) -> str:
    """A unit of measure from the form's list (formlists; configuration, rule text not confirmed)."""
    if not unit:
        return unit
    listed = formlists.unit_of(unit, allowed)
    if listed is None:
        errors.add(field, _("“%(u)s” is not on the list of units: choose one of %(units)s.")
                   % {"u": unit, "units": "、".join(allowed)})
        return unit
    return listed


MATERIAL_KINDS = {"raw": gettext_lazy("raw material"), "auxiliary": gettext_lazy("auxiliary material"),
                  "fuel": gettext_lazy("fuel")}


def _filled_rows(errors: FieldErrors, rows: Any, field: str, message: str):
    """A table's rows as (index, row), the empty ones left out; None (and ``message`` on ``field``) when
    ``rows`` is not a list of rows."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors.add(field, message)
        return None
    return [(i, row) for i, row in enumerate(rows) if any(str(v or "").strip() for v in row.values())]


def _quantity(errors: FieldErrors, row: dict, prefix: str, key: str, needs_unit: str) -> tuple[Any, str]:
    """A row's quantity (``key``) and its unit of measure from the list: a quantity needs its unit."""
    value = clean_measure(errors, f"{prefix}.{key}", row.get(key))
    unit = clean_text(errors, row, "unit", max_length=20, field=f"{prefix}.unit")
    unit = _listed_unit(errors, f"{prefix}.unit", unit, formlists.lists().quantity_units)
    if value is not None and not unit:
        errors.add(f"{prefix}.unit", needs_unit)
    return value, unit


def clean_products(errors: FieldErrors, rows: Any) -> list[dict[str, str]] | None:
    """主要产品及产能: each row a product's name, its capacity and the capacity's unit from the list."""
    filled = _filled_rows(errors, rows, "products", _("List the products as name, capacity and unit."))
    if filled is None:
        return None
    cleaned = []
    for i, row in filled:
        prefix = f"products[{i}]"
        name = clean_text(errors, row, "name", required=True, max_length=100, field=f"{prefix}.name")
        capacity, unit = _quantity(errors, row, prefix, "capacity",
                                   _("A capacity needs its unit of measure (for example t/a)."))
        cleaned.append({"name": name, "capacity": _plain(capacity), "unit": unit})
    return cleaned


def clean_materials(errors: FieldErrors, rows: Any) -> list[dict[str, str]] | None:
    """主要原辅材料及燃料: each row a material's name, whether raw, auxiliary or fuel, its yearly use
    and the unit from the list."""
    filled = _filled_rows(errors, rows, "materials", _("List the materials as name, kind, amount per year and unit."))
    if filled is None:
        return None
    cleaned = []
    for i, row in filled:
        prefix = f"materials[{i}]"
        name = clean_text(errors, row, "name", required=True, max_length=100, field=f"{prefix}.name")
        kind = clean_text(errors, row, "kind", max_length=20, field=f"{prefix}.kind")
        if kind and kind not in MATERIAL_KINDS:
            errors.add(f"{prefix}.kind", _("Choose raw material, auxiliary material or fuel."))
        amount, unit = _quantity(errors, row, prefix, "amount",
                                 _("An amount needs its unit of measure (for example t/a)."))
        cleaned.append({"name": name, "kind": kind, "amount": _plain(amount), "unit": unit})
    return cleaned


def _permit_class(unit: Unit, source: int = 1) -> Classification:
    """The fixed source's class, refused unless it needs a permit."""
    classification = source_classification(unit, source)
    if classification.management_class not in (ManagementClass.KEY, ManagementClass.SIMPLIFIED):
        if classification.management_class == ManagementClass.UNDETERMINED:
            message = _("The unit's class is not decided yet: declare the facts the catalogue needs first.")
        elif classification.management_class == ManagementClass.REVIEW:
            message = needs_review_message()
        else:
            message = _("This unit does not need a permit (%(cls)s).") % {
                "cls": ManagementClass(classification.management_class).label}
        raise DomainError(message, field="management_class", status=409)
    return classification


@transaction.atomic
def application_create(*, user, unit: Unit, kind: str = Application.Kind.FIRST, renews: Permit | None = None,
                       sequence: int | None = None, on: date | None = None) -> Application:
    """Start a draft. One open application per fixed source at a time; a renewal is applied for
    before the permit expires (条例 Art. 14: at least 60 days before)."""
    if not scopes.can_declare_for_unit(user, unit):
        raise PermissionDenied
    if kind not in Application.Kind.values:
        raise DomainError(_("Unknown kind of application."), field="kind")
    if renews is not None and (renews.fixed_source.unit_id != unit.pk or kind not in (
            Application.Kind.RENEWAL, Application.Kind.CHANGE, Application.Kind.REAPPLY)):
        raise DomainError(_("Choose a permit of this unit to renew or change."), field="renews")
    source = renews.fixed_source if renews else fixed_source_for(unit=unit, sequence=sequence)
    classification = _permit_class(unit, source.sequence)
    today = _today(on)
    if kind in (Application.Kind.RENEWAL, Application.Kind.CHANGE):
        if renews is None or renews.fixed_source.unit_id != unit.pk:
            raise DomainError(_("Choose the permit to renew or change."), field="renews")
        if not PERMITS.can(renews.status, KIND_MOVES[kind]):
            raise DomainError(_("Permit %(n)s is %(s)s: apply anew instead.") % {
                "n": renews.number, "s": renews.get_status_display()}, field="renews", status=409)
        if kind == Application.Kind.RENEWAL and today > renews.valid_until:
            raise DomainError(
                _("Permit %(n)s expired on %(d)s: a renewal must be applied for before expiry; apply anew.")
                % {"n": renews.number, "d": renews.valid_until.isoformat()}, field="renews", status=409)
    if Application.objects.filter(fixed_source=source, status__in=OPEN).exists():
        raise DomainError(_("This source already has an open application: finish or withdraw it first."),
                          field="kind", status=409)
    basic = {"unit_name": unit.name, "address": source.address or unit.address,
             "legal_representative": unit.legal_representative, "contact_name": unit.contact_name,
             "contact_phone": unit.contact_phone, "production_description": "",
             "industry_codes": " ".join(source_industry_codes(unit, source.sequence))}
    application = Application(fixed_source=source, kind=kind, renews=renews, created_by=user,
                              management_class=classification.management_class, basic_info=basic)
    if renews is not None:
        application.basic_info = {**renews.content.get("basic_info", {}), **{k: v for k, v in basic.items() if v}}
        application.monitoring_plan = renews.content.get("monitoring_plan", "")
        application.products = renews.content.get("products", [])
        application.materials = renews.content.get("materials", [])
        application.ledger_plan = renews.content.get("ledger_plan", "")
    audit.record(application, user)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as e:  # a second open application raced this one
        raise DomainError(_("This source already has an open application: finish or withdraw it first."),
                          field="kind", status=409) from e
    if renews is not None:
        _copy_outlets(renews.content.get("outlets", []), application)
    return application


def _copy_outlets(outlets: list[dict], application: Application) -> None:
    for outlet in outlets:
        row = Outlet.objects.create(application=application, code=outlet["code"], name=outlet["name"],
                                    medium=outlet["code"][1:2], destination=outlet.get("destination", ""))
        PollutantLimit.objects.bulk_create([
            PollutantLimit(outlet=row, pollutant=lim["pollutant"],
                           concentration=lim.get("concentration") or None,
                           concentration_unit=lim.get("concentration_unit", ""),
                           annual_quantity=lim.get("annual_quantity") or None, standard=lim.get("standard", ""))
            for lim in outlet.get("limits", [])
        ])


@transaction.atomic
def application_update(*, user, application: Application, data: dict[str, Any]) -> Application:
    """Edit a draft: basic information, products and capacity, materials and fuels, facilities,
    outlets with their limits (units of measure from the form's list, formlists), the monitoring
    plan, the ledger, the disclosure dates, whether an on-site check is asked for. Only drafts
    change; every page and the API edit through here."""
    application = _locked(application)
    if not scopes.can_declare_for_unit(user, application.fixed_source.unit):
        raise PermissionDenied
    if application.status != S.DRAFT:
        raise DomainError(_("A submitted application is never changed; corrections are a new version."),
                          field="status", status=409)
    errors = FieldErrors()
    basic = dict(application.basic_info)
    for name, max_length in BASIC_FIELDS.items():
        if name in data:
            basic[name] = clean_text(errors, data, name, max_length=max_length)
    if "facilities" in data:
        facilities = data.get("facilities") or []
        if not isinstance(facilities, list) or not all(isinstance(f, dict) for f in facilities):
            errors.add("facilities", _("List the facilities as name, kind and capacity."))
        else:
            application.facilities = [
                {name: clean_text(errors, f, name, max_length=limit, field=f"facilities[{i}].{name}")
                 for name, limit in FACILITY_FIELDS.items()} for i, f in enumerate(facilities) if f.get("name")]
    if "monitoring_plan" in data:
        application.monitoring_plan = clean_text(errors, data, "monitoring_plan", max_length=5000)
    if "ledger_plan" in data:
        application.ledger_plan = clean_text(errors, data, "ledger_plan", max_length=5000)
    if "products" in data and (products := clean_products(errors, data["products"] or [])) is not None:
        application.products = products
    if "materials" in data and (materials := clean_materials(errors, data["materials"] or [])) is not None:
        application.materials = materials
    for name in ("public_notice_from", "public_notice_to"):
        if name in data:
            setattr(application, name, clean_date(errors, data, name))
    if "onsite_check" in data:
        application.onsite_check = bool(data.get("onsite_check"))
    outlets = None
    if "outlets" in data:
        try:
            outlets = clean_outlets(data["outlets"])
        except DomainError as e:
            for field, messages in e.errors.items():
                for message in messages:
                    errors.add(field, message)
    errors.raise_if_any()
    application.basic_info = basic
    audit.record(application, user)
    application.save()
    if outlets is not None:
        application.outlets.all().delete()
        _copy_outlets(outlets, application)
    return application


def completeness(application: Application, on: date) -> dict[str, list[str]]:
    """What a submission lacks: every missing material at once (条例 Art. 9 (4): one notice)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("unit_name", "address", "legal_representative", "contact_name", "contact_phone",
                 "production_description"):
        if not str(application.basic_info.get(name) or "").strip():
            add(name, _("This field is required."))
    if not application.facilities:
        add("facilities", _("List the production and treatment facilities."))
    outlets = list(application.outlets.prefetch_related("limits"))
    if not outlets:
        add("outlets", _("List at least one outlet with its pollutants."))
    for outlet in outlets:
        if not outlet.limits.all():
            add("outlets", _("Outlet %(code)s has no pollutant limits.") % {"code": outlet.code})
    if not application.monitoring_plan.strip():
        add("monitoring_plan", _("The self-monitoring plan is required."))
    if application.management_class == ManagementClass.KEY:
        _check_disclosure(application, on, add)
    answered = set(application.documents.values_list("item", flat=True))
    for requirement in city_attachments(application):
        if requirement.required and f"city-{requirement.pk}" not in answered:
            add("documents", _("Attach “%(name)s” (the city asks for it).") % {"name": requirement.name})
    return errors


def city_attachments(application: Application) -> list[AttachmentRequirement]:
    """The documents the city asks for with this application (its class's and everyone's)."""
    return list(AttachmentRequirement.objects.filter(
        active=True, management_class__in=("", application.management_class)))


def checklist_keys(application: Application) -> list[str]:
    """The checklist items a document may answer: 条例 Art. 8's for this class, then the city's."""
    return [d.key for d in law.APPLICATION_DOCUMENTS if d.management_class in ("", application.management_class)] + [
        f"city-{r.pk}" for r in city_attachments(application)]


def _check_disclosure(application: Application, on: date, add) -> None:
    """Key management: the unit discloses before applying (条例 Art. 8 (一)); under 办法2018
    Art. 25 the disclosure lasts at least five working days."""
    start, end = application.public_notice_from, application.public_notice_to
    days, article = law.key_public_notice_days(on)
    if start is None:
        add("public_notice_from", _("Key management: disclose the application before submitting it (%(a)s).")
            % {"a": article})
        return
    if start > on or (end and end > on):
        add("public_notice_from", _("The disclosure must come before the submission."))
    if days:
        last = end or on
        counted = workdays.days_between(start - timedelta(days=1), last, workdays.DayBasis.WORKING, city_calendar())
        if counted < days:
            add("public_notice_to", _("The disclosure lasted %(n)d working days; %(a)s requires at least %(m)d.")
                % {"n": counted, "a": article, "m": days})


# Moves ---------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, user, application: Application, on: date | None = None) -> Application:
    application = _locked(application)
    move = _check_move(user, application, "submit")
    today = _today(on)
    missing = completeness(application, today)
    if missing:
        raise DomainError(errors=missing)
    source = application.status
    application.status = move.target
    application.submitted_at = timezone.now()
    application.received_on = today
    audit.record(application, user)
    application.save()
    _step(application, "submit", source, user, today)
    return application


def acceptance_clock(application: Application, today: date,
                     calendar: workdays.Calendar | None = None) -> workdays.ClockState:
    """``calendar``: the city's calendar when the caller has read it already (a list of clocks)."""
    limit = law.acceptance_notice_limit(application.received_on)
    return workdays.clock(application.received_on, limit.days, limit.basis, max(today, application.received_on),
                          calendar=calendar if calendar is not None else city_calendar())


@transaction.atomic
def application_return(*, user, application: Application, missing: str, on: date | None = None) -> Application:
    """The one notice of all missing materials, within the acceptance-notice limit; afterwards the
    application counts as accepted on receipt (条例 Art. 9 (4))."""
    application = _locked(application)
    move = _check_move(user, application, "return")
    today = _today(on)
    missing = clean_note(missing, "missing", required=_("List every missing material in one notice."))
    state = acceptance_clock(application, today)
    if state.overdue:
        raise DomainError(
            _("The notice limit ended on %(d)s: the application counts as accepted on the day it was received.")
            % {"d": state.due.isoformat()}, field="status", status=409)
    source = application.status
    application.status = move.target
    audit.record(application, user, missing)
    application.save()
    _step(application, "return", source, user, today, missing)
    return application


@transaction.atomic
def application_revise(*, user, application: Application, on: date | None = None) -> Application:
    """Complete the materials: a new draft version; the returned one is kept as it was, superseded."""
    application = _locked(application)
    move = _check_move(user, application, "revise")
    today = _today(on)
    source = application.status
    application.status = move.target
    audit.record(application, user)
    application.save()
    _step(application, "revise", source, user, today)
    new = Application.objects.get(pk=application.pk)
    new.pk = None
    new.id = None
    new.status = S.DRAFT
    new.version = application.version + 1
    new.previous = application
    new.submitted_at = new.received_on = None
    new.created_by = user
    audit.record(new, user)
    new.save()
    outlets = [{"code": o.code, "name": o.name, "destination": o.destination,
                "limits": [{"pollutant": lim.pollutant, "concentration": lim.concentration,
                            "concentration_unit": lim.concentration_unit, "annual_quantity": lim.annual_quantity,
                            "standard": lim.standard} for lim in o.limits.all()]}
               for o in application.outlets.prefetch_related("limits")]
    _copy_outlets(outlets, new)
    ApplicationDocument.objects.bulk_create([
        ApplicationDocument(application=new, item=d.item, name=d.name, file=d.file.name, size=d.size, sha256=d.sha256,
                            uploaded_by=d.uploaded_by) for d in application.documents.all()])
    return new


@transaction.atomic
def application_accept(*, user, application: Application, on: date | None = None,
                       deemed: bool = False) -> Application:
    application = _locked(application)
    if deemed:  # by law, not by a user: no one's permission is asked
        if not APPLICATIONS.can(application.status, "accept"):  # returned, declined or withdrawn meanwhile
            return application
    else:
        _check_move(user, application, "accept")
    today = _today(on)
    source = application.status
    # After the notice limit the application counts as accepted on the day it was received (条例 Art. 9 (4)).
    late = not deemed and acceptance_clock(application, today).overdue
    application.status = APPLICATIONS.target("accept")
    application.accepted_on = application.received_on if deemed or late else today
    application.deemed_accepted = deemed or late
    application.reviewer = application.reviewer or (user if getattr(user, "pk", None) else None)
    audit.record(application, user)
    application.save()
    _step(application, "deemed_accept" if deemed else "accept", source,
          user if getattr(user, "pk", None) else None, today)
    return application


def applications_deem_accepted(*, today: date | None = None) -> int:
    """Submitted applications past the acceptance-notice limit count as accepted on receipt."""
    today = _today(today)
    count = 0
    waiting = Application.objects.filter(status__in=MOVES["accept"].sources)
    for application in waiting.select_related("fixed_source__unit"):
        if acceptance_clock(application, today).overdue:
            application_accept(user=None, application=application, on=today, deemed=True)
            count += 1
    return count


def _reasons(reasons: str) -> str:
    return clean_note(reasons, "reasons", required=_("Give the reasons in writing."))


@transaction.atomic
def application_decline(*, user, application: Application, action: str, reasons: str,
                        on: date | None = None) -> Application:
    """Do not accept (条例 Art. 9) or refuse (条例 Art. 12), each with written reasons."""
    if action not in ("not_accept", "refuse"):
        raise DomainError(_("Unknown action."), field="action")
    application = _locked(application)
    move = _check_move(user, application, action)
    reasons = _reasons(reasons)
    today = _today(on)
    source = application.status
    application.status = move.target
    application.decision_reasons = reasons
    application.decided_on = today
    application.reviewer = user
    audit.record(application, user, reasons)
    application.save()
    _step(application, action, source, user, today, reasons)
    return application


@transaction.atomic
def application_notice(*, user, application: Application, start: date, end: date,
                       on: date | None = None) -> Application:
    application = _locked(application)
    move = _check_move(user, application, "notice")
    if end < start:
        raise DomainError(_("The notice ends before it starts."), field="end")
    today = _today(on)
    source = application.status
    application.status = move.target
    audit.record(application, user)
    application.save()
    _step(application, "notice", source, user, today, f"{start.isoformat()} – {end.isoformat()}")
    return application


@transaction.atomic
def application_extend(*, user, application: Application, approval: str, on: date | None = None) -> Application:
    """One extension of 10 days, approved by the head of the authority (许可法 Art. 42)."""
    application = _locked(application)
    _check_move(user, application, "extend")
    if application.extension_days:
        raise DomainError(_("The decision limit can be extended once only."), field="status", status=409)
    approval = clean_note(approval, "approval", required=_(
        "Name the head who approved the extension and the reason given to the applicant."))
    application.extension_days = law.extension_limit().days
    audit.record(application, user, approval)
    application.save()
    _step(application, "extend", application.status, user, _today(on), approval)
    return application


def pauses(application: Application) -> list[workdays.Pause]:
    """The periods the decision clock stood still (许可法 Art. 45), from the recorded steps."""
    return _pauses(application.steps.filter(action__in=("pause", "resume")).values_list("action", "on"))


def pauses_of(applications) -> dict[int, list[workdays.Pause]]:
    """``pauses`` of many applications in one read (a page of them), by application id."""
    steps: dict[int, list[tuple[str, date]]] = {a.pk: [] for a in applications}
    for application_id, action, on in ApplicationStep.objects.filter(
            application_id__in=list(steps), action__in=("pause", "resume")).order_by("at", "id").values_list(
            "application_id", "action", "on"):
        steps[application_id].append((action, on))
    return {pk: _pauses(rows) for pk, rows in steps.items()}


def _pauses(steps) -> list[workdays.Pause]:
    result, start = [], None
    for action, on in steps:
        if action == "pause":
            start = on
        elif start is not None:
            result.append(workdays.Pause(start, on))
            start = None
    if start is not None:
        result.append(workdays.Pause(start, None))
    return result


def is_paused(application: Application) -> bool:
    last = application.steps.filter(action__in=("pause", "resume")).order_by("-at", "-id").first()
    return last is not None and last.action == "pause"


def decision_limit(application: Application) -> law.TimeLimit:
    if application.kind == Application.Kind.RENEWAL:
        return law.renewal_review_limit(application.accepted_on)
    return law.decision_limit(application.accepted_on, application.management_class, application.onsite_check)


def decision_clock(application: Application, today: date, calendar: workdays.Calendar | None = None,
                   paused: list[workdays.Pause] | None = None) -> workdays.ClockState:
    """``calendar``, ``paused``: the city's calendar and the application's ``pauses`` when the caller
    has read them already (a page of clocks)."""
    limit = decision_limit(application)
    stopped = application.decided_on if application.status not in (S.ACCEPTED, S.NOTICE) else None
    return workdays.clock(application.accepted_on, limit.days, limit.basis,
                          max(today, stopped or application.accepted_on, application.accepted_on),
                          pauses=paused if paused is not None else pauses(application),
                          extension_days=application.extension_days, stopped_on=stopped,
                          calendar=calendar if calendar is not None else city_calendar())


@transaction.atomic
def application_pause(*, user, application: Application, action: str, note: str = "",
                      on: date | None = None) -> Application:
    """Stop the decision clock for a hearing, testing or expert review, with the written notice to
    the applicant (许可法 Art. 45), or restart it."""
    if action not in ("pause", "resume"):
        raise DomainError(_("Unknown action."), field="action")
    application = _locked(application)
    _check_move(user, application, action)
    today = _today(on)
    if (action == "pause") == is_paused(application):
        raise DomainError(_("The clock is already stopped.") if action == "pause"
                          else _("The clock is running."), field="status", status=409)
    note = clean_note(note, "note", required=_(
        "Say what the time is for (hearing, testing, expert review) as told to the applicant.")
        if action == "pause" else "")
    if today < application.accepted_on:
        raise DomainError(_("Not before the application was accepted."), field="on")
    _step(application, action, application.status, user, today, note)
    return application


def certificate_clock(application: Application, today: date,
                      calendar: workdays.Calendar | None = None) -> workdays.ClockState:
    """From the decision to issue, the certificate is issued within 10 days (许可法 Art. 44)."""
    limit = law.certificate_limit()
    return workdays.clock(application.decided_on, limit.days, limit.basis, max(today, application.decided_on),
                          calendar=calendar if calendar is not None else city_calendar())


@transaction.atomic
def application_approve(*, user, application: Application, on: date | None = None) -> Application:
    application = _locked(application)
    move = _check_move(user, application, "approve")
    today = _today(on)
    source = application.status
    application.status = move.target
    application.decided_on = today
    application.reviewer = user
    audit.record(application, user)
    application.save()
    _step(application, "approve", source, user, today)
    return application


def default_report_cadence(management_class: str) -> list[dict[str, str]]:
    """The cadence written on a new permit; the rule by class was NOT FOUND in a text we hold, so
    it comes from the setting PERMIT_REPORT_CADENCE (shown as unconfirmed)."""
    kinds = settings.PERMIT_REPORT_CADENCE.get(management_class, ["annual"])
    return [{"kind": k, "label": str(REPORT_KIND_LABELS.get(k, k))} for k in kinds]


REPORT_KIND_LABELS = {
    "annual": gettext_lazy("annual"), "semiannual": gettext_lazy("semi-annual"),
    "quarterly": gettext_lazy("quarterly"), "monthly": gettext_lazy("monthly"),
}


@transaction.atomic
def application_issue(*, user, application: Application, national_number: str = "",
                      on: date | None = None) -> Permit:
    """Issue the permit: its number (the fixed-source code, HJ 608-2017; the national platform's
    number stored as given, 条例 Art. 12), validity by the rules in force on the decision date,
    the content frozen from the application. A changed or renewed permit replaces the old one."""
    application = _locked(application)
    move = _check_move(user, application, "issue")
    today = _today(on)
    decided = application.decided_on
    national_number = numbers.check_source_code(national_number, field="national_number", dated=decided).value
    renewal = application.kind == Application.Kind.RENEWAL
    years, basis = law.validity_years(decided, renewal=renewal)
    if application.renews_id and application.kind == Application.Kind.CHANGE:
        valid_until = application.renews.valid_until  # a change keeps the term
    else:
        valid_until = add_years(decided, years) - timedelta(days=1)
    if application.renews_id:
        old = Permit.objects.select_for_update().get(pk=application.renews_id)
        if not PERMITS.can(old.status, "replace"):
            raise DomainError(_("Permit %(n)s is %(s)s: it can no longer be renewed or changed.") % {
                "n": old.number, "s": old.get_status_display()}, field="renews", status=409)
        old.status = PERMITS.target("replace")
        old.ended_on = today
        old.end_reason = str(Application.Kind(application.kind).label)
        audit.record(old, user)
        old.save()
    unit = application.fixed_source.unit
    permit = Permit(
        fixed_source=application.fixed_source, application=application,
        number=application.fixed_source.code(settings.PERMIT_SOURCE_LETTER), national_number=national_number,
        management_class=application.management_class, decided_on=decided, valid_from=decided,
        valid_until=valid_until, validity_basis=basis, issued_by=user,
        content=permit_content(application, unit), report_cadence=default_report_cadence(application.management_class),
    )
    audit.record(permit, user)
    permit.save()
    source = application.status
    application.status = move.target
    audit.record(application, user)
    application.save()
    _step(application, "issue", source, user, today, permit.number)
    return permit


def permit_content(application: Application, unit: Unit) -> dict[str, Any]:
    from zhengtong.registry.models import Industry

    codes = application.basic_info.get("industry_codes", "").split()
    names = dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        "unit_name": application.basic_info.get("unit_name", unit.name), "uscc": unit.uscc,
        "address": application.basic_info.get("address", ""),
        "legal_representative": application.basic_info.get("legal_representative", ""),
        "industries": [f"{c} {names.get(c, '')}".strip() for c in codes], "industry_codes": " ".join(codes),
        "authority": settings.PERMIT_AUTHORITY_NAME, "basic_info": application.basic_info,
        "facilities": application.facilities, "monitoring_plan": application.monitoring_plan,
        "products": application.products, "materials": application.materials, "ledger_plan": application.ledger_plan,
        "outlets": [
            {"code": o.code, "name": o.name, "medium": o.medium, "destination": o.destination,
             "limits": [{"pollutant": lim.pollutant,
                         "concentration": _plain(lim.concentration), "concentration_unit": lim.concentration_unit,
                         "annual_quantity": _plain(lim.annual_quantity), "standard": lim.standard}
                        for lim in o.limits.all()]}
            for o in application.outlets.prefetch_related("limits")
        ],
        "duties": [str(d) for d in PERMIT_DUTIES],
    }


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


# What 条例 Art. 13 says a permit records besides its limits (quoted in permit-rules.md §5).
PERMIT_DUTIES = (
    gettext_lazy("Self-monitoring, ledger records and compliance reports as this permit requires (条例 Art. 13 (8))."),
    gettext_lazy("Keep ledgers and raw monitoring records for at least 5 years (条例 Arts. 19, 21)."),
    gettext_lazy("Submit compliance reports with the content, cadence and timing this permit sets (条例 Art. 22)."),
)


@transaction.atomic
def application_withdraw(*, user, application: Application, on: date | None = None) -> Application:
    application = _locked(application)
    move = _check_move(user, application, "withdraw")
    source = application.status
    application.status = move.target
    audit.record(application, user)
    application.save()
    _step(application, "withdraw", source, user, _today(on))
    return application


# Permits after issue ----------------------------------------------------------------------------


@transaction.atomic
def permit_end(*, user, permit: Permit, action: str, reason: str, on: date | None = None) -> Permit:
    """Revoke (by the authority) or cancel (the unit closes, or the authority cancels) a permit."""
    if action not in ("revoke", "cancel"):
        raise DomainError(_("Unknown action."), field="action")
    permit = Permit.objects.select_for_update().select_related("fixed_source__unit").get(pk=permit.pk)
    move = PERMITS.check(permit.status, action, may=who_may(user, permit.fixed_source.unit))
    reason = clean_note(reason, "reason", required=_("Give the reason."), max_length=300)
    permit.status = move.target
    permit.ended_on = _today(on)
    permit.end_reason = reason
    audit.record(permit, user, reason)
    permit.save()
    return permit


def permits_expire(*, today: date | None = None) -> int:
    """Valid permits past their last day become expired (daily job)."""
    today = _today(today)
    move = PERMITS.move("expire")
    count = 0
    for permit in Permit.objects.filter(status__in=move.sources, valid_until__lt=today):
        permit.status = move.target
        permit.ended_on = permit.valid_until + timedelta(days=1)
        permit.end_reason = "expired"
        permit.save()
        count += 1
    return count


def unit_sources(unit: Unit) -> list[FixedSource]:
    return list(FixedSource.objects.filter(unit=unit))


# Documents ---------------------------------------------------------------------------------------

@transaction.atomic
def application_attach(*, user, application: Application, upload, item: str = "") -> ApplicationDocument:
    """Attach a document to a draft (core.uploads.document_checked: PDF, images, Office files, OFD, ZIP;
    at most settings.DOCUMENT_MAX_MB, which the page's upload also enforces while it reads the file).
    ``item``: the checklist item it answers (``checklist_keys``), or "" for another document."""
    application = _locked(application)
    if not scopes.can_declare_for_unit(user, application.fixed_source.unit):
        raise PermissionDenied
    if application.status != S.DRAFT:
        raise DomainError(_("A submitted application is never changed; corrections are a new version."),
                          field="status", status=409)
    item = str(item or "").strip()
    if item and item not in checklist_keys(application):
        raise DomainError(_("Choose a document of the checklist, or none."), field="item")
    name, sha256 = uploads.document_checked(upload, field="file", label=_("Documents"),
                                            limit_mb=settings.DOCUMENT_MAX_MB)
    return ApplicationDocument.objects.create(application=application, item=item, name=name, file=upload,
                                              size=upload.size, sha256=sha256, uploaded_by=user)


@transaction.atomic
def application_detach(*, user, document: ApplicationDocument) -> None:
    application = _locked(document.application)
    if not scopes.can_declare_for_unit(user, application.fixed_source.unit):
        raise PermissionDenied
    if application.status != S.DRAFT:
        raise DomainError(_("A submitted application is never changed; corrections are a new version."),
                          field="status", status=409)
    document.delete()  # the stored file stays: earlier versions may refer to it
