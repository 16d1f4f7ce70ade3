"""The logs of a site and of a person (screening.logs): entries, health checks, alerts and
disinfections, one view for each way of showing them. Each page and each export writes one access
record (core.access) for the whole list, with its filter, never one per row."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhengtong.accounts import scopes
from zhengtong.core import exports
from zhengtong.core.access import Subject, list_detail, record_view
from zhengtong.core.errors import DomainError
from zhengtong.core.keyset import count_capped, keyset_page
from zhengtong.screening import logs
from zhengtong.screening.forms import LogFilterForm

FILTERS = ("day_from", "day_to", "status", "area", "q")


def _query(request, *, drop=("cursor",)):
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query


def _filtered(request, *, log, site=None, person=None):
    """The filter form and the filtered rows (None when the filters are not valid)."""
    form = LogFilterForm(request.GET, log=log, areas=site.areas.order_by("name") if site is not None else None)
    if not form.is_valid():
        return form, None
    return form, logs.log_list(user=request.user, log=log, site=site, person=person, filters=form.cleaned_data)


def _record(request, log, subject, *, export: str = ""):
    if not log.access_kind:  # disinfections: no personal or health data
        return
    detail = list_detail(request, *FILTERS)
    if export:
        detail = f"{export}; {detail}" if detail else export
    elif request.GET.get("cursor"):
        detail = f"{detail}; cursor" if detail else "cursor"
    record_view(request, kind=log.access_kind, subject=subject, detail=detail)


def _page_view(request, *, log, site=None, person=None, template_context):
    form, qs = _filtered(request, log=log, site=site, person=person)
    page = count = None
    status = 200
    if qs is not None:
        try:
            page = keyset_page(qs, time_field=log.time_field, cursor=request.GET.get("cursor"),
                               size=settings.PAGE_SIZE)
        except DomainError as e:
            form.add_error(None, e.message)
            status = 400
        else:
            count = count_capped(qs, settings.LOG_COUNT_CAP)
    else:
        status = 400
    with_site = site is None
    viewer = logs.Viewer(request.user)
    headers = log.headers(with_site=with_site)
    rows = [logs.Row(row, list(zip(headers, log.values(row, viewer, with_site=with_site), strict=True)))
            for row in page] if page else []
    if page is not None:  # rows were shown (refused filters show none)
        _record(request, log, Subject.of(site if site is not None else person))
    return render(request, "screening/log.html", {
        "log": log, "filters": form, "page": page, "rows": rows, "count": count,
        "headers": headers, "query": _query(request), "nav_active": "screening",
        **template_context,
    }, status=status)


def _export(request, *, log, site=None, person=None, title: str, back: str):
    form, qs = _filtered(request, log=log, site=site, person=person)
    if qs is None:
        messages.error(request, _("The filters are not valid."))
        return redirect(back)
    subject = Subject.of(site if site is not None else person)
    inline = settings.EXPORT_MAX_ROWS_INLINE
    if count_capped(qs, inline).more:
        export = logs.log_export_job(user=request.user, log=log, title=title, site=site, person=person,
                                     query={name: request.GET.get(name, "") for name in FILTERS})
        _record(request, log, subject, export=f"export job {export.pk}")
        messages.success(request, _("The list has more than %(n)d rows: its file is being written. Download it "
                                    "from My exports when it is ready.") % {"n": inline})
        return redirect("export_list")
    with_site = site is None
    handle = tempfile.TemporaryFile()
    try:
        exports.write_xlsx_to(handle, log.headers(with_site=with_site),
                              logs.log_export_rows(qs, log, logs.Viewer(request.user), with_site=with_site),
                              sheet_name=str(log.title), widths=log.widths(with_site=with_site))
    except DomainError as e:
        handle.close()
        messages.error(request, e.message)
        return redirect(back)
    handle.seek(0)
    _record(request, log, subject, export="export")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"{log.name}-{stamp}.xlsx",
                        content_type=exports.XLSX_TYPE)


def _site_context(request, site, log):
    return {
        "site": site, "title": f"{log.title} · {site.name}",
        "export_url": reverse("screening:site_log_export", args=[site.pk, log.name]),
        "tabs": [(other, reverse("screening:site_log", args=[site.pk, other.name]))
                 for other in logs.LOGS.values()
                 if logs.log_sites(user=request.user, log=other).filter(pk=site.pk).exists()],
        "back": reverse("screening:site", args=[site.pk]),
    }


@login_required
@require_GET
def site_log(request, pk: int, log: str):
    """A site's log: its rows newest first, filtered, a keyset page at a time."""
    the_log = logs.log_named(log)
    site = logs.log_site_get(user=request.user, pk=pk, log=the_log)
    return _page_view(request, log=the_log, site=site, template_context=_site_context(request, site, the_log))


@login_required
@require_GET
def site_log_export(request, pk: int, log: str):
    the_log = logs.log_named(log)
    site = logs.log_site_get(user=request.user, pk=pk, log=the_log)
    back = f"{reverse('screening:site_log', args=[site.pk, the_log.name])}?{_query(request).urlencode()}"
    return _export(request, log=the_log, site=site, title=f"{the_log.title} · {site.name}", back=back)


def _person_context(person):
    return {
        "person": person, "title": _("Entries of %(name)s") % {"name": person.name},
        "export_url": reverse("screening:person_entries_export", args=[person.pk]),
        "back": reverse("registry:person_detail", args=[person.pk]),
    }


@login_required
@require_GET
def person_entries(request, pk: int):
    """A person's entries at every site whose entry log the user may see."""
    if not scopes.can_see_screening(request.user):
        raise Http404
    person = logs.log_person_get(user=request.user, pk=pk)
    return _page_view(request, log=logs.ENTRIES, person=person, template_context=_person_context(person))


@login_required
@require_GET
def person_entries_export(request, pk: int):
    if not scopes.can_see_screening(request.user):
        raise Http404
    person = logs.log_person_get(user=request.user, pk=pk)
    back = f"{reverse('screening:person_entries', args=[person.pk])}?{_query(request).urlencode()}"
    return _export(request, log=logs.ENTRIES, person=person,
                   title=_("Entries of %(name)s") % {"name": person.name}, back=back)


urlpatterns = [
    path("sites/<int:pk>/log/<slug:log>/", site_log, name="site_log"),
    path("sites/<int:pk>/log/<slug:log>/export.xlsx", site_log_export, name="site_log_export"),
    path("people/<int:pk>/entries/", person_entries, name="person_entries"),
    path("people/<int:pk>/entries/export.xlsx", person_entries_export, name="person_entries_export"),
]
