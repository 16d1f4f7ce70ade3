"""Registry pages: parse the request, call a selector or a service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from zhengtong.accounts import scopes
from zhengtong.core.access import Kind, Subject, record_view
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors, save_form
from zhengtong.core.listing import Column, export_response, export_rows, listing, xlsx_response
from zhengtong.core.uploads import refusal, upload_limit
from zhengtong.registry import imports, selectors, services
from zhengtong.registry.codes import id_number_note, normalise
from zhengtong.registry.forms import (
    DepartmentForm,
    ImportForm,
    InmateReleaseDateForm,
    InmateReleaseForm,
    PersonEditForm,
    PersonFilterForm,
    PersonForm,
    SiteFilterForm,
    SiteForm,
    UnitFilterForm,
    UnitForm,
)
from zhengtong.registry.models import Industry


def _list(request, template: str, partial: str, context: dict):
    """Lists answer HTMX filter requests with the table alone; ``listing`` (core.listing) sorts and
    pages the rows, and its query (without the page) is what the filter and export links keep."""
    context["page"] = context["listing"].page
    context["query"] = context["listing"].query
    return render(request, partial if request.htmx else template, context)


# The columns of each list: what sorts it (core.listing) and what its export writes.
UNIT_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("name",)),
    Column("uscc", gettext_lazy("Unified social credit code"), order=("uscc",)),
    Column("county", gettext_lazy("County"), order=("county__code",)),
    Column("industry", gettext_lazy("Industry"), order=("industry__code",)),
    Column("status", gettext_lazy("Status"), order=("status",)),
]
SITE_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("name_key",), cell=lambda s: s.name),
    Column("unit", gettext_lazy("Unit"), order=("unit__name",), cell=lambda s: s.unit.name),
    Column("kind", gettext_lazy("Kind"), order=("kind",), cell=lambda s: s.get_kind_display()),
    Column("county", gettext_lazy("County"), order=("county__code",), cell=lambda s: s.county.name),
    Column("capacity", gettext_lazy("Capacity"), order=("capacity",), cell=lambda s: s.capacity, css="num"),
    Column("address", gettext_lazy("Address"), cell=lambda s: s.address),
    Column("uscc", gettext_lazy("Unified social credit code"), cell=lambda s: s.unit.uscc),
]
PERSON_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("name",), cell=lambda p: p.name),
    # The ID number as the list shows it: masked for every viewer (the whole number is shown, and
    # recorded as an access, only on a person's page, to those with health duties at their sites).
    Column("id_number", gettext_lazy("ID number"), cell=lambda p: p.id_number_masked),
    Column("phone", gettext_lazy("Phone"), order=("phone",), cell=lambda p: p.phone),
    Column("created", gettext_lazy("Registered"), order=("created_at",), cell=lambda p: p.created_at),
]
DEPARTMENT_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("name",), cell=lambda d: d.name),
    Column("code", gettext_lazy("Code"), order=("code",), cell=lambda d: d.code),
    Column("kind", gettext_lazy("Kind"), order=("kind",), cell=lambda d: d.get_kind_display()),
    Column("region", gettext_lazy("Region"), order=("region__code",), cell=lambda d: d.region.name),
]
PEOPLE_COUNT_CAP = 10_000  # "more than 10,000 people": counting the city's whole register is slow


def _industry_classes():
    return Industry.objects.filter(level=Industry.Level.CLASS).only("code", "name")


# Units -------------------------------------------------------------------------------------


@login_required
def unit_list(request):
    filters = UnitFilterForm(request.GET)
    filters.is_valid()
    data = {**filters.cleaned_data, "incomplete": request.GET.get("incomplete")}
    qs = selectors.unit_list(user=request.user, filters=data)
    return _list(request, "registry/unit_list.html", "registry/_unit_table.html", {
        "filters": filters, "listing": listing(request, qs, UNIT_COLUMNS, default="name"), "nav_active": "units",
        "can_create": scopes.can_create_unit(request.user), "can_import": scopes.can_import_units(request.user),
    })


@login_required
def unit_export(request):
    filters = UnitFilterForm(request.GET)
    filters.is_valid()
    data = {**filters.cleaned_data, "incomplete": request.GET.get("incomplete")}
    qs = selectors.unit_list(user=request.user, filters=data)
    from zhengtong.registry import exports

    # In the layout the import reads back, sorted as the page.
    return xlsx_response(exports.units_xlsx(export_rows(request, qs, UNIT_COLUMNS, default="name")), "units")


@login_required
def unit_import_template(request):
    """An empty spreadsheet with the columns the import reads."""
    from zhengtong.registry import exports
    from zhengtong.registry.models import Unit

    if not scopes.can_import_units(request.user):
        raise PermissionDenied
    response = xlsx_response(exports.units_xlsx(Unit.objects.none()), "units-template")
    response["Content-Disposition"] = 'attachment; filename="units-template.xlsx"'
    return response


@login_required
def unit_detail(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    return render(request, "registry/unit_detail.html", {
        "unit": unit, "nav_active": "units",
        "sites": selectors.site_list(user=request.user, unit=unit),
        "can_change": selectors.unit_can_change(user=request.user, unit=unit),
        "can_add_site": scopes.can_create_site(request.user, unit),
        "history": selectors.history_of(unit)[:20],
    })


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    if not scopes.can_create_unit(request.user):
        raise PermissionDenied
    form = UnitForm(request.POST or None, initial={"kind": "enterprise", "status": "active"})
    if request.method == "POST":
        unit = save_form(form, lambda data: services.unit_create(user=request.user, data=data))
        if unit is not None:
            messages.success(request, _("Unit %(name)s registered.") % {"name": unit.name})
            return redirect("registry:unit_detail", pk=unit.pk)
    return render(request, "registry/unit_form.html", {
        "form": form, "nav_active": "units", "industries": _industry_classes(), "title": _("Register a unit"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    if not selectors.unit_can_change(user=request.user, unit=unit):
        raise PermissionDenied
    form = UnitForm(request.POST) if request.method == "POST" else UnitForm.for_unit(unit)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.unit_update(user=request.user, unit=unit, data=data))
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("registry:unit_detail", pk=unit.pk)
    return render(request, "registry/unit_form.html", {
        "form": form, "unit": unit, "nav_active": "units", "industries": _industry_classes(),
        "title": _("Edit %(name)s") % {"name": unit.name},
    })


@login_required
def unit_history(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    return render(request, "registry/history.html", {
        "object": unit, "history": selectors.history_of(unit), "nav_active": "units",
        "back": ("registry:unit_detail", unit.pk),
    })


# Sites -------------------------------------------------------------------------------------


@login_required
def site_list(request):
    filters = SiteFilterForm(request.GET)
    filters.is_valid()
    qs = selectors.site_list(user=request.user, filters=filters.cleaned_data)
    return _list(request, "registry/site_list.html", "registry/_site_table.html", {
        "filters": filters, "listing": listing(request, qs, SITE_COLUMNS, default="name"), "nav_active": "sites",
    })


@login_required
def site_export(request):
    filters = SiteFilterForm(request.GET)
    filters.is_valid()
    qs = selectors.site_list(user=request.user, filters=filters.cleaned_data)
    return export_response(request, qs, SITE_COLUMNS, default="name", name="sites", sheet_name=_("Sites"))


@login_required
def site_detail(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk)
    people = selectors.person_list(user=request.user, filters={"site": site.pk})
    can_see_people = site in selectors.sites_for_people(user=request.user)
    releases = can_see_people and scopes.can_release_inmates(request.user, site)
    due = selectors.inmates_due(site=site) if releases else []
    if due:  # whose isolation is not complete: health data
        record_view(request, kind=Kind.ISOLATION, subject=Subject.of(site), detail=_("Inmates due for release"))
    return render(request, "registry/site_detail.html", {
        "site": site, "nav_active": "sites",
        "can_change": selectors.site_can_change(user=request.user, site=site),
        "people_count": people.count(), "can_see_people": can_see_people,
        "history": selectors.history_of(site)[:20],
        "show_releases": releases and (site.kind == site.Kind.PRISON or bool(due)), "due": due,
        "due_days": settings.RELEASE_DUE_DAYS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def inmate_release(request, pk: int, membership_pk: int):
    """An inmate's release date, and the release itself (the end of their relation to the site), which
    the registry refuses, with the reasons, until a registered check clears it (registry.ports: the
    outbreak app's pre-release isolation)."""
    site = selectors.site_get(user=request.user, pk=pk)
    membership = selectors.inmate_get(user=request.user, site=site, pk=membership_pk)
    if not scopes.can_release_inmates(request.user, site):
        raise PermissionDenied
    person = membership.person
    action = request.POST.get("action") if request.method == "POST" else None
    date_form = InmateReleaseDateForm(request.POST if action == "date" else None,
                                      initial={"release_date": membership.release_date})
    release_form = InmateReleaseForm(request.POST if action == "release" else None,
                                     initial={"released_on": timezone.localdate()})
    if action == "date":
        if save_form(date_form, lambda data: services.inmate_release_date_set(
                user=request.user, site=site, person=person, data=data)) is not None:
            messages.success(request, _("Release date saved."))
            return redirect("registry:inmate_release", pk=site.pk, membership_pk=membership.pk)
    elif action == "release":
        if save_form(release_form, lambda data: services.inmate_release(
                user=request.user, site=site, person=person, data=data)) is not None:
            messages.success(request, _("%(name)s's release is recorded.") % {"name": person.name})
            return redirect("registry:site_detail", pk=site.pk)
    elif request.method == "POST":
        raise Http404
    state = selectors.inmate_release_state(site=site, membership=membership)
    record_view(request, kind=Kind.ISOLATION, subject=Subject.of(person), detail=pgettext("inmate", "Release"))
    return render(request, "registry/inmate_release.html", {
        "site": site, "membership": membership, "person": person, "nav_active": "sites", "state": state,
        "date_form": date_form, "release_form": release_form,
    }, status=400 if date_form.errors or release_form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request, unit_pk: int):
    unit = selectors.unit_get(user=request.user, pk=unit_pk)
    if not scopes.can_create_site(request.user, unit):
        raise PermissionDenied
    form = SiteForm(request.POST or None, initial={"county": unit.county.code, "is_active": True},
                    county_locked=not scopes.chooses_site_county(request.user) and unit.county.is_county_level)
    if request.method == "POST":
        site = save_form(form, lambda data: services.site_create(user=request.user, unit=unit, data=data))
        if site is not None:
            messages.success(request, _("Site %(name)s added.") % {"name": site.name})
            return redirect("registry:site_detail", pk=site.pk)
    return render(request, "registry/site_form.html", {
        "form": form, "unit": unit, "nav_active": "sites", "title": _("Add a site to %(unit)s") % {"unit": unit},
    })


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk)
    if not selectors.site_can_change(user=request.user, site=site):
        raise PermissionDenied
    form = SiteForm.for_site(site, request.POST or None, county_locked=not scopes.can_move_sites(request.user))
    if request.method == "POST":
        saved = save_form(form, lambda data: services.site_update(user=request.user, site=site, data=data))
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("registry:site_detail", pk=site.pk)
    return render(request, "registry/site_form.html", {
        "form": form, "site": site, "unit": site.unit, "nav_active": "sites",
        "title": _("Edit %(name)s") % {"name": site.name},
    })


