"""Site pages for screening: state, areas, health checks, disinfection, overview, alerts.

Who sees what (accounts.scopes): a site outside ``screening_sites_q`` is a 404; changes (state,
areas, health checks, disinfection) need ``can_manage_site``, else 403; temperatures are shown
only where ``can_see_health_data`` holds. A page that shows entries or temperatures writes an
access record (core.access): the site page (who is inside), the health checks, alerts that name
a person."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.access import Kind, Subject, list_detail, record_view
from zhengtong.core.compiled import kept
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import save_form
from zhengtong.core.listing import page_of
from zhengtong.outbreak import selectors as outbreak
from zhengtong.screening import selectors, services
from zhengtong.screening.forms import AreaForm, DisinfectionForm, HealthCheckForm, OverviewFilterForm, SiteStateForm


def _page(request, qs, size: int | None = None):
    return Paginator(qs, size or settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query


def _managed(request, pk):
    """A site of the user's scope (else 404) that the user manages (else 403)."""
    site = selectors.screening_site_get(user=request.user, pk=pk)
    if not scopes.can_manage_site(request.user, site):
        raise PermissionDenied
    return site


def _site_links(user, site) -> dict:
    return {
        "can_manage": scopes.can_manage_site(user, site),
        "can_screen": scopes.can_screen_at(user, site),
        "health_data": scopes.can_see_health_data(user, {site.pk}),
    }


# Overview ----------------------------------------------------------------------------------


@login_required
@require_GET
def site_list(request):
    """The sites of the user's scope with their figures: a county officer's county, the city."""
    if not scopes.can_see_screening(request.user):
        raise PermissionDenied
    filters = OverviewFilterForm(request.GET)
    filters.is_valid()
    # the sites with their figures, by statements compiled once per scope and filters (issue 16 §8)
    page = page_of(request, selectors.site_overview_rows(user=request.user, filters=filters.cleaned_data))
    # one page holds every site (a site manager's, most counties'): its rows' figures are the totals
    totals = (selectors.rows_totals(page.rows) if page.num_pages == 1 else selectors.figure_totals(
        selectors.site_overview(user=request.user, filters=filters.cleaned_data), user=request.user))
    return render(request, "screening/site_list.html", {
        "filters": filters, "filter_fields": _filter_fields(filters, request.GET), "page": page,
        "query": _query(request), "nav_active": "screening", "totals": totals,
    })


_FILTER_FIELDS: dict[tuple, str] = {}


def _filter_fields(form: OverviewFilterForm, data: QueryDict) -> str:
    """The overview's filter fields (screening/_overview_filters.html), written once per process for each
    language, counties to choose from and values asked for: what the fields show is made of nothing else."""
    key = (get_language(), tuple(form.fields["county"].choices),  # type: ignore[attr-defined]
           *(tuple(data.getlist(name)) for name in form.fields))
    return kept(_FILTER_FIELDS, key, lambda: render_to_string("screening/_overview_filters.html", {"filters": form}),
                limit=500)


@login_required
@require_GET
def site(request, pk: int):
    site = selectors.screening_site_get(user=request.user, pk=pk)
    record_view(request, kind=Kind.ENTRIES, subject=Subject.of(site))  # who is inside now
    return render(request, "screening/site.html", {
        "site": selectors.site_figures(user=request.user, site=site), "nav_active": "screening",
        "areas": selectors.area_status(site=site),
        "inside": selectors.inside_now(site=site),
        "history": selectors.site_state_history(site=site, limit=5),
        "days_since_case": outbreak.days_since_last_case(site=site),
        **_site_links(request.user, site),
    })


# State -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def site_state(request, pk: int):
    """Closed management, the visitor policy and the site's fever threshold, with the reason for
    each change; below, every change with who, when and why."""
    site = _managed(request, pk)
    form = SiteStateForm(request.POST) if request.method == "POST" else SiteStateForm.for_site(site)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.site_set_state(user=request.user, site=site,
                                                                  data=form.service_data()))
        if saved is not None:
            messages.success(request, _("The site's state is saved."))
            return redirect("screening:site", pk=site.pk)
    return render(request, "screening/site_state.html", {
        "site": site, "form": form, "nav_active": "screening",
        "history": selectors.site_state_history(site=site),
    }, status=400 if form.errors else 200)


# Areas -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def areas(request, pk: int):
    site = selectors.screening_site_get(user=request.user, pk=pk)
    can_manage = scopes.can_manage_site(request.user, site)
    form = AreaForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        area = save_form(form, lambda data: services.area_create(user=request.user, site=site, name=data["name"]))
        if area is not None:
            messages.success(request, _("Area %(name)s added.") % {"name": area.name})
            return redirect("screening:areas", pk=site.pk)
    return render(request, "screening/areas.html", {
        "site": site, "form": form, "can_manage": can_manage, "nav_active": "screening",
        "areas": selectors.area_status(site=site),
    }, status=400 if form.errors else 200)


