"""The gate screen (门岗): identify a person by pass, ID number or name, type the temperature, see
admit or refuse at once; register visitors; record exits. And the pass cards a site prints for
its own people. Every decision is taken by screening.services.entry_screen."""

import uuid
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import filter_text
from zhengtong.core.errors import DomainError
from zhengtong.core.ids import valid_id
from zhengtong.registry.models import Person, SitePerson
from zhengtong.screening import rules, selectors, services
from zhengtong.screening.forms import GateForm
from zhengtong.screening.models import Decision, Reason
from zhengtong.screening.passes import pass_code

# Which box the gate puts the cursor in after an input error in a field.
FOCUS = {
    "code": "code", "person": "code", "id_number": "code", "at": "code",
    "temperature": "temperature", "area": "area",
    "name": "visitor_name", "phone": "visitor_phone", "relation": "code",
    "visit_host": "visit_host", "visit_purpose": "visit_purpose",
}
EXIT_PREFIXES = ("-", "－", "—")


@dataclass
class Answer:
    """What the gate shows, large: admit (green), refuse (red), exit, or an input error (amber)."""

    result: str  # "admit", "refuse", "exit" or "error"
    title: str
    detail: str = ""
    reason: str = ""
    person: Person | None = None
    temperature: str = ""  # the temperature just typed, shown back to the gatekeeper
    focus: str = "code"  # the box the cursor goes to after an error
    visitor: str = ""  # "full" to show the visitor registration, "visit" for whom and why only, "name" for
    # the name and phone only (a visitor refused on sight, whose refusal is recorded)
    next_uuid: str = ""


