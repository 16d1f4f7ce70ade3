"""Permit pages: parse the request, call a selector or a service, render."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.compiled import kept
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors, labelled_messages
from zhengtong.core.listing import Column, export_response, listing
from zhengtong.core.uploads import refusal, upload_limit
from zhengtong.permits import compliance, decisions, formlists, law, selectors, services, workflow
from zhengtong.permits.catalogue import CLASSES, load_catalogue
from zhengtong.permits.forms import (
    CASE_LABELS,
    FACILITY_COLUMNS,
    FACILITY_KINDS,
    LIMIT_COLUMNS,
    MATERIAL_COLUMNS,
    MOVE_LABELS,
    OUTLET_COLUMNS,
    PRODUCT_COLUMNS,
    REASON_LABELS,
    REPORT_LABELS,
    SECTIONS,
    ApplicationForm,
    CancelForm,
    CatalogueFilterForm,
    FactsForm,
    FixedSourceForm,
    MoveForm,
    PublicSearchForm,
    RegistrationForm,
    SourceIndustriesForm,
    application_label,
    outlets_from_rows,
    row_label,
    table_context,
    table_rows,
)
from zhengtong.permits.models import (
    Application,
    CatalogueEntry,
    Classification,
    ComplianceReport,
    EnforcementCase,
    ManagementClass,
    Permit,
)
from zhengtong.permits.templatetags.permit_rows import filter_options
from zhengtong.registry import selectors as registry_selectors


def catalogue(request):
    """The 2019 catalogue, public like the law it prints."""
    filters = CatalogueFilterForm(request.GET)
    filters.is_valid()
    qs = selectors.catalogue_search(**filters.cleaned_data)
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    template = "permits/_catalogue_table.html" if request.htmx else "permits/catalogue.html"
    return render(request, template, {"filters": filters, "page": page, "query": query, "nav_active": "permits"})


def catalogue_row(request, row: int):
    entry = CatalogueEntry.objects.filter(version=load_catalogue().version, row=row).first()
    if entry is None:
        raise Http404
    rule_row = load_catalogue().rows[row]
    cells = [
        (ManagementClass(cls).label, getattr(entry, f"{cls}_text"), [a.text for a in rule_row.rules[cls]])
        for cls in CLASSES
    ]
    facts = [load_catalogue().facts[k] for k in rule_row.facts]
    return render(request, "permits/catalogue_row.html", {
        "entry": entry, "cells": cells, "facts": facts, "rule_row": rule_row, "nav_active": "permits",
    })


@login_required
def classification_overview(request):
    return render(request, "permits/classification.html", {
        "counts": selectors.classification_counts(user=request.user),
        "stats": selectors.permit_statistics(user=request.user),
        "can_run": scopes.can_review_permits(request.user),
        "nav_active": "permits",
    })


@login_required
@require_POST
def classification_run(request):
    if not scopes.can_review_permits(request.user):
        raise PermissionDenied
    started = time.perf_counter()
    counts = services.units_classify(user=request.user)
    seconds = time.perf_counter() - started
    summary = "; ".join(f"{ManagementClass(c).label} {n}" for c, n in sorted(counts.items()))
    messages.success(request, _("%(n)d units classified in %(s).1f s: %(summary)s.") % {
        "n": sum(counts.values()), "s": seconds, "summary": summary})
    return redirect("permits:classification")


def _source(request, unit) -> int:
    """The fixed source a unit's page is about: ``?source=N`` (or a posted ``source``), 1 by default;
    a unit without such a source is a 404."""
    raw = request.POST.get("source") or request.GET.get("source") or "1"
    try:
        return services.source_number(unit, raw)
    except DomainError:
        raise Http404 from None


@login_required
def unit_permits(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    return render(request, "permits/unit.html", _unit_context(request, unit, _source(request, unit)))


def _unit_context(request, unit, source: int, source_form: FixedSourceForm | None = None,
                  industries_form: SourceIndustriesForm | None = None) -> dict:
    classification = Classification.objects.filter(unit=unit, source=source).first()
    facts = selectors.unit_facts(unit, source)
    works_on = selectors.works_on_unit(user=request.user, unit=unit)
    applications = list(selectors.unit_applications(unit).select_related("fixed_source")) if works_on else []
    campaign = selectors.campaign_current()
    due = None
    if campaign is not None and selectors.filing_class(classification):
        due = selectors.unit_due(unit, campaign, timezone.localdate())
    sources = selectors.unit_sources(unit)
    can_declare = scopes.can_declare_for_unit(request.user, unit)
    this_source = next((s for s in sources if s["sequence"] == source), None)
    if industries_form is None and can_declare and len(sources) > 1 and unit.other_industries.exists():
        industries_form = SourceIndustriesForm(unit, initial={"industry_codes": this_source["codes"]
                                                              if this_source else []})
    return {
        "unit": unit, "nav_active": "permits", "source": source, "sources": sources,
        "this_source": this_source, "industries_form": industries_form,
        "explained": selectors.classification_explained(classification),
        "facts": [selectors._fact_display(k, v) for k, v in facts.items()],
        "can_declare": can_declare,
        "can_decide_readings": scopes.can_review_permits(request.user, unit),
        "permits": selectors.unit_permits(unit).select_related("fixed_source"),
        "registrations": selectors.unit_registrations(unit),
        "applications": applications,
        "open_application": any(a.status in workflow.OPEN and a.fixed_source.sequence == source for a in applications),
        "campaign": campaign, "due": due, "covered": unit.pk in selectors.covered_unit_ids([unit.pk]),
        "today": timezone.localdate(),
        "source_form": source_form or (FixedSourceForm(unit) if can_declare else None),
    }


@login_required
@require_POST
def fixed_source_add(request, pk: int):
    """Another location of the unit's facilities (services.fixed_source_add): its address and the
    industry lines carried on there; its own facts are declared next. A refusal shows the unit's
    page again with the form open and each field's error."""
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    form = FixedSourceForm(unit, request.POST)
    if form.is_valid():
        try:
            source = services.fixed_source_add(user=request.user, unit=unit, address=form.cleaned_data["address"],
                                               industry_codes=form.cleaned_data["industry_codes"])
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Fixed source %(n)03d added: declare its facts.") % {"n": source.sequence})
            return redirect(f"{reverse('permits:unit_facts', args=[unit.pk])}?source={source.sequence}")
    # said at the top of the long page, which opens at the first field to correct (on a phone the
    # form is a few screens down)
    messages.error(request, _("The location was not added: correct the form below."))
    first = next((name for name in form.errors if name in form.fields), None)
    if first:
        form.fields[first].widget.attrs["autofocus"] = True
    return render(request, "permits/unit.html", _unit_context(request, unit, 1, form), status=400)


