"""Pages of cases: the list with counts by county and site, a case with its moves, reporting a
case for a person, moving a case. Every view of a case is in the access log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.access import Kind, Subject, list_detail, record_view
from zhengtong.core.cleaners import filter_text
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors, save_form
from zhengtong.core.ids import valid_id
from zhengtong.outbreak import selectors, services
from zhengtong.outbreak.forms import CaseMoveForm, CaseReportForm
from zhengtong.outbreak.models import CaseStatus


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