@login_required
def site_history(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk)
    return render(request, "registry/history.html", {
        "object": site, "history": selectors.history_of(site), "nav_active": "sites",
        "back": ("registry:site_detail", site.pk),
    })


# People ------------------------------------------------------------------------------------


@login_required
def person_list(request):
    filters = PersonFilterForm(request.GET)
    filters.is_valid()
    data = {**filters.cleaned_data, "site": request.GET.get("site") or None}
    qs = selectors.person_list(user=request.user, filters=data)
    return _list(request, "registry/person_list.html", "registry/_person_table.html", {
        "filters": filters, "nav_active": "people",
        "listing": listing(request, qs, PERSON_COLUMNS, default="name", count_cap=PEOPLE_COUNT_CAP),
        "can_register": selectors.may_register_people(user=request.user),
    })


@login_required
def person_export(request):
    """The people list as a spreadsheet: what the list shows (names, masked ID numbers, phones), no
    health data, so no access record (core.access)."""
    filters = PersonFilterForm(request.GET)
    filters.is_valid()
    data = {**filters.cleaned_data, "site": request.GET.get("site") or None}
    qs = selectors.person_list(user=request.user, filters=data)
    return export_response(request, qs, PERSON_COLUMNS, default="name", name="people", sheet_name=_("People"))


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    id_number = selectors.person_id_number(user=request.user, person=person)
    shown_whole = id_number != person.id_number_masked
    if shown_whole:  # an access record (issue 15)
        record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(person))
    today = timezone.localdate()
    memberships = list(selectors.person_memberships(user=request.user, person=person))
    return render(request, "registry/person_detail.html", {
        "person": person, "nav_active": "people", "id_number": id_number, "today": today,
        "id_note": id_number_note(id_number) if shown_whole else "",
        "memberships": memberships,
        "releasable": {m.pk for m in memberships if m.relation == m.Relation.INMATE and m.is_in_force_on(today)
                       and scopes.can_release_inmates(request.user, m.site)},
        "history": selectors.person_changes(user=request.user, person=person)[:20],
        "can_change": selectors.person_may_change(user=request.user, person=person),
        "is_held": person.is_held and scopes.can_resolve_identities(request.user),
        "can_report_case": scopes.can_see_cases(request.user) and not person.is_held,
        "can_see_entries": scopes.can_see_screening(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    sites = selectors.sites_for_people(user=request.user)
    if not sites.exists():
        raise PermissionDenied
    form = PersonForm(request.POST or None, sites=sites, initial={"site": request.GET.get("site")})
    if request.method == "POST":
        def register(data):
            site = selectors.site_get(user=request.user, pk=data["site"])
            return services.person_register(user=request.user, site=site, data=data)

        person = save_form(form, register)
        if person is not None:
            messages.success(request, _("%(name)s registered.") % {"name": person.name})
            note = id_number_note(form.cleaned_data["id_number"] and normalise(form.cleaned_data["id_number"]))
            if note:
                messages.info(request, note)
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {
        "form": form, "nav_active": "people", "title": _("Register a person"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    form = PersonEditForm(request.POST or None, initial={"name": person.name, "phone": person.phone})
    if not selectors.person_may_change(user=request.user, person=person):
        for field in form.fields.values():
            field.disabled = True
        form.locked_note = _("This person is registered at other sites too: the city administrator changes "
                             "their name and phone.")
    if request.method == "POST":
        saved = save_form(form, lambda d: services.person_update(user=request.user, person=person, data=d))
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {
        "form": form, "person": person, "nav_active": "people", "title": _("Edit %(name)s") % {"name": person.name},
    })


@login_required
def person_history(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    return render(request, "registry/history.html", {
        "object": person, "history": selectors.person_changes(user=request.user, person=person),
        "nav_active": "people", "back": ("registry:person_detail", person.pk),
    })


@login_required
def held_list(request):
    """The city's queue of registrations held because the name did not match the ID number's person."""
    if not scopes.can_resolve_identities(request.user):
        raise PermissionDenied
    return render(request, "registry/held_list.html", {
        "rows": selectors.held_registrations(user=request.user), "nav_active": "people",
        "actions": services.IDENTITY_ACTIONS,
    })


@login_required
@require_http_methods(["POST"])
def held_resolve(request, pk: int):
    if not scopes.can_resolve_identities(request.user):
        raise PermissionDenied
    held = selectors.person_get(user=request.user, pk=pk)
    try:
        identity = services.identity_resolve(user=request.user, held=held, action=request.POST.get("action", ""))
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("registry:held_list")
    messages.success(request, _("Resolved: the registration now belongs to %(name)s.") % {"name": identity.name})
    return redirect("registry:held_list")


# Departments -------------------------------------------------------------------------------


@login_required
def department_list(request):
    qs = selectors.department_list(user=request.user, filters={"q": request.GET.get("q", "")})
    return _list(request, "registry/department_list.html", "registry/_department_table.html", {
        "listing": listing(request, qs, DEPARTMENT_COLUMNS, default="code"), "nav_active": "departments",
        "q": request.GET.get("q", ""), "can_change": scopes.can_change_departments(request.user),
    })


@login_required
def department_export(request):
    qs = selectors.department_list(user=request.user, filters={"q": request.GET.get("q", "")})
    return export_response(request, qs, DEPARTMENT_COLUMNS, default="code", name="departments",
                           sheet_name=_("Departments"))


@login_required
def department_detail(request, pk: int):
    department = selectors.department_get(user=request.user, pk=pk)
    return render(request, "registry/department_detail.html", {
        "department": department, "nav_active": "departments",
        "can_change": scopes.can_change_departments(request.user),
        "history": selectors.history_of(department)[:20],
    })


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int | None = None):
    if not scopes.can_change_departments(request.user):
        raise PermissionDenied
    department = selectors.department_get(user=request.user, pk=pk) if pk else None
    if request.method == "POST":
        form = DepartmentForm(request.POST)
    else:
        form = DepartmentForm.for_department(department) if department else DepartmentForm()
    if request.method == "POST":
        saved = save_form(form, lambda data: services.department_save(
            user=request.user, data=data, department=department))
        if saved is not None:
            messages.success(request, _("Department %(name)s saved.") % {"name": saved.name})
            return redirect("registry:department_detail", pk=saved.pk)
    return render(request, "registry/department_form.html", {
        "form": form, "department": department, "nav_active": "departments",
        "title": _("Edit %(name)s") % {"name": department.name} if department else _("Add a department"),
    })


@login_required
def department_history(request, pk: int):
    department = selectors.department_get(user=request.user, pk=pk)
    return render(request, "registry/history.html", {
        "object": department, "history": selectors.history_of(department), "nav_active": "departments",
        "back": ("registry:department_detail", department.pk),
    })


# Import ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@upload_limit("IMPORT_MAX_MB", field="file", label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))
def unit_import(request):
    if not scopes.can_import_units(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    too_large = refusal(request)
    if too_large is not None:
        form.is_valid()
        form.errors["file"] = form.error_class(too_large.errors["file"])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = imports.unit_import_run(user=request.user, file_name=upload.name, content=upload.read())
        except DomainError as e:
            apply_errors(form, e)
        else:
            return redirect("registry:unit_import_detail", pk=record.pk)
    return render(request, "registry/unit_import.html", {
        "form": form, "nav_active": "import", "recent": selectors.unit_imports(user=request.user)[:10],
    })


@login_required
def unit_import_detail(request, pk: int):
    record = selectors.unit_import_get(user=request.user, pk=pk)
    return render(request, "registry/unit_import_detail.html", {"record": record, "nav_active": "import"})


@login_required
def unit_import_errors(request, pk: int, fmt: str):
    from zhengtong.registry import imports

    record = selectors.unit_import_get(user=request.user, pk=pk)
    if fmt == "xlsx":
        body = imports.error_report_xlsx(record)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, ctype = imports.error_report_csv(record), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="import-{record.pk}-errors.{fmt}"'
    return response