@login_required
@require_POST
def source_industries(request, pk: int):
    """Which of the unit's industries are carried on at one location (``?source=N``,
    services.fixed_source_industries); a refusal shows the page again with the field's error."""
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    source = _source(request, unit)
    form = SourceIndustriesForm(unit, request.POST)
    if form.is_valid():
        try:
            services.fixed_source_industries(user=request.user, unit=unit, source=source,
                                             industry_codes=form.cleaned_data["industry_codes"])
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Industries at this location saved and the location classified again."))
            return _unit_page(unit, source)
    messages.error(request, _("The industries were not changed: correct the form below."))
    return render(request, "permits/unit.html", _unit_context(request, unit, source, industries_form=form), status=400)


READING_LABELS = {"choice": gettext_lazy("Reading"), "reason": gettext_lazy("Reason"),
                  "key": gettext_lazy("Open reading")}


@login_required
@require_POST
def reading_decide(request, pk: int):
    """A permit reviewer decides one of a fixed source's open readings, with the reason (services.reading_decide)."""
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    source = _source(request, unit)
    try:
        services.reading_decide(user=request.user, unit=unit, key=request.POST.get("key", ""),
                                choice=request.POST.get("choice", ""), reason=request.POST.get("reason", ""),
                                source=source)
    except DomainError as e:
        for line in labelled_messages(e, lambda field: str(READING_LABELS.get(field, ""))):
            messages.error(request, line)
    else:
        messages.success(request, _("Decision recorded and the unit classified again."))
    return _unit_page(unit, source)


def _unit_page(unit, source: int):
    url = reverse("permits:unit", args=[unit.pk])
    return redirect(url if source == 1 else f"{url}?source={source}")


