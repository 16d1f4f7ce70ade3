"""Pages of cases: the list with counts by county and site, a case with its moves, reporting a
case for a person, moving a case. Every view of a case is in the access log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.access import Kind, Subject, list_detail, record_view
from zhengtong.core.cleaners import filter_text
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors, save_form
from zhengtong.core.ids import valid_id
from zhengtong.outbreak import isolation, selectors, services, tracing
from zhengtong.outbreak.forms import (
    CaseMoveForm,
    CaseReportForm,
    IsolationCheckForm,
    IsolationExtendForm,
    IsolationOrderForm,
    IsolationReleaseForm,
)
from zhengtong.outbreak.models import CaseStatus, IsolationReason, IsolationStatus


def _seeing(request) -> None:
    if not scopes.can_see_cases(request.user):
        raise Http404


@login_required
@require_GET
def case_list(request):
    _seeing(request)
    status = filter_text(request.GET.get("status"))
    county = valid_id(request.GET.get("county"))
    q = filter_text(request.GET.get("q"))
    page = Paginator(selectors.case_list(user=request.user, status=status, county=county, q=q),
                     settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        record_view(request, kind=Kind.CASE, subject=Subject.listing(_("Cases")),
                    detail=list_detail(request, "status", "county", "q", "page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outbreak/case_list.html", {
        "page": page, "status": status, "county": county, "q": q, "query": query, "nav_active": "cases",
        "statuses": CaseStatus.choices, "counties": selectors.report_counties(user=request.user),
        "by_county": selectors.counts_by_county(user=request.user),
        "by_site": selectors.counts_by_site(user=request.user)[:20],
        "by_day": selectors.counts_by_day(user=request.user, days=14),
    })


@login_required
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    record_view(request, kind=Kind.CASE, subject=Subject.of(case))
    return render(request, "outbreak/case_detail.html", {
        "case": case, "moves": selectors.case_moves(case=case), "nav_active": "cases",
        "allowed": services.case_moves_allowed(user=request.user, case=case), "form": CaseMoveForm(),
        "may_trace": scopes.can_decide_cases(request.user, case.county_id),
    })


@login_required
def case_report(request):
    person = selectors.reportable_person(user=request.user, pk=request.GET.get("person") or request.POST.get("person"))
    sites = selectors.report_sites(user=request.user, person=person)
    counties = selectors.report_counties(user=request.user)
    if not (sites.exists() or (counties.exists() and scopes.can_decide_cases(request.user))):
        raise PermissionDenied
    form = CaseReportForm(request.POST or None, sites=sites, counties=counties,
                          may_confirm=scopes.can_decide_cases(request.user))
    if request.method == "POST":
        case = save_form(form, lambda data: services.case_report(user=request.user, person=person, data=data))
        if case is not None:
            messages.success(request, _("Case reported: %(person)s.") % {"person": person.name})
            return redirect("outbreak:case_detail", pk=case.pk)
    return render(request, "outbreak/case_report.html", {"form": form, "person": person, "nav_active": "cases"},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def case_move(request, pk: int, action: str):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseMoveForm(request.POST)
    form.is_valid()
    try:
        services.case_move(user=request.user, case=case, action=action, reason=form.cleaned_data.get("reason"))
    except DomainError as e:
        apply_errors(form, e)
        record_view(request, kind=Kind.CASE, subject=Subject.of(case))
        return render(request, "outbreak/case_detail.html", {
            "case": case, "moves": selectors.case_moves(case=case), "nav_active": "cases", "form": form,
            "allowed": services.case_moves_allowed(user=request.user, case=case), "failed": action,
        }, status=e.status if e.status in (400, 409) else 400)
    messages.success(request, _("Case updated."))
    return redirect("outbreak:case_detail", pk=case.pk)


# Isolation orders ------------------------------------------------------------------------------


def _isolation_seeing(request) -> None:
    if not scopes.can_see_cases(request.user):
        raise Http404


@login_required
@require_GET
def isolation_list(request):
    _isolation_seeing(request)
    status = filter_text(request.GET.get("status")) or IsolationStatus.ACTIVE
    reason = filter_text(request.GET.get("reason"))
    q = filter_text(request.GET.get("q"))
    page = Paginator(selectors.isolation_list(user=request.user, status=status, reason=reason, q=q),
                     settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        record_view(request, kind=Kind.ISOLATION, subject=Subject.listing(_("Isolation orders")),
                    detail=list_detail(request, "status", "reason", "q", "page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outbreak/isolation_list.html", {
        "page": page, "status": status, "reason": reason, "q": q, "query": query, "nav_active": "isolation",
        "statuses": IsolationStatus.choices, "reasons": IsolationReason.choices,
        "today": timezone.localdate(),
    })


def _isolation_page(request, order, forms_: dict | None = None, status: int = 200, failed: str = ""):
    user = request.user
    may_release = scopes.can_release_isolation(user, order.county_id)
    forms_ = forms_ or {}
    return render(request, "outbreak/isolation_detail.html", {
        "order": order, "nav_active": "isolation", "failed": failed,
        "checks": isolation.isolation_checks(order), "moves": selectors.isolation_moves(order=order),
        "blockers": isolation.release_blockers(order), "early_blockers": isolation.release_blockers(order, early=True),
        "may_check": order.status == "active" and scopes.can_check_isolation(user, county_id=order.county_id,
                                                                            site=order.site),
        "may_release": order.status == "active" and may_release,
        "may_approve": (order.status == "active" and order.early_requested_by_id is not None
                        and order.early_requested_by_id != user.pk and scopes.can_approve_early_release(user)),
        "fever_free_days": settings.ISOLATION_FEVER_FREE_DAYS,
        "check_form": forms_.get("check") or IsolationCheckForm(),
        "extend_form": forms_.get("extend") or IsolationExtendForm(),
        "release_form": forms_.get("release") or IsolationReleaseForm(),
    }, status=status)


@login_required
@require_GET
def isolation_detail(request, pk: int):
    order = selectors.isolation_get(user=request.user, pk=pk)
    record_view(request, kind=Kind.ISOLATION, subject=Subject.of(order))
    return _isolation_page(request, order)


ISOLATION_ACTIONS = {
    "check": ("check", IsolationCheckForm, lambda user, order, d: isolation.isolation_check_record(
        user=user, order=order, data=d)),
    "extend": ("extend", IsolationExtendForm, lambda user, order, d: isolation.isolation_extend(
        user=user, order=order, data=d)),
    "release": ("release", IsolationReleaseForm, lambda user, order, d: isolation.isolation_release(
        user=user, order=order, note=d.get("note"))),
    "ask_early": ("release", IsolationReleaseForm, lambda user, order, d: isolation.isolation_release_early_ask(
        user=user, order=order, reason=d.get("reason"))),
    "approve_early": ("release", IsolationReleaseForm, lambda user, order, d: isolation.isolation_release_early_approve(
        user=user, order=order, note=d.get("note"))),
}


@login_required
@require_POST
def isolation_act(request, pk: int, action: str):
    order = selectors.isolation_get(user=request.user, pk=pk)
    if action not in ISOLATION_ACTIONS:
        raise Http404
    key, form_class, act = ISOLATION_ACTIONS[action]
    form = form_class(request.POST)
    form.is_valid()
    try:
        act(request.user, order, {**request.POST.dict(), **form.cleaned_data})
    except DomainError as e:
        apply_errors(form, e)
        record_view(request, kind=Kind.ISOLATION, subject=Subject.of(order))
        order.refresh_from_db()
        return _isolation_page(request, order, {key: form}, status=e.status if e.status in (400, 409) else 400,
                               failed=action)
    messages.success(request, _("Saved."))
    return redirect("outbreak:isolation_detail", pk=order.pk)


@login_required
def isolation_new(request):
    person = selectors.reportable_person(user=request.user, pk=request.GET.get("person") or request.POST.get("person"))
    sites = selectors.isolation_sites(user=request.user)
    counties = selectors.report_counties(user=request.user)
    if not (sites.exists() or counties.exists()):
        raise PermissionDenied
    initial = {"case": request.GET.get("case"), "reason": request.GET.get("reason")}
    form = IsolationOrderForm(request.POST or None, sites=sites, counties=counties, initial=initial)
    if request.method == "POST":
        order = save_form(form, lambda data: isolation.isolation_order(
            user=request.user, person=person, data={**data, "case": request.POST.get("case")}))
        if order is not None:
            messages.success(request, _("Isolation ordered: %(person)s.") % {"person": person.name})
            return redirect("outbreak:isolation_detail", pk=order.pk)
    return render(request, "outbreak/isolation_new.html", {
        "form": form, "person": person, "case": valid_id(request.GET.get("case") or request.POST.get("case")),
        "nav_active": "isolation", "days": settings.ISOLATION_DAYS,
    }, status=400 if form.errors else 200)


# Contact tracing ---------------------------------------------------------------------------------


def _trace(request, case, data):
    params = tracing.params_read(data)
    return tracing.case_trace(user=request.user, case=case, params=params)


@login_required
def case_trace(request, pk: int):
    """The case's contacts from the gate's entries, with the trace's parameters; selected contacts
    are isolated in one action (those outside the user's county are listed masked, for their own
    county's officers)."""
    case = selectors.case_get(user=request.user, pk=pk)
    if not scopes.can_decide_cases(request.user, case.county_id):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    errors: dict = {}
    result = None
    outcome = None
    try:
        result = _trace(request, case, data)
    except DomainError as e:
        errors = e.errors
    if result is not None:
        record_view(request, kind=Kind.TRACE, subject=Subject.of(case),
                    detail=list_detail(request, "lookback_days", "min_overlap_minutes", "degree"))
    form = IsolationOrderForm(request.POST or None, sites=selectors.isolation_sites(user=request.user),
                              counties=selectors.report_counties(user=request.user),
                              initial={"reason": "close_contact", "place": "home"})
    status = 400 if errors else 200
    if request.method == "POST" and result is not None:
        chosen = {valid_id(v) for v in request.POST.getlist("person")} - {None}
        allowed = {c.person_id for c in result.contacts if c.in_scope}
        people = list(selectors.reportable_people(user=request.user, ids=chosen & allowed))
        if not people:
            form.is_valid()
            form.add_error(None, _("Choose the contacts to isolate."))
            status = 400
        elif form.is_valid():
            try:
                outcome = isolation.isolation_order_many(
                    user=request.user, people=people, data={**form.cleaned_data, "case": case.pk})
            except DomainError as e:  # the order's terms, refused for everyone alike
                apply_errors(form, e)
                status = 400
            else:
                tracing.trace_keep(user=request.user, result=result)
                done = sum(1 for o in outcome.values() if o.order)
                messages.success(request, _("%(n)d of %(m)d contacts isolated.") % {"n": done, "m": len(people)})
                if done == len(people):
                    return redirect(f"{request.path}?{request.POST.urlencode()}")
                status = 409
        else:
            status = 400
    names = {c.person_id: c.name for c in result.contacts} if result else {}
    return render(request, "outbreak/case_trace.html", {
        "case": case, "result": result, "errors": errors, "form": form, "nav_active": "cases",
        "params": data, "outcome": [(names.get(pid, pid), o) for pid, o in (outcome or {}).items()],
        "defaults": tracing.Params(), "retention_days": settings.ENTRY_RETENTION_DAYS,
    }, status=status)
