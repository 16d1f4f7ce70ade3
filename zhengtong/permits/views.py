"""Permit pages: parse the request, call a selector or a service, render."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.permits import selectors, services
from zhengtong.permits.catalogue import CLASSES, load_catalogue
from zhengtong.permits.forms import CancelForm, CatalogueFilterForm, FactsForm, PublicSearchForm, RegistrationForm
from zhengtong.permits.models import CatalogueEntry, Classification, ManagementClass
from zhengtong.registry import selectors as registry_selectors
from zhengtong.registry.errors import DomainError
from zhengtong.registry.forms import apply_errors


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
        "can_run": scopes.can_review_permits(request.user),
        "nav_active": "permits",
    })


@login_required
@require_POST
def classification_run(request):
    if not scopes.can_review_permits(request.user):
        raise PermissionDenied
    started = time.perf_counter()
    counts = services.classify_all(user=request.user)
    seconds = time.perf_counter() - started
    summary = "; ".join(f"{ManagementClass(c).label} {n}" for c, n in sorted(counts.items()))
    messages.success(request, _("%(n)d units classified in %(s).1f s: %(summary)s.") % {
        "n": sum(counts.values()), "s": seconds, "summary": summary})
    return redirect("permits:classification")


@login_required
def unit_permits(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    classification = Classification.objects.filter(unit=unit).first()
    facts = selectors.unit_facts(unit)
    return render(request, "permits/unit.html", {
        "unit": unit, "nav_active": "permits",
        "explained": selectors.classification_explained(classification),
        "facts": [selectors._fact_display(k, v) for k, v in facts.items()],
        "can_declare": scopes.can_declare_for_unit(request.user, unit),
    })


@login_required
@require_http_methods(["GET", "POST"])
def unit_facts(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    form = FactsForm(selectors.fact_groups(unit), request.POST or None, initial_facts=selectors.unit_facts(unit))
    if request.method == "POST" and form.is_valid():
        data = {key: _form_value(value) for key, value in form.cleaned_data.items()}
        try:
            services.unit_facts_save(user=request.user, unit=unit, data=data)
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Facts saved and the unit classified again."))
            return redirect("permits:unit", pk=unit.pk)
    return render(request, "permits/unit_facts.html", {"unit": unit, "form": form, "nav_active": "permits"})


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
    rows = selectors.campaign_units(user=request.user, campaign=current, today=today, only_past_due=only_past_due)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "permits/campaign.html", {
        "campaign": current, "today": today, "only_past_due": only_past_due, "query": query,
        "progress": selectors.campaign_progress(user=request.user, campaign=current, today=today),
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "early_industries": current.early_industries.select_related("industry"), "nav_active": "permits",
    })


# Registration -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registration_file(request, pk: int):
    unit = registry_selectors.unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_for_unit(request.user, unit):
        raise PermissionDenied
    current = selectors.unit_registrations(unit).filter(status="valid").first()
    initial = {"address": unit.address, "legal_representative": unit.legal_representative,
               "contact_name": unit.contact_name, "contact_phone": unit.contact_phone}
    if current is not None:
        initial.update({f: getattr(current, f) for f in services.REGISTRATION_TEXT_FIELDS})
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_file(user=request.user, unit=unit, data=form.cleaned_data)
        except DomainError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Registration recorded: number %(n)s.") % {"n": registration.number})
            return redirect("permits:registration", pk=registration.pk)
    return render(request, "permits/registration_form.html", {
        "unit": unit, "form": form, "current": current, "nav_active": "permits"})


@login_required
def registration_detail(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    return render(request, "permits/registration.html", {
        "registration": registration, "nav_active": "permits",
        "letter_confirmed": False,
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
    try:
        services.registration_cancel(user=request.user, registration=registration,
                                     reason=form.cleaned_data.get("reason", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Registration cancelled."))
    return redirect("permits:registration", pk=registration.pk)


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