@login_required
@require_http_methods(["GET", "POST"])
def unit_facts(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    source = _source(request, unit)
    form = FactsForm(selectors.fact_groups(unit, source), request.POST or None,
                     initial_facts=selectors.unit_facts(unit, source), year=timezone.localdate().year)
    if request.method == "POST" and form.is_valid():
        data = {key: _form_value(value) for key, value in form.cleaned_data.items()}
        try:
            services.unit_facts_save(user=request.user, unit=unit, data=data, source=source)
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Facts saved and the unit classified again."))
            return _unit_page(unit, source)
    sources = selectors.unit_sources(unit)
    return render(request, "permits/unit_facts.html", {
        "unit": unit, "form": form, "nav_active": "permits", "source": source,
        "this_source": next((s for s in sources if s["sequence"] == source), None) if len(sources) > 1 else None})


def _form_value(value):
    return {"yes": True, "no": False}.get(value, value) if isinstance(value, str) else value


# Campaign -----------------------------------------------------------------------------------


@login_required
def campaign(request):
    current = selectors.campaign_current()
    if current is None:
        return render(request, "permits/campaign.html", {"campaign": None, "nav_active": "permits"})
    today = timezone.localdate()
    only_past_due = request.GET.get("past_due") == "1"
    early_industries = selectors.campaign_early_industries(current)
    early = [ci.industry_id for ci in early_industries]  # in the order campaign_queryset reads them
    progress = selectors.campaign_progress(user=request.user, campaign=current, today=today, early=early)
    total = sum(group["past_due" if only_past_due else "total"] for group in progress.values())
    # sorted and paged by the database, by statements kept per scope, day and page; the progress has
    # counted the rows already
    rows = selectors.campaign_list(user=request.user, campaign=current, today=today, early=early,
                                   only_past_due=only_past_due, columns=CAMPAIGN_COLUMNS)
    result = listing(request, rows, CAMPAIGN_COLUMNS, default="unit", size=50, total=total)
    return render(request, "permits/campaign.html", {
        "campaign": current, "today": today, "only_past_due": only_past_due, "query": result.query,
        "listing": result, "page": result.page, "progress": progress,
        "early_industries": early_industries, "nav_active": "permits",
    })


@login_required
def campaign_export(request):
    current = selectors.campaign_current()
    if current is None:
        raise Http404
    every = selectors.campaign_queryset(user=request.user, campaign=current, today=timezone.localdate())
    rows = selectors.campaign_filtered(every, only_past_due=request.GET.get("past_due") == "1")
    return export_response(request, rows, CAMPAIGN_COLUMNS, default="unit", name="campaign",
                           sheet_name=_("Permit campaign"))


def _campaign_state(row) -> str:
    if row["covered"]:
        return _("covered")
    if row["past_due"]:
        return _("past due by %(n)s days") % {"n": -row["days_left"]}
    return _("%(n)s days left") % {"n": row["days_left"]}


def _row(cell):
    """An export cell of a unit of ``campaign_queryset``, read from its row as the page shows it."""
    return lambda unit: cell(selectors.campaign_row(unit))


# Sorted by the database over selectors.campaign_queryset's annotations, the unit's id last.
CAMPAIGN_COLUMNS = [
    Column("unit", gettext_lazy("Unit"), order=("name_key",), cell=_row(lambda r: r["unit"].name)),
    Column("uscc", gettext_lazy("Unified social credit code"), cell=_row(lambda r: r["unit"].uscc)),
    Column("county", gettext_lazy("County"), order=("county__code",), cell=_row(lambda r: r["unit"].county.name)),
    Column("class", gettext_lazy("Management class"), order=("filing_class",),
           cell=_row(lambda r: r["class_label"])),
    Column("due", gettext_lazy("Due"), order=("due",), cell=_row(lambda r: r["due"].date)),
    Column("deadline", gettext_lazy("Which deadline"), order=("is_late",),
           cell=_row(lambda r: _("early list (%(code)s)") % {"code": r["due"].industry} if r["due"].early
                     else _("all other units"))),
    # covered last, then by days left (past due first)
    Column("state", gettext_lazy("State"), order=("covered", "days_left"), cell=_row(_campaign_state)),
]


# Registration -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registration_file(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    source = _source(request, unit)
    current = selectors.unit_registrations(unit).filter(status="valid", fixed_source__sequence=source).first()
    here = next((s for s in selectors.unit_sources(unit) if s["sequence"] == source), None)
    initial = {"address": here["address"] if here else unit.address, "legal_representative": unit.legal_representative,
               "contact_name": unit.contact_name, "contact_phone": unit.contact_phone}
    if current is not None:
        initial.update({f: getattr(current, f) for f in services.REGISTRATION_TEXT_FIELDS})
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_file(user=request.user, unit=unit, data=form.cleaned_data,
                                                      sequence=source)
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Registration recorded: number %(n)s.") % {"n": registration.number})
            return redirect("permits:registration", pk=registration.pk)
    return render(request, "permits/registration_form.html", {
        "unit": unit, "form": form, "current": current, "nav_active": "permits", "source": source})


@login_required
def registration_detail(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    return render(request, "permits/registration.html", {
        "registration": registration, "nav_active": "permits",
        "letter_confirmed": False, "number_checks": selectors.number_checks(registration=registration),
        "can_cancel": registration.status == "valid"
        and scopes.can_declare_for_unit(request.user, registration.fixed_source.unit),
        "versions": selectors.unit_registrations(registration.fixed_source.unit).filter(
            fixed_source=registration.fixed_source),
    })


@login_required
@require_POST
def registration_cancel(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    form.is_valid()
    return _act(request, lambda: services.registration_cancel(user=request.user, registration=registration,
                                                              reason=form.cleaned_data.get("reason", "")),
                _("Registration cancelled."), "permits:registration", registration.pk)


# Public list ---------------------------------------------------------------------------------


def public_list(request):
    """Issued permits and registrations, public (条例 Art. 9, 23: decisions are published)."""
    form = PublicSearchForm(request.GET)
    form.is_valid()
    rows = selectors.public_records(**form.cleaned_data)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "permits/public.html", {
        "filters": form, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "query": query,
        "nav_active": "permits"})


# Applications --------------------------------------------------------------------------------

MOVE_SERVICES = {
    "submit": lambda user, app, form: workflow.application_submit(user=user, application=app),
    "return": lambda user, app, form: workflow.application_return(user=user, application=app,
                                                                  missing=form.cleaned_data.get("note", "")),
    "revise": lambda user, app, form: workflow.application_revise(user=user, application=app),
    "accept": lambda user, app, form: workflow.application_accept(user=user, application=app),
    "not_accept": lambda user, app, form: workflow.application_decline(
        user=user, application=app, action="not_accept", reasons=form.cleaned_data.get("note", "")),
    "notice": lambda user, app, form: workflow.application_notice(
        user=user, application=app, start=form.cleaned_data.get("start") or timezone.localdate(),
        end=form.cleaned_data.get("end") or timezone.localdate()),
    "extend": lambda user, app, form: workflow.application_extend(user=user, application=app,
                                                                  approval=form.cleaned_data.get("note", "")),
    "approve": lambda user, app, form: workflow.application_approve(user=user, application=app),
    "pause": lambda user, app, form: workflow.application_pause(user=user, application=app, action="pause",
                                                                note=form.cleaned_data.get("note", "")),
    "resume": lambda user, app, form: workflow.application_pause(user=user, application=app, action="resume",
                                                                 note=form.cleaned_data.get("note", "")),
    "refuse": lambda user, app, form: workflow.application_decline(
        user=user, application=app, action="refuse", reasons=form.cleaned_data.get("note", "")),
    "issue": lambda user, app, form: workflow.application_issue(
        user=user, application=app, national_number=form.cleaned_data.get("national_number", "")),
    "withdraw": lambda user, app, form: workflow.application_withdraw(user=user, application=app),
}


@login_required
def application_list(request):
    status = request.GET.get("status", "open" if scopes.can_review_permits(request.user) else "")
    # sorted and paged by the database, by statements kept per scope, filter, order and page
    rows = selectors.application_list_rows(user=request.user, status=status, q=request.GET.get("q", "").strip(),
                                      columns=APPLICATION_COLUMNS)
    today = timezone.localdate()
    result = listing(request, rows, APPLICATION_COLUMNS, default="-received", size=50)
    shown = list(zip(result.page, selectors.application_clocks(result.page, today), strict=True))
    return render(request, "permits/application_list.html", {
        "page": result.page, "listing": result, "rows": shown, "query": result.query, "nav_active": "permits",
        "status_options": _status_options("applications", status)})


@login_required
def application_export(request):
    status = request.GET.get("status", "open" if scopes.can_review_permits(request.user) else "")
    qs = selectors.application_list(user=request.user, status=status, q=request.GET.get("q", "").strip())
    return export_response(request, qs, APPLICATION_COLUMNS, default="-received", name="applications",
                           sheet_name=_("Permit applications"))


def _clock_cell(application) -> str:
    clock = selectors.application_clock(application, timezone.localdate())
    if clock is None:
        return ""
    state = clock["state"]
    if state.stopped:
        return f"{clock['label']}: {_('decided')}"
    text = f"{clock['label']}: {state.due.isoformat()}"
    return f"{text} ({_('overdue')})" if state.overdue else text


APPLICATION_COLUMNS = [
    Column("unit", gettext_lazy("Unit"), order=("fixed_source__unit__name",),
           cell=lambda a: a.fixed_source.unit.name),
    Column("county", gettext_lazy("County"), order=("fixed_source__unit__county__code",),
           cell=lambda a: a.fixed_source.unit.county.name),
    Column("kind", gettext_lazy("Kind"), order=("kind", "version"),
           cell=lambda a: f"{a.get_kind_display()} v{a.version}"),
    Column("class", gettext_lazy("Class"), order=("management_class",),
           cell=lambda a: a.get_management_class_display()),
    Column("status", gettext_lazy("Status"), order=("status",), cell=lambda a: a.get_status_display()),
    Column("received", gettext_lazy("Received"), order=("received_on",), cell=lambda a: a.received_on),
    Column("clock", gettext_lazy("Time limit"), cell=_clock_cell),
]


PERMIT_COLUMNS = [
    Column("number", gettext_lazy("Number"), order=("number",), cell=lambda p: p.number),
    Column("unit", gettext_lazy("Unit"), order=("fixed_source__unit__name",),
           cell=lambda p: p.fixed_source.unit.name),
    Column("county", gettext_lazy("County"), order=("fixed_source__unit__county__code",),
           cell=lambda p: p.fixed_source.unit.county.name),
    Column("class", gettext_lazy("Class"), order=("management_class",),
           cell=lambda p: p.get_management_class_display()),
    Column("status", gettext_lazy("Status"), order=("status",), cell=lambda p: p.get_status_display()),
    Column("decided", gettext_lazy("Decided on"), order=("decided_on",), cell=lambda p: p.decided_on),
    Column("valid_until", gettext_lazy("Valid until"), order=("valid_until",), cell=lambda p: p.valid_until),
]


@login_required
def permit_list(request):
    """The permits of the units whose permit work the user reads, sortable, paged and exported."""
    status = request.GET.get("status", "")
    rows = selectors.permit_list_rows(user=request.user, status=status, q=request.GET.get("q", ""),
                                      columns=PERMIT_COLUMNS)
    result = listing(request, rows, PERMIT_COLUMNS, default="-decided", size=50)
    return render(request, "permits/permit_list.html", {
        "page": result.page, "listing": result, "query": result.query, "nav_active": "permits",
        "status_options": _status_options("permits", status)})


@login_required
def permit_export(request):
    qs = selectors.permit_list(user=request.user, status=request.GET.get("status", ""), q=request.GET.get("q", ""))
    return export_response(request, qs, PERMIT_COLUMNS, default="-decided", name="permits", sheet_name=_("Permits"))


def _options(choices, current: str) -> list[tuple[str, str, bool]]:
    """A filter's options with the chosen one marked: the template shows, it does not compare."""
    return [(value, label, value == current) for value, label in choices]


# The status filters of the application and permit lists: their choices, and their options written once
# per process, language and chosen status (the labels are the code's, translated by the catalogue the
# process loaded).
STATUS_CHOICES = {
    "applications": lambda: [("open", _("waiting for the authority")), *Application.Status.choices],
    "permits": lambda: Permit.Status.choices,
}
STATUS_VALUES = {"applications": {"open", *Application.Status.values}, "permits": set(Permit.Status.values)}
_STATUS_OPTIONS: dict[tuple, str] = {}


def _status_options(name: str, current: str) -> str:
    """The ``<option>`` elements of a list's status filter, ``current`` chosen (no option for a status
    the list has not)."""
    chosen = current if current in STATUS_VALUES[name] else ""
    return kept(_STATUS_OPTIONS, (name, get_language(), chosen),
                lambda: filter_options(_options(STATUS_CHOICES[name](), chosen)))


@login_required
@require_POST
def application_start(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    renews = None
    if request.POST.get("renews"):
        renews = selectors.permit_get(user=request.user, pk=request.POST["renews"])
    source = renews.fixed_source.sequence if renews else _source(request, unit)
    try:
        application = workflow.application_create(user=request.user, unit=unit,
                                                  kind=request.POST.get("kind", "first"), renews=renews,
                                                  sequence=None if renews else source)
    except DomainError as e:
        messages.error(request, e.message)
        return _unit_page(unit, source)  # the refusal beside the class of the location it is about
    return redirect("permits:application_edit", pk=application.pk)


def _steps(application: Application) -> list:
    """The application's process log: each step in words (``words``: 提交申请, 受理 …, workflow.LOG_WORDS)."""
    steps = list(application.steps.select_related("by"))
    for step in steps:
        move = workflow.MOVES.get(step.action)
        step.words = workflow.LOG_WORDS.get(step.action) or (  # type: ignore[attr-defined]
            move.label if move else step.action)
        step.by_name = (step.by.get_full_name() or step.by.username) if step.by else ""  # type: ignore[attr-defined]
    return steps


# Each move's panel on the application page: the fields it needs (name, label, kind) and what it asks
# of whoever makes it. The clerk's moves need no field; a reviewer's panel is shown only to whoever may
# make the move (workflow.allowed_moves), so a clerk never sees a reviewer's fields or instructions.
PANELS = {
    "submit": ((), gettext_lazy("Submit the application to the authority; it is then never changed.")),
    "revise": ((), gettext_lazy("Start a new version with the missing materials; the returned one is kept.")),
    "withdraw": ((), gettext_lazy("Withdraw the application.")),
    "accept": ((), gettext_lazy("The materials are complete and in the legal form (条例 Art. 9 (5)): the decision "
                                "clock starts.")),
    "return": ((("note", gettext_lazy("Every missing material, in one notice"), "textarea"),),
               gettext_lazy("One notice listing all the missing materials, within the notice limit "
                            "(条例 Art. 9 (4)).")),
    "not_accept": ((("note", gettext_lazy("Reasons in writing"), "textarea"),),
                   gettext_lazy("Not for a permit, or not this authority's (条例 Art. 9 (1)(2)): say why.")),
    "notice": ((("start", gettext_lazy("Notice from"), "date"), ("end", gettext_lazy("Notice until"), "date")),
               gettext_lazy("The public notice's dates.")),
    "extend": ((("note", gettext_lazy("Head who approved, and the reason told to the applicant"), "textarea"),),
               gettext_lazy("Once only, 10 days, with the head's approval (许可法 Art. 42).")),
    "pause": ((("note", gettext_lazy("What the time is for (hearing, testing, expert review)"), "textarea"),),
              gettext_lazy("The time does not count; tell the applicant in writing (许可法 Art. 45).")),
    "resume": ((("note", gettext_lazy("Note"), "textarea"),), gettext_lazy("The decision clock runs again.")),
    "approve": ((), gettext_lazy("Decide to issue the permit (条例 Art. 12).")),
    "refuse": ((("note", gettext_lazy("Reasons in writing"), "textarea"),),
               gettext_lazy("Refuse the permit, with written reasons (条例 Art. 12).")),
    "issue": ((("national_number", gettext_lazy("Number from the national platform (if issued there)"), "text"),),
              gettext_lazy("Issue the permit and its certificate (条例 Art. 12, 许可法 Art. 44).")),
}


PANEL_ORDER = ("submit", "revise", "withdraw", "accept", "approve", "issue", "notice", "return", "extend", "pause",
               "resume", "not_accept", "refuse")


def _panels(moves: dict) -> tuple[list[dict], list[dict]]:
    """The clerk's moves (one row of buttons) and each reviewer move's own panel, in PANEL_ORDER (the
    move that takes the application forward first)."""
    clerk: list[dict] = []
    reviewer: list[dict] = []
    for name, move in sorted(moves.items(), key=lambda item: PANEL_ORDER.index(item[0]) if item[0] in PANEL_ORDER
                             else len(PANEL_ORDER)):
        fields, help_text = PANELS.get(name, ((), ""))
        panel = {"name": name, "move": move, "fields": fields, "help": help_text}
        (clerk if move.who in (workflow.CLERK, workflow.EITHER) else reviewer).append(panel)
    return clerk, reviewer


def _off_list(pollutant: str) -> bool:
    return bool(pollutant) and not formlists.on_list(pollutant)


@login_required
def application_detail(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    today = timezone.localdate()
    moves = {name: workflow.MOVES[name] for name in workflow.allowed_moves(user=request.user, application=application)}
    clerk_moves, reviewer_panels = _panels(moves)
    outlets = list(application.outlets.prefetch_related("limits"))
    for outlet in outlets:
        for lim in outlet.limits.all():
            lim.off_list = _off_list(lim.pollutant)
            lim.concentration_text = workflow._plain(lim.concentration)
            lim.annual_quantity_text = workflow._plain(lim.annual_quantity)
    checklist = selectors.attachment_checklist(application)
    return render(request, "permits/application.html", {
        "application": application, "nav_active": "permits",
        "clock": selectors.application_clock(application, today),
        "moves": moves, "clerk_moves": clerk_moves, "reviewer_panels": reviewer_panels, "outlets": outlets,
        "basic_info": [(application_label(key), value) for key, value in application.basic_info.items()],
        "facilities": [{**f, "kind_label": FACILITY_KINDS.get(f.get("kind", ""), f.get("kind", ""))}
                       for f in application.facilities],
        "materials": [{**m, "kind_label": workflow.MATERIAL_KINDS.get(m.get("kind", ""), "")}
                      for m in application.materials],
        "steps": _steps(application), "missing": _missing(application, today),
        "log_empty": _("Not submitted yet.") if application.status == Application.Status.DRAFT
        else _("No step recorded here (entered before the log was kept)."),
        "checklist": checklist, "checklist_keys": {item["key"] for item in checklist},
        "documents": application.documents.all(), "document_max_mb": settings.DOCUMENT_MAX_MB,
        "lists": formlists.lists(),
        "can_edit": application.status == Application.Status.DRAFT
        and scopes.can_declare_for_unit(request.user, application.fixed_source.unit),
        "permit": getattr(application, "permit", None) if application.status == "issued" else None,
    })


def _act(request, action, success: str, to: str, pk: int):
    """Run a service from a button: its error (naming the field, REASON_LABELS) or ``success`` as a
    message, then back to the page."""
    try:
        action()
    except DomainError as e:
        for line in labelled_messages(e, lambda field: REASON_LABELS.get(field, "")):
            messages.error(request, line)
    else:
        messages.success(request, success)
    return redirect(to, pk=pk)


def _missing(application, today):
    if application.status != "draft":
        return {}
    return {application_label(field): errors for field, errors in workflow.completeness(application, today).items()}


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, application.fixed_source.unit):
        raise PermissionDenied
    if application.status != "draft":
        messages.error(request, _("A submitted application is never changed; corrections are a new version."))
        return redirect("permits:application", pk=application.pk)
    initial = {**application.basic_info, "monitoring_plan": application.monitoring_plan,
               "ledger_plan": application.ledger_plan,
               "public_notice_from": application.public_notice_from,
               "public_notice_to": application.public_notice_to, "onsite_check": application.onsite_check}
    form = ApplicationForm(request.POST or None, initial=initial)
    post = request.POST if request.method == "POST" else None
    outlets = list(application.outlets.prefetch_related("limits"))
    tables = {
        "product": table_rows(post, "product", PRODUCT_COLUMNS) if post else application.products,
        "material": table_rows(post, "material", MATERIAL_COLUMNS) if post else application.materials,
        "facility": table_rows(post, "facility", FACILITY_COLUMNS) if post else application.facilities,
        "outlet": table_rows(post, "outlet", OUTLET_COLUMNS) if post else [
            {"code": o.code, "name": o.name, "destination": o.destination} for o in outlets],
        "limit": table_rows(post, "limit", LIMIT_COLUMNS) if post else [
            {"code": o.code, "pollutant": lim.pollutant, "concentration": workflow._plain(lim.concentration),
             "concentration_unit": lim.concentration_unit, "annual_quantity": workflow._plain(lim.annual_quantity),
             "standard": lim.standard} for o in outlets for lim in o.limits.all()],
    }
    table_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "facilities": tables["facility"], "products": tables["product"],
                "materials": tables["material"], "outlets": outlets_from_rows(tables["limit"], tables["outlet"])}
        try:
            workflow.application_update(user=request.user, application=application, data=data)
        except DomainError as e:
            in_tables = {k: v for k, v in e.errors.items()
                         if k.startswith(("outlets", "facilities", "products", "materials"))}
            rest = {k: v for k, v in e.errors.items() if k not in in_tables}
            if in_tables:  # the tables' rows have no form fields: named by outlet, pollutant or row
                table_errors = labelled_messages(DomainError(errors=in_tables),
                                                 lambda field: row_label(field, outlets=data["outlets"]))
            if rest or not in_tables:
                apply_errors(form, DomainError(errors=rest) if rest else e)
        else:
            messages.success(request, _("Draft saved."))
            if request.POST.get("then") == "submit":
                return _move(request, application, "submit")
            return redirect("permits:application", pk=application.pk)
    sections = [{"key": key, "title": title, "fields": [form[name] for name in fields],
                 "table": table_context(table, tables[table]) if table else None}
                for key, title, fields, table in SECTIONS]
    return render(request, "permits/application_form.html", {
        "application": application, "form": form, "nav_active": "permits", "table_errors": table_errors,
        "sections": sections, "lists": formlists.lists(),
        "pollutants_air": formlists.lists().pollutant_names("A"),
        "pollutants_water": formlists.lists().pollutant_names("W"),
        "checklist": selectors.attachment_checklist(application),
    })


def _move(request, application, action: str):
    form = MoveForm(request.POST)
    form.is_valid()
    try:
        result = MOVE_SERVICES[action](request.user, application, form)
    except DomainError as e:
        for line in labelled_messages(e, lambda field: MOVE_LABELS.get(field, "")):
            messages.error(request, line)
        return redirect("permits:application", pk=application.pk)
    messages.success(request, _("Done: %(action)s.") % {"action": workflow.MOVES[action].label})
    if isinstance(result, Permit):
        return redirect("permits:permit", pk=result.pk)
    return redirect("permits:application", pk=result.pk)


@login_required
@require_POST
def application_move(request, pk: int, action: str):
    application = selectors.application_get(user=request.user, pk=pk)
    if action not in MOVE_SERVICES:
        raise Http404
    return _move(request, application, action)


# Permits -------------------------------------------------------------------------------------


@login_required
def permit_detail(request, pk: int):
    """Public for whoever sees the unit; its reports and history for the unit's permit work."""
    permit = selectors.permit_public_get(user=request.user, pk=pk)
    unit = permit.fixed_source.unit
    lead, article, confirmed = law.renewal_lead_days(permit.valid_until)
    can_declare = scopes.can_declare_for_unit(request.user, unit)
    checks = selectors.number_checks(permit=permit)
    if not selectors.works_on_unit(user=request.user, unit=unit):
        return render(request, "permits/permit.html", {
            "permit": permit, "nav_active": "permits", "unit": unit, "public_only": True, "number_checks": checks,
            "renew_by": permit.valid_until - timedelta(days=lead), "renew_article": article,
            "renew_confirmed": confirmed,
        })
    return render(request, "permits/permit.html", {
        "permit": permit, "nav_active": "permits", "unit": unit, "number_checks": checks,
        "renew_by": permit.valid_until - timedelta(days=lead), "renew_article": article,
        "renew_confirmed": confirmed,
        "moves": workflow.permit_moves(user=request.user, permit=permit),
        "can_declare": can_declare,
        "can_file_report": can_declare and permit.status == Permit.Status.VALID,
        "history": registry_selectors.history_of(permit)[:20],
        "expected": [{**row, "kind_label": ComplianceReport.Kind(row["kind"]).label}
                     for row in compliance.expected_reports(permit, timezone.localdate())],
        "reports": permit.reports.all(),
    })


@login_required
def permit_certificate(request, pk: int, copy: str):
    from zhengtong.permits.certificates import certificate_pdf

    permit = selectors.permit_public_get(user=request.user, pk=pk)  # a certificate is public
    if copy not in ("original", "duplicate"):
        raise Http404
    response = HttpResponse(certificate_pdf(permit, copy), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{permit.number}-{copy}.pdf"'
    return response


@login_required
@require_POST
def permit_end(request, pk: int):
    permit = selectors.permit_get(user=request.user, pk=pk)
    return _act(request, lambda: workflow.permit_end(user=request.user, permit=permit,
                                                     action=request.POST.get("action", ""),
                                                     reason=request.POST.get("reason", "")),
                _("The permit has ended."), "permits:permit", permit.pk)


# Compliance reports ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_file(request, pk: int):
    permit = selectors.permit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, permit.fixed_source.unit):
        raise PermissionDenied
    limits = [(o["code"], lim["pollutant"], lim.get("concentration_unit", ""))
              for o in permit.content.get("outlets", []) for lim in o.get("limits", [])]
    default_kind = (permit.report_cadence or [{"kind": ""}])[0]["kind"]
    kind = request.POST.get("kind") or request.GET.get("kind") or default_kind
    start = request.POST.get("period_start") or request.GET.get("start", "")
    errors: list[str] = []
    if request.method == "POST":
        values = [{"outlet_code": code, "pollutant": pollutant,
                   "concentration": request.POST.get(f"v-{i}-concentration", ""),
                   "concentration_unit": request.POST.get(f"v-{i}-unit", ""),
                   "quantity": request.POST.get(f"v-{i}-quantity", "")}
                  for i, (code, pollutant, _u) in enumerate(limits)]
        values = [v for v in values if v["concentration"] or v["quantity"]]
        try:
            report = compliance.report_submit(
                user=request.user, permit=permit, kind=kind, period_start=start,
                values=values, stopped_production=bool(request.POST.get("stopped_production")),
                notes=request.POST.get("notes", ""), correction_reason=request.POST.get("correction_reason", ""))
        except DomainError as e:
            errors = labelled_messages(e, lambda field: REPORT_LABELS.get(field) or row_label(field, values=values))
        else:
            messages.success(request, _("Report submitted."))
            return redirect("permits:report", pk=report.pk)
    return render(request, "permits/report_form.html", {
        "permit": permit, "limits": list(enumerate(limits)), "kind": kind, "start": start, "errors": errors,
        "post": request.POST, "nav_active": "permits",
        "kinds": [(c["kind"], ComplianceReport.Kind(c["kind"]).label) for c in permit.report_cadence
                  if c["kind"] in ComplianceReport.Kind.values]})


@login_required
def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    return render(request, "permits/report.html", {"report": report, "nav_active": "permits",
                                                   "values": report.values.all()})


# Enforcement -----------------------------------------------------------------------------------


CASE_COLUMNS = [
    Column("unit", gettext_lazy("Unit"), order=("unit__name",), cell=lambda c: c.unit.name),
    Column("county", gettext_lazy("County"), order=("unit__county__code",), cell=lambda c: c.unit.county.name),
    Column("kind", gettext_lazy("Violation"), order=("kind",), cell=lambda c: c.get_kind_display()),
    Column("date", gettext_lazy("Date"), order=("violation_date",), cell=lambda c: c.violation_date),
    Column("status", gettext_lazy("Status"), order=("status",), cell=lambda c: c.get_status_display()),
    Column("basis", gettext_lazy("Legal basis"), order=("basis",), cell=lambda c: c.basis_text),
    Column("assignee", gettext_lazy("Assigned officer"), order=("assignee__username",),
           cell=lambda c: c.assignee.get_username() if c.assignee_id else ""),
    Column("deadline", gettext_lazy("Rectification deadline"), order=("rectification_deadline",),
           cell=lambda c: c.rectification_deadline),
    Column("fine", gettext_lazy("Fine (yuan)"), order=("fine",), cell=lambda c: c.fine),
]


def _case_filters(request) -> dict:
    g = request.GET
    return {"status": g.get("status", ""), "kind": g.get("kind", ""), "county": g.get("county"),
            "basis": g.get("basis", ""), "assignee": g.get("assignee", "")}


@login_required
def case_list(request):
    """Enforcement cases, filtered by status, violation, county, legal basis and assignee, sortable,
    paged and exported."""
    filters = _case_filters(request)
    qs = selectors.case_list(user=request.user, **filters)
    result = listing(request, qs, CASE_COLUMNS, default="-date", size=50)
    return render(request, "permits/case_list.html", {
        "page": result.page, "listing": result, "query": result.query,
        "status_options": _options(EnforcementCase.Status.choices, filters["status"]),
        "kind_options": _options(EnforcementCase.Kind.choices, filters["kind"]),
        "county_options": _options([(str(r.pk), r.name) for r in registry_selectors.county_choices()],
                                   str(filters["county"] or "")),
        "basis_options": _options([(p.key, p.text) for p in law.PENALTIES], filters["basis"]),
        "assignee_options": _options([("me", _("Me")), ("none", _("Not assigned"))], filters["assignee"]),
        "nav_active": "permits", "can_scan": scopes.can_review_permits_citywide(request.user)})


@login_required
def case_export(request):
    qs = selectors.case_list(user=request.user, **_case_filters(request))
    return export_response(request, qs, CASE_COLUMNS, default="-date", name="enforcement-cases",
                           sheet_name=_("Enforcement cases"))


@login_required
@require_POST
def case_scan(request):
    if not scopes.can_review_permits_citywide(request.user):  # the scan looks at the whole city
        raise PermissionDenied
    opened = compliance.enforcement_scan()
    messages.success(request, _("%(n)d new case(s) opened.") % {"n": sum(opened.values())})
    return redirect("permits:cases")


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    can_act = scopes.can_review_permits(request.user, case.unit)
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "decide":
                compliance.case_decide(user=request.user, case=case, basis=request.POST.get("basis", ""),
                                       measures=request.POST.getlist("measures"), fine=request.POST.get("fine"),
                                       instances=request.POST.get("instances"),
                                       deadline=request.POST.get("deadline"))
            elif action == "assign":
                compliance.case_assign(user=request.user, case=case, assignee=request.POST.get("assignee"),
                                       note=request.POST.get("note", ""))
            elif action == "issue":
                document = decisions.document_issue(user=request.user, case=case, kind=request.POST.get("kind", ""))
                messages.success(request, _("Issued: %(number)s.") % {"number": document.number})
                return redirect("permits:case", pk=case.pk)
            else:
                compliance.case_move(user=request.user, case=case, action=action or "",
                                     note=request.POST.get("note", ""))
        except DomainError as e:
            for line in labelled_messages(e, lambda field: CASE_LABELS.get(field, "")):
                messages.error(request, line)
        else:
            messages.success(request, _("Case updated."))
        return redirect("permits:case", pk=case.pk)
    bases = compliance.case_bases(case)
    documents = list(selectors.case_documents(case=case))
    issued = {d.kind for d in documents}
    s = scopes.get_scope(request.user)
    may_assign = can_act and case.status != EnforcementCase.Status.CLOSED and (s.is_city or s.is_head)
    return render(request, "permits/case.html", {
        "case": case, "bases": bases, "moves": compliance.case_moves(user=request.user, case=case),
        "documents": documents,
        "due": [t for t in decisions.documents_due(case) if t.kind not in issued]
        if can_act and case.status in decisions.ISSUABLE else [],
        "assignees": compliance.case_assignees(case=case) if may_assign else [],
        "may_take": (can_act and not may_assign and case.assignee_id is None
                     and case.status != EnforcementCase.Status.CLOSED),
        "nav_active": "permits",
        "measures": law.MEASURES, "chosen": law.penalty(case.basis) if case.basis else None,
        "history": registry_selectors.history_of(case)[:20]})


# Documents -------------------------------------------------------------------------------------


@login_required
@require_POST
@upload_limit("DOCUMENT_MAX_MB", field="file", label=gettext_lazy("Documents"))
def document_upload(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)

    def attach():
        too_large = refusal(request)
        if too_large is not None:
            raise too_large
        workflow.application_attach(user=request.user, application=application, upload=request.FILES.get("file"),
                                    item=request.POST.get("item", ""))

    return _act(request, attach, _("Document attached."), "permits:application", application.pk)


@login_required
def document_download(request, pk: int, doc: int):
    application = selectors.application_get(user=request.user, pk=pk)
    document = application.documents.filter(pk=doc).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.name)


@login_required
@require_POST
def document_delete(request, pk: int, doc: int):
    application = selectors.application_get(user=request.user, pk=pk)
    document = application.documents.filter(pk=doc).first()
    if document is None:
        raise Http404
    try:
        workflow.application_detach(user=request.user, document=document)
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("permits:application", pk=application.pk)


@login_required
@require_GET
def case_document(request, pk: int, doc: int):
    """An issued decision document, as issued (its stored bytes)."""
    document = selectors.case_document_get(user=request.user, case_pk=pk, pk=doc)
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{document.pk}.pdf"'
    return response