def _partial(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _gate_context(site, **extra) -> dict:
    return {
        "site": site, "nav_active": "gate",
        "areas": selectors.active_areas(site=site),
        "closed": site.is_closed,
        "threshold": rules.fever_threshold(site),
        **extra,
    }


@login_required
@require_GET
def gate_home(request):
    """The sites where the user may screen; a gatekeeper of one site goes straight to its gate."""
    sites = selectors.gate_sites(user=request.user).select_related("unit", "county").order_by("name", "id")
    if not scopes.has_any_role(request.user) or not sites.exists():
        raise PermissionDenied
    q = filter_text(request.GET.get("q"))
    if q:
        sites = sites.filter(name__icontains=q)
    elif sites.count() == 1:
        return redirect("screening:gate", pk=sites.get().pk)
    page = Paginator(sites, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "screening/gate_home.html", {"page": page, "q": q, "nav_active": "gate"})


@login_required
@require_GET
def gate(request, pk: int):
    site = selectors.gate_site_get(user=request.user, pk=pk)
    return render(request, "screening/gate.html", _gate_context(site, next_uuid=uuid.uuid4()))


@login_required
@require_POST
def gate_identify(request, pk: int):
    """Who a code or a name is, shown before the temperature is typed: the person (name, masked ID
    number, relation), a list to choose from, a visitor to register, or what is wrong. A POST, so
    that ID numbers and pass codes stay out of URLs and access logs."""
    site = selectors.gate_site_get(user=request.user, pk=pk)
    code = request.POST.get("code", "")[:300].strip()
    for prefix in EXIT_PREFIXES:
        code = code.removeprefix(prefix).strip()
    context = {"site": site, "code": code}
    person_id = request.POST.get("person", "")[:20]
    if code and not selectors.looks_like_code(code) and not person_id:
        matches = list(selectors.site_people_search(site=site, q=code))
        if len(matches) > 1:
            relations = selectors.relations_at(site=site, people=matches)
            context.update(state="choose", matches=[(p, _relation_label(relations.get(p.pk))) for p in matches])
            return render(request, "screening/_gate_who.html", context)
    try:
        resolved = selectors.gate_resolve(site=site, code=code, person_id=person_id)
    except DomainError as e:
        context.update(state="error", message=e.message)
    else:
        refusal = services.gate_refusal(site=site, resolved=resolved)
        if refusal is not None:
            # Said at once, before any visitor form: the gate records the refusal (name only when
            # nobody is registered with the number) and registers no visit.
            context.update(state="refused", person=resolved.person, reason=refusal,
                           refusal=_refusal_text(refusal, resolved), visitor="" if resolved.person else "name",
                           relation=_relation_label(resolved.relation), former_until=resolved.former_until,
                           without_id=resolved.without_id, name=code if resolved.without_id else "")
        elif resolved.needs_registration:
            context.update(state="visitor", without_id=resolved.without_id, name=code if resolved.without_id else "")
        else:
            context.update(state="person", person=resolved.person, relation=_relation_label(resolved.relation),
                           visitor="" if resolved.belongs else "visit")
    return render(request, "screening/_gate_who.html", context)


def _refusal_text(reason: str, resolved) -> str:
    """Why the gate refuses, with the day a former member's relation ended."""
    if reason == Reason.FORMER and resolved is not None and resolved.former_until is not None:
        return _("%(reason)s: their relation to the site ended on %(until)s.") % {
            "reason": Reason(reason).label, "until": resolved.former_until.isoformat()}
    return str(Reason(reason).label)


def _relation_label(relation: str | None) -> str:
    return str(SitePerson.Relation(relation).label) if relation else ""


@login_required
@require_POST
def gate_screen(request, pk: int):
    """One person at the gate: an entry (decided by services.entry_screen) or an exit. An input
    error records nothing and says what to type again."""
    site = selectors.gate_site_get(user=request.user, pk=pk)
    form = GateForm(request.POST)
    if form.is_valid():
        answer = _screen(request, site, form.cleaned_data)
    else:
        answer = Answer("error", _("Type it again"), detail=_("The form was not complete; scan or type again."))
    if answer.result != "error" or not answer.next_uuid:
        answer.next_uuid = str(uuid.uuid4())  # a new screening gets a new key; a retyped one keeps it
    if _partial(request):
        return render(request, "screening/_gate_answer.html", {"answer": answer})
    context = _gate_context(site, answer=answer, next_uuid=answer.next_uuid)
    if answer.result == "error":
        context["values"] = request.POST  # keep what was typed, to correct it
    return render(request, "screening/gate.html", context, status=400 if answer.result == "error" else 200)


def _screen(request, site, data: dict) -> Answer:
    code, mode = data["code"].strip(), data["mode"]
    for prefix in EXIT_PREFIXES:
        if code.startswith(prefix):
            code, mode = code[len(prefix):].strip(), "exit"
    actor = services.Actor(user=request.user)
    key = data.get("client_uuid") or uuid.uuid4()
    resolved = None
    try:
        resolved = selectors.gate_resolve(site=site, code=code, person_id=data["person"])
        if mode == "exit":
            return _exit(actor, site, resolved)
        refusal = services.gate_refusal(site=site, resolved=resolved)
        if refusal is not None and resolved.person is None and not data["visitor_name"].strip():
            return Answer("error", str(Reason(refusal).label), visitor="name", focus="visitor_name",
                          detail=_("Refuse: type the visitor's name (and phone) to record the refusal, then the "
                                   "temperature."), next_uuid=str(key))
        if refusal is None and resolved.needs_registration and not data["visitor_name"].strip():
            return Answer("error", _("Register the visitor"), visitor="full", focus="visitor_name",
                          detail=_("Not one of this site's people: type the visitor's name, whom they visit and "
                                   "why, then the temperature."), next_uuid=str(key))
        temperature = rules.parse_temperature(data["temperature"])  # an input error records nothing
        screened = services.entry_screen_at_gate(
            actor=actor, site=site, resolved=resolved, temperature=temperature, area=data["area"] or None,
            client_uuid=key, visitor={"name": data["visitor_name"], "phone": data["visitor_phone"]},
            visit={"visit_host": data["visit_host"], "visit_purpose": data["visit_purpose"]},
        )
        entry, person = screened.entry, screened.entry.person
    except DomainError as e:
        field = next(iter(e.errors), "code")
        visitor = "full" if field in ("name", "phone") else ""
        if visitor and resolved is not None and services.gate_refusal(site=site, resolved=resolved):
            visitor = "name"
        if field in ("visit_host", "visit_purpose") and resolved is not None:
            visitor = "full" if resolved.needs_registration else "visit"
        return Answer("error", _("Type it again"), detail=e.message, focus=FOCUS.get(field, "code"),
                      visitor=visitor, next_uuid="" if field == "client_uuid" else str(key))
    admitted = entry.decision == Decision.ADMIT
    return Answer(
        "admit" if admitted else "refuse",
        _("Admit") if admitted else _("Refuse"),
        detail=_refusal_text(entry.reason, resolved) if not admitted else (
            _("Visiting %(host)s") % {"host": entry.visit_host} if entry.visit_host else str(Reason.OK.label)),
        reason=entry.reason, person=person, temperature=f"{entry.temperature}",
    )


def _exit(actor, site, resolved) -> Answer:
    if resolved.person is None:
        raise DomainError(_("Nobody with this ID number is registered, so nobody can leave."), field="code")
    services.exit_record(actor=actor, site=site, person=resolved.person)
    return Answer("exit", _("Exit recorded"), person=resolved.person, reason="exit",
                  detail=_("%(name)s has left.") % {"name": resolved.person.name})


# Pass cards --------------------------------------------------------------------------------


@login_required
@require_GET
def pass_cards(request, pk: int):
    """Printable pass cards (QR code, name, masked ID number, site) for the site's own people."""
    site = selectors.screening_site_get(user=request.user, pk=pk)
    if not scopes.can_manage_site(request.user, site):
        raise PermissionDenied
    people = selectors.pass_people(site=site)
    if request.GET.get("person"):
        people = people.filter(person_id=valid_id(request.GET["person"]) or 0)
    page = Paginator(people, 24).get_page(request.GET.get("page"))
    cards = [{
        "membership": m,
        "svg": segno.make(pass_code(site_id=site.pk, person_id=m.person_id), error="m").svg_inline(
            scale=3, border=2, title=m.person.name),
    } for m in page]
    return render(request, "screening/pass_cards.html", {
        "site": site, "page": page, "cards": cards, "nav_active": "screening",
    })


urlpatterns = [
    path("gate/", gate_home, name="gate_home"),
    path("gate/<int:pk>/", gate, name="gate"),
    path("gate/<int:pk>/identify/", gate_identify, name="gate_identify"),
    path("gate/<int:pk>/screen/", gate_screen, name="gate_screen"),
    path("sites/<int:pk>/passes/", pass_cards, name="pass_cards"),
]