# Daily health checks -----------------------------------------------------------------------


@login_required
@require_GET
def health_checks(request, pk: int):
    """The site's own people not yet checked today, one temperature after another."""
    site = _managed(request, pk)
    if not scopes.can_see_health_data(request.user, {site.pk}):
        raise PermissionDenied
    q = request.GET.get("q", "")
    record_view(request, kind=Kind.HEALTH, subject=Subject.of(site), detail=list_detail(request, "q", "page"))
    return render(request, "screening/health_checks.html", {
        "site": site, "nav_active": "screening", "q": q, "query": _query(request),
        "page": _page(request, selectors.unchecked_today(site=site, q=q)),
        "checked": selectors.checked_today(site=site)[:200],
    })


@login_required
@require_POST
def health_check_record(request, pk: int):
    site = _managed(request, pk)
    if not scopes.can_see_health_data(request.user, {site.pk}):
        raise PermissionDenied
    form = HealthCheckForm(request.POST)
    if not form.is_valid():
        return redirect("screening:health_checks", pk=site.pk)
    person = selectors.health_check_person(site=site, pk=form.cleaned_data["person"])
    context = {"site": site, "person": person}
    try:
        context["check"] = services.health_check_record(user=request.user, site=site, person=person,
                                                        temperature=form.cleaned_data["temperature"])
    except DomainError as e:
        context.update(error=e.message, typed=form.cleaned_data["temperature"])
    if request.htmx:
        return render(request, "screening/_health_row.html", context)
    if "error" in context:
        messages.error(request, f"{person.name}: {context['error']}")
    elif context["check"].is_fever:
        messages.error(request, _("%(name)s has a fever (%(t)s °C): the site manager and the county are alerted.")
                       % {"name": person.name, "t": context["check"].temperature})
    return redirect("screening:health_checks", pk=site.pk)


# Disinfection ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def disinfection(request, pk: int):
    """The disinfection log: area, agent, time, operator; each area's last one and whether it is
    overdue against the site's interval."""
    site = selectors.screening_site_get(user=request.user, pk=pk)
    can_manage = scopes.can_manage_site(request.user, site)
    form = DisinfectionForm(request.POST or None, areas=selectors.active_areas(site=site))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        done = save_form(form, lambda data: services.disinfection_record(user=request.user, site=site, data=data))
        if done is not None:
            messages.success(request, _("Disinfection of %(area)s logged.") % {"area": done.area.name})
            return redirect("screening:disinfection", pk=site.pk)
    return render(request, "screening/disinfection.html", {
        "site": site, "form": form, "can_manage": can_manage, "nav_active": "screening",
        "areas": selectors.area_status(site=site), "query": _query(request),
        "page": _page(request, selectors.disinfection_log(site=site)),
    }, status=400 if form.errors else 200)


# Alerts ------------------------------------------------------------------------------------


@login_required
@require_GET
def alerts(request):
    """The user's own alerts, open ones first."""
    open_only = request.GET.get("open") == "1"
    page = _page(request, selectors.user_alerts(user=request.user, open_only=open_only))
    named = list(dict.fromkeys(a.person.name for a in page if a.person_id))
    if named:  # a fever alert names the person and the temperature: health data
        record_view(request, kind=Kind.HEALTH, subject=Subject.listing(", ".join(named)),
                    detail=list_detail(request, "open", "page"))
    return render(request, "screening/alerts.html", {
        "page": page, "open_only": open_only, "query": _query(request), "nav_active": "alerts",
        "open_count": selectors.open_alert_count(user=request.user),
    })


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    alert = selectors.alert_get(user=request.user, pk=pk)
    services.alert_acknowledge(user=request.user, alert=alert)
    messages.success(request, _("Alert acknowledged."))
    return redirect("screening:alerts")


urlpatterns = [
    path("sites/", site_list, name="site_list"),
    path("sites/<int:pk>/", site, name="site"),
    path("sites/<int:pk>/state/", site_state, name="site_state"),
    path("sites/<int:pk>/areas/", areas, name="areas"),
    path("sites/<int:pk>/health/", health_checks, name="health_checks"),
    path("sites/<int:pk>/health/record/", health_check_record, name="health_check_record"),
    path("sites/<int:pk>/disinfection/", disinfection, name="disinfection"),
    path("alerts/", alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
]
