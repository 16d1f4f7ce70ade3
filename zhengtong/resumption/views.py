"""Pages of resumption: the overview (rates by county and industry, who has not declared, who is
behind plan), the declarations filed with a lead department, a unit's declaration, stages and
timeline, and the forms of declaring, reporting a stage and answering."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import filter_text, search_text
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors, save_form
from zhengtong.core.http import remember
from zhengtong.core.ids import valid_id
from zhengtong.core.listing import Column, export_response, listing
from zhengtong.core.uploads import refusal, upload_limit
from zhengtong.registry.models import Department, Region
from zhengtong.resumption import selectors, services, visits
from zhengtong.resumption.forms import AnswerForm, DeclarationForm, DifficultyForm, DifficultyMoveForm, StageForm
from zhengtong.resumption.models import DeclarationStatus, DifficultyCategory, DifficultyStatus, ResumptionDeclaration

SHOW = (("", gettext_lazy("all")), ("undeclared", gettext_lazy("not declared")),
        ("behind", gettext_lazy("behind plan")), ("resumed", gettext_lazy("resumed")),
        ("fully", gettext_lazy("fully resumed")), ("gap", gettext_lazy("workforce gap")))

UNIT_COLUMNS = [
    Column("name", gettext_lazy("Unit"), order=("name",)),
    Column("county", gettext_lazy("County"), order=("county__code",)),
    Column("industry", gettext_lazy("Industry"), order=("industry__code",)),
    Column("declared", gettext_lazy("Declared"), order=("declared",)),
    Column("resumed", gettext_lazy("Resumed"), order=("resumed",)),
    Column("behind", gettext_lazy("Behind plan"), order=("behind",)),
    Column("workforce", gettext_lazy("Workforce measured / declared"), order=("workforce_gap", "measured")),
]
DECLARATION_COLUMNS = [
    Column("unit", gettext_lazy("Unit"), order=("unit__name",)),
    Column("county", gettext_lazy("County"), order=("unit__county__code",)),
    Column("planned", gettext_lazy("Planned date"), order=("planned_date",)),
    Column("declared", gettext_lazy("Declared on"), order=("declared_on",)),
    Column("due", gettext_lazy("Answer due"), order=("answer_due",)),
    Column("status", gettext_lazy("Status"), order=("status",)),
]


@login_required
@require_GET
def overview(request):
    user = request.user
    if not scopes.can_see_resumption(user):
        raise Http404
    if not scopes.can_oversee_resumption(user):
        own = scopes.own_unit_ids(user)
        if own:
            return redirect("resumption:unit", pk=min(own))
        return redirect("resumption:declaration_list")
    today = timezone.localdate()
    rates = selectors.rates(user=user, today=today)
    return render(request, "resumption/overview.html", {
        "nav_active": "resumption", "today": today, "by_county": rates.by_county, "total": rates.total,
        "by_section": rates.by_section,
        "trend_days": selectors.trend_days(today), "may_edit_expected": scopes.can_edit_expected_units(user),
        "overdue_difficulties": selectors.difficulties_overdue_count(user=user, today=today),
    })


@login_required
@require_GET
def units(request):
    user = request.user
    if not scopes.can_oversee_resumption(user):
        raise Http404
    show = filter_text(request.GET.get("show"))
    county = valid_id(request.GET.get("county"))
    q = search_text(request.GET.get("q"))
    today = timezone.localdate()
    qs = selectors.units_overview(user=user, today=today, show=show, county=county, q=q)
    result = listing(request, qs, UNIT_COLUMNS, default="name")
    counties = Region.objects.filter(pk__in=selectors.expected_units(user=user).values("county_id")).order_by("code")
    return render(request, "resumption/units.html", {
        "nav_active": "resumption", "listing": result, "page": result.page, "query": result.query,
        "show": show, "shows": SHOW, "county": county, "counties": counties, "q": q,
        "workforce_days": settings.WORKFORCE_DAYS, "gap_pct": settings.WORKFORCE_GAP_PCT,
    })


@login_required
@require_GET
def declaration_list(request):
    user = request.user
    if not scopes.can_see_resumption(user):
        raise Http404
    status = filter_text(request.GET.get("status"))
    q = search_text(request.GET.get("q"))
    result = listing(request, selectors.declaration_list(user=user, status=status, q=q), DECLARATION_COLUMNS,
                     default="due")
    today = timezone.localdate()
    rows = [(d, selectors.declaration_clock(d, today)) for d in result.page]
    return render(request, "resumption/declaration_list.html", {
        "nav_active": "resumption", "listing": result, "page": result.page, "rows": rows, "query": result.query,
        "status": status, "statuses": DeclarationStatus.choices, "q": q,
    })


def _unit_page(request, unit, *, answer_form=None, status=200, failed=""):
    user = request.user
    today = timezone.localdate()
    declaration = services.current_declaration(unit)
    return render(request, "resumption/unit.html", {
        "nav_active": "resumption", "unit": unit, "declaration": declaration,
        "clock": selectors.declaration_clock(declaration, today) if declaration else "",
        "stages": selectors.unit_stages(unit=unit), "timeline": selectors.unit_timeline(unit=unit),
        "workforce": selectors.unit_workforce(unit=unit, today=today),
        "spark_height": selectors.SPARK_HEIGHT, "spark_width": selectors.SPARK_WIDTH,
        "may_declare": scopes.can_declare_resumption(user, unit),
        "allowed": services.declaration_moves_allowed(user=user, declaration=declaration) if declaration else {},
        "answer_form": answer_form or AnswerForm(), "failed": failed, "answer_days": settings.RESUMPTION_ANSWER_DAYS,
    }, status=status)


@login_required
@require_GET
def unit(request, pk: int):
    return _unit_page(request, selectors.resumption_unit_get(user=request.user, pk=pk))


DECLARED_FIELDS = ("planned_date", "workforce_total", "workforce_returned", "returned_from_outside",
                   "outside_isolated", "measures_note", *ResumptionDeclaration.MEASURES)


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk: int):
    """Declare, or correct the declaration in force. A correction is a new declaration with its reason:
    the page carries the declaration it corrects (``corrects``, the one in force when it was shown); the
    service refuses it when another has corrected that one meanwhile, and a declaration of another unit
    named there is a 404. The one corrected is kept as it was."""
    unit = selectors.resumption_unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_resumption(request.user, unit):
        raise Http404
    previous = services.current_declaration(unit)
    if request.method == "POST":
        raw = request.POST.get("corrects")
        seen = selectors.unit_declaration_get(unit=unit, pk=raw) if raw else None
    else:
        seen = previous
    initial = {f: getattr(seen, f) for f in DECLARED_FIELDS} if seen is not None else {}
    form = DeclarationForm(request.POST or None, initial=initial, correcting=seen is not None or previous is not None)
    status = 200
    if request.method == "POST":
        saved = save_form(form, lambda data: services.declaration_file(
            user=request.user, unit=unit, data=data, corrects=seen, first=seen is None))
        if saved is not None:
            messages.success(request, _("Declaration filed."))
            return redirect("resumption:unit", pk=unit.pk)
        status = 400
        if previous is not None and (seen is None or seen.pk != previous.pk):
            seen, status = previous, 409  # filed or corrected meanwhile: the page now shows the one in force
    return render(request, "resumption/declare.html", {
        "nav_active": "resumption", "unit": unit, "form": form, "corrects": seen,
    }, status=status)


@login_required
def stage_new(request, pk: int):
    unit = selectors.resumption_unit_get(user=request.user, pk=pk)
    if not scopes.can_declare_resumption(request.user, unit):
        raise Http404
    # the stage corrected: the form's hidden field when it is sent (the page's link names it first)
    raw = request.POST.get("corrects") if request.method == "POST" else request.GET.get("corrects")
    corrects = selectors.stage_get(user=request.user, unit=unit, pk=raw) if raw else None
    initial = {"stage": corrects.stage, "reached_on": corrects.reached_on, "capacity_pct": corrects.capacity_pct,
               "note": corrects.note} if corrects else {}
    form = StageForm(request.POST or None, initial=initial, correcting=corrects is not None)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.stage_report(user=request.user, unit=unit, data=data,
                                                                   corrects=corrects))
        if saved is not None:
            messages.success(request, _("Stage recorded."))
            return redirect("resumption:unit", pk=unit.pk)
    return render(request, "resumption/stage.html", {
        "nav_active": "resumption", "unit": unit, "form": form, "corrects": corrects,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def declaration_answer(request, pk: int, action: str):
    declaration = selectors.declaration_get(user=request.user, pk=pk)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        services.declaration_answer(user=request.user, declaration=declaration, action=action,
                                    answer=form.cleaned_data.get("answer"))
    except DomainError as e:
        apply_errors(form, e)
        return _unit_page(request, declaration.unit, answer_form=form, failed=action,
                          status=e.status if e.status in (400, 409) else 400)
    messages.success(request, _("Answer recorded."))
    return redirect("resumption:unit", pk=declaration.unit_id)


# Difficulties ------------------------------------------------------------------------------------

DIFFICULTY_COLUMNS = [
    Column("title", gettext_lazy("Title"), order=("title",)),
    Column("unit", gettext_lazy("Unit"), order=("unit__name",)),
    Column("category", gettext_lazy("Category"), order=("category",)),
    Column("department", gettext_lazy("Department"), order=("department__name",)),
    Column("status", gettext_lazy("Status"), order=("status",)),
    Column("reported", gettext_lazy("Reported"), order=("reported_at",)),
    Column("due", gettext_lazy("Due"), order=("resolve_due",)),
]
# "more than 1,000 difficulties": counting every row the city or a county sees took longer than the
# page of rows itself (75 ms against 25 ms for a county's overdue ones at the benchmark's 100,000)
DIFFICULTY_COUNT_CAP = 1_000
DIFFICULTY_FILTERS = (("open", gettext_lazy("open")), ("overdue", gettext_lazy("overdue")),
                      *DifficultyStatus.choices)


@login_required
@require_GET
def difficulty_list(request):
    user = request.user
    if not scopes.can_see_resumption(user):
        raise Http404
    status = filter_text(request.GET.get("status"))
    category = filter_text(request.GET.get("category"))
    q = search_text(request.GET.get("q"))
    today = timezone.localdate()
    qs = selectors.difficulty_list(user=user, today=today, status=status, category=category, q=q)
    result = listing(request, qs, DIFFICULTY_COLUMNS, default="-reported", count_cap=DIFFICULTY_COUNT_CAP)
    rows = [(d, selectors.difficulty_clock(d, today)) for d in result.page]
    return render(request, "resumption/difficulty_list.html", {
        "nav_active": "difficulties", "listing": result, "page": result.page, "rows": rows, "query": result.query,
        "status": status, "statuses": DIFFICULTY_FILTERS, "category": category,
        "categories": DifficultyCategory.choices, "q": q,
        "may_report": selectors.reporting_units(user=user).exists(),
    })


ATTACHMENTS = gettext_lazy("Attachments")


@login_required
@upload_limit("DOCUMENT_MAX_MB", field="attachments", label=ATTACHMENTS, many=True)
def difficulty_new(request):
    units = selectors.reporting_units(user=request.user)
    if not units.exists():
        raise Http404
    form = DifficultyForm(request.POST or None, request.FILES or None, units=units[:500],
                          initial={"unit": valid_id(request.GET.get("unit"))})
    if request.method == "POST":
        def report(data):
            too_large = refusal(request)
            if too_large is not None:
                raise too_large
            unit = units.filter(pk=valid_id(data.get("unit")) or 0).first()
            if unit is None:
                raise DomainError(_("Choose one of your units."), field="unit")
            return services.difficulty_report(user=request.user, unit=unit, data=data,
                                              files=request.FILES.getlist("attachments"))

        difficulty = save_form(form, report)
        if difficulty is not None:
            messages.success(request, _("Difficulty reported."))
            return redirect("resumption:difficulty", pk=difficulty.pk)
    return render(request, "resumption/difficulty_new.html", {"nav_active": "difficulties", "form": form,
                                                              "max_mb": settings.DOCUMENT_MAX_MB,
                                                              "max_files": settings.DIFFICULTY_MAX_ATTACHMENTS},
                  status=400 if form.errors else 200)


def _difficulty_page(request, difficulty, form=None, status=200, failed=""):
    today = timezone.localdate()
    allowed = services.difficulty_moves_allowed(user=request.user, difficulty=difficulty)
    departments = Department.objects.filter(is_active=True).exclude(pk=difficulty.department_id or 0).order_by("code")
    return render(request, "resumption/difficulty.html", {
        "nav_active": "difficulties", "d": difficulty, "clock": selectors.difficulty_clock(difficulty, today),
        "events": selectors.difficulty_events(difficulty=difficulty), "allowed": allowed, "failed": failed,
        "form": form or DifficultyMoveForm(departments=departments if "reassign" in allowed else ()),
        "max_mb": settings.DOCUMENT_MAX_MB, "max_files": settings.DIFFICULTY_MAX_ATTACHMENTS,
    }, status=status)


@login_required
@require_GET
def difficulty(request, pk: int):
    return _difficulty_page(request, selectors.difficulty_get(user=request.user, pk=pk))


@login_required
@require_POST
@upload_limit("DOCUMENT_MAX_MB", field="attachments", label=ATTACHMENTS, many=True)
def difficulty_move(request, pk: int, action: str):
    difficulty = selectors.difficulty_get(user=request.user, pk=pk)
    departments = Department.objects.filter(is_active=True).exclude(pk=difficulty.department_id or 0).order_by("code")
    form = DifficultyMoveForm(request.POST, departments=departments)
    form.is_valid()
    data = {"text": request.POST.get("text"), "rating": request.POST.get("rating"),
            "department": request.POST.get("department")}
    try:
        too_large = refusal(request)
        if too_large is not None:
            raise too_large
        services.difficulty_move(user=request.user, difficulty=difficulty, action=action, data=data,
                                 files=request.FILES.getlist("attachments"))
    except DomainError as e:
        apply_errors(form, e)
        return _difficulty_page(request, difficulty, form=form, failed=action,
                                status=e.status if e.status in (400, 409) else 400)
    messages.success(request, _("Difficulty updated."))
    return redirect("resumption:difficulty", pk=difficulty.pk)



@login_required
@require_GET
def difficulty_attachment(request, pk: int, attachment: int):
    """A file attached to a difficulty, to whoever sees the difficulty (404 to anyone else)."""
    found = selectors.attachment_get(user=request.user, difficulty_pk=pk, pk=attachment)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.name)


# The department's inbox ----------------------------------------------------------------------------

INBOX_COLUMNS = [
    Column("due", gettext_lazy("Due"), order=("due",), cell=lambda d: d.due),
    Column("title", gettext_lazy("Title"), order=("title",), cell=lambda d: d.title),
    Column("unit", gettext_lazy("Unit"), order=("unit__name",), cell=lambda d: d.unit.name),
    Column("county", gettext_lazy("County"), order=("unit__county__code",), cell=lambda d: d.unit.county.name),
    Column("category", gettext_lazy("Category"), order=("category",), cell=lambda d: d.get_category_display()),
    Column("department", gettext_lazy("Department"), order=("department__name",),
           cell=lambda d: d.department.name if d.department else ""),
    Column("status", gettext_lazy("Status"), order=("status",), cell=lambda d: d.get_status_display()),
    Column("reported", gettext_lazy("Reported"), order=("reported_at",), cell=lambda d: d.reported_on),
]
INBOX_STATUS_CHOICES = [(value, label) for value, label in DifficultyStatus.choices
                        if value in selectors.INBOX_STATUSES]
INBOX_WHEN_CHOICES = (("overdue", gettext_lazy("overdue")), ("today", gettext_lazy("due today")),
                      ("escalated", gettext_lazy("escalated")))


def _inbox(request):
    user = request.user
    if not scopes.has_difficulty_inbox(user):
        raise Http404
    filters = {"status": filter_text(request.GET.get("status")), "category": filter_text(request.GET.get("category")),
               "when": filter_text(request.GET.get("when")), "q": search_text(request.GET.get("q"))}
    today = timezone.localdate()
    return selectors.department_inbox(user=user, today=today, **filters), filters, today


INBOX_INSTRUCTIONS = 50  # the open instructions shown under the difficulties, the earliest due first


@login_required
@require_GET
def inbox(request):
    """The department officer's inbox: what waits for them, the overdue first, then what is due today."""
    qs, filters, today = _inbox(request)
    # unfiltered, the list's total is the navigation's count of difficulties: counted once
    total = None if any(filters.values()) else selectors.inbox_difficulty_count(user=request.user, today=today,
                                                                                request=request)
    result = listing(request, qs, INBOX_COLUMNS, default="due", total=total)
    rows = [(d, selectors.inbox_clock(d, today)) for d in result.page]
    instructions = []
    if scopes.get_scope(request.user).departments:  # a department's officer: the instructions it was given
        instructions = [(i, visits.instruction_clock(i, today)) for i in
                        visits.department_instructions(user=request.user, today=today)[:INBOX_INSTRUCTIONS]]
        if len(instructions) < INBOX_INSTRUCTIONS:  # all of them: the navigation's count needs no query
            remember(request, (selectors.INBOX_INSTRUCTIONS_KEY, today), len(instructions))
    return render(request, "resumption/inbox.html", {
        "nav_active": "inbox", "listing": result, "page": result.page, "rows": rows, "query": result.query,
        "instructions": instructions, "instructions_max": INBOX_INSTRUCTIONS,
        **filters, "statuses": INBOX_STATUS_CHOICES, "categories": DifficultyCategory.choices,
        "whens": INBOX_WHEN_CHOICES, "today": today,
        "accept_days": settings.DIFFICULTY_ACCEPT_DAYS,
    })


@login_required
@require_GET
def inbox_export(request):
    qs, _filters, _today = _inbox(request)
    return export_response(request, qs, INBOX_COLUMNS, default="due", name="inbox", sheet_name=_("Inbox"))
