"""Pages of leaders' visits and instructions: the visits (filters, sorting, export), a visit with its
units and instructions, recording a visit with its instructions in one form, and an instruction with
its thread and moves (resumption.visits)."""

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import filter_text, search_text
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors
from zhengtong.core.ids import valid_id
from zhengtong.core.listing import Column, export_response, listing
from zhengtong.resumption import visits
from zhengtong.resumption.forms import InstructionFormSet, InstructionMoveForm, VisitForm

ROWS = 4  # instruction rows the new visit form offers (?rows= up to 30)
STATUSES = (("open", gettext_lazy("with instructions not closed")),
            ("overdue", gettext_lazy("with overdue instructions")))


def _units(v) -> str:
    return "、".join(u.name for u in v.units.all())


VISIT_COLUMNS = [
    Column("day", gettext_lazy("Date"), order=("visited_on", "id"), cell=lambda v: v.visited_on),
    Column("leader", gettext_lazy("Leader"), order=("leader_title", "id"), cell=lambda v: v.leader_title),
    Column("units", gettext_lazy("Units visited"), order=("n_units", "id"), cell=_units),
    Column("instructions", gettext_lazy("Instructions"), order=("n_instructions", "id"),
           cell=lambda v: v.n_instructions),
    Column("open", gettext_lazy("Not closed"), order=("n_open", "id"), cell=lambda v: v.n_open),
    Column("overdue", gettext_lazy("Overdue"), order=("n_overdue", "id"), cell=lambda v: v.n_overdue),
    Column("summary", gettext_lazy("Summary"), cell=lambda v: v.summary),
]


def _day(value) -> date | None:
    try:
        return date.fromisoformat(filter_text(value)) if value else None
    except ValueError:
        return None


def _filtered(request):
    user = request.user
    if not scopes.can_see_visits(user):
        raise Http404
    today = timezone.localdate()
    params: dict[str, Any] = {"q": search_text(request.GET.get("q")), "county": valid_id(request.GET.get("county")),
              "status": filter_text(request.GET.get("status")), "since": _day(request.GET.get("since")),
              "until": _day(request.GET.get("until"))}
    return visits.visit_list(user=user, today=today, **params).prefetch_related("units"), params


@login_required
@require_GET
def visit_list(request):
    qs, params = _filtered(request)
    result = listing(request, qs, VISIT_COLUMNS, default="-day")
    return render(request, "resumption/visit_list.html", {
        "nav_active": "visits", "listing": result, "page": result.page, "query": result.query, **params,
        "statuses": STATUSES, "counties": visits.visit_counties(user=request.user),
        "may_record": scopes.can_record_visits(request.user),
    })


@login_required
@require_GET
def visit_export(request):
    qs, _params = _filtered(request)
    return export_response(request, qs, VISIT_COLUMNS, default="-day", name="visits", sheet_name=_("Visits"))


@login_required
@require_GET
def visit(request, pk: int):
    user = request.user
    visit = visits.visit_get(user=user, pk=pk)
    today = timezone.localdate()
    rows = [(i, visits.instruction_clock(i, today)) for i in visits.visit_instructions(user=user, visit=visit)]
    return render(request, "resumption/visit.html", {
        "nav_active": "visits", "v": visit, "units": visits.visit_units(visit=visit), "rows": rows,
        "others": visit.instructions.count() - len(rows),
    })


ROW_FIELD = re.compile(r"instructions\[(\d+)\]\.(\w+)")


def _apply_errors(form, formset, error: DomainError) -> None:
    """The service's errors on the field they name: ``instructions[2].due_on`` on the third row."""
    rest = {}
    for field, texts in error.errors.items():
        m = ROW_FIELD.fullmatch(field)
        if m and int(m.group(1)) < len(formset.forms) and m.group(2) in formset.forms[int(m.group(1))].fields:
            for text in texts:
                formset.forms[int(m.group(1))].add_error(m.group(2), text)
        else:
            rest[field] = texts
    if rest or not error.errors:
        apply_errors(form, DomainError(error.message if not error.errors else "", errors=rest))


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request):
    user = request.user
    if not scopes.can_record_visits(user):
        raise Http404
    departments = list(visits.departments())
    rows = min(max(valid_id(request.GET.get("rows")) or ROWS, 1), 30)
    unit = valid_id(request.GET.get("unit"))
    initial = {"visited_on": timezone.localdate().isoformat()}
    if unit:
        named = visits.recordable_units(user=user).filter(pk=unit).first()
        initial["units"] = named.name if named else ""
    form = VisitForm(request.POST or None, initial=initial)
    formset = InstructionFormSet(request.POST or None, prefix="instructions", initial=[{}] * rows,
                                 form_kwargs={"departments": departments})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {**form.cleaned_data, "instructions": [f.cleaned_data for f in formset.forms]}
        try:
            saved = visits.visit_record(user=user, data=data)
        except DomainError as e:
            _apply_errors(form, formset, e)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("resumption:visit", pk=saved.pk)
    failed = bool(form.errors or formset.total_error_count())
    return render(request, "resumption/visit_new.html", {
        "nav_active": "visits", "form": form, "formset": formset, "more": min(rows + 4, 30),
    }, status=400 if failed else 200)


def _instruction_page(request, instruction, form=None, status=200, failed=""):
    today = timezone.localdate()
    events = list(visits.instruction_events(instruction=instruction))
    due_dates = [e.due_on for e in events if e.due_on is not None]
    return render(request, "resumption/instruction.html", {
        "nav_active": "visits", "i": instruction, "clock": visits.instruction_clock(instruction, today),
        "events": events, "failed": failed, "first_due": due_dates[0] if len(due_dates) > 1 else None,
        "allowed": visits.instruction_moves_allowed(user=request.user, instruction=instruction),
        "form": form or InstructionMoveForm(),
    }, status=status)


@login_required
@require_GET
def instruction(request, pk: int):
    return _instruction_page(request, visits.instruction_get(user=request.user, pk=pk))


@login_required
@require_POST
def instruction_move(request, pk: int, action: str):
    instruction = visits.instruction_get(user=request.user, pk=pk)
    form = InstructionMoveForm(request.POST)
    form.is_valid()
    try:
        visits.instruction_move(user=request.user, instruction=instruction, action=action,
                                data={"text": request.POST.get("text"), "due_on": request.POST.get("due_on")})
    except DomainError as e:
        apply_errors(form, e)
        return _instruction_page(request, instruction, form=form, failed=action,
                                 status=e.status if e.status in (400, 409) else 400)
    messages.success(request, _("Instruction updated."))
    return redirect("resumption:instruction", pk=instruction.pk)
