"""Every write of the outbreak app: reporting a case and moving it.

A case's moves, at a glance (``CASES`` below is this table in code; who: a county officer of the
case's county, or the city administrator). Every move needs its reason (why), and records who and
when; a case is never deleted: a wrong decision is corrected by a move back, with its reason.

=========  ===================  ==========  ======
action     from                 to          who
=========  ===================  ==========  ======
confirm    suspected            confirmed   county
exclude    suspected            excluded    county
recover    confirmed            recovered   county
die        confirmed            died        county
correct    confirmed, excluded  suspected   county
=========  ===================  ==========  ======

A person has at most one open case (suspected or confirmed): a second report answers 409 and
names the open one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import clean_date, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.core.statemachine import Move, StateMachine
from zhengtong.outbreak.models import Case, CaseMove, CaseStatus
from zhengtong.registry.models import Person, Region, Site

S = CaseStatus
OPEN = (S.SUSPECTED, S.CONFIRMED)
CASES = StateMachine(gettext_lazy("case"), CaseStatus.choices, [
    Move("confirm", (S.SUSPECTED,), S.CONFIRMED, "county", gettext_lazy("Confirm")),
    Move("exclude", (S.SUSPECTED,), S.EXCLUDED, "county", gettext_lazy("Exclude")),
    Move("recover", (S.CONFIRMED,), S.RECOVERED, "county", gettext_lazy("Mark recovered")),
    Move("die", (S.CONFIRMED,), S.DIED, "county", gettext_lazy("Mark died")),
    Move("correct", (S.CONFIRMED, S.EXCLUDED), S.SUSPECTED, "county", gettext_lazy("Back to suspected")),
])
REPORTABLE = (S.SUSPECTED, S.CONFIRMED)  # a case may be reported as confirmed at once (a lab's result)


def _site(user, raw: Any, errors: FieldErrors) -> Site | None:
    if raw in (None, ""):
        return None
    pk = valid_id(raw)
    site = Site.objects.filter(scopes.sites_q(user)).filter(pk=pk).first() if pk else None
    if site is None:
        errors.add("site", _("Choose one of your sites."))
    return site


def _county(user, raw: Any, site: Site | None, errors: FieldErrors) -> Region | None:
    """The county that handles the case: the site's; else the one chosen, else the reporting
    officer's only county."""
    if site is not None:
        return site.county
    s = scopes.get_scope(user)
    if raw in (None, "") and len(s.counties) == 1:
        raw = next(iter(s.counties))
    pk = valid_id(raw)
    county = Region.objects.filter(pk=pk, level__in=Region.COUNTY_LEVELS).first() if pk else None
    if county is None:
        errors.add("county", _("Choose the site where the case was found, or the county that handles it."))
    return county


def case_report(*, user, person: Person, data: dict) -> Case:
    """Report a case for a person the user sees: suspected (or confirmed, with a laboratory's
    result), with its onset date or, for a case without symptoms, its sample date."""
    errors = FieldErrors()
    site = _site(user, data.get("site"), errors)
    county = _county(user, data.get("county"), site, errors)
    onset = clean_date(errors, data, "onset_date")
    sample = clean_date(errors, data, "sample_date")
    today = timezone.localdate()
    for name, day in (("onset_date", onset), ("sample_date", sample)):
        if day is not None and day > today:
            errors.add(name, _("This day is in the future."))
    if onset is None and sample is None and not {"onset_date", "sample_date"} & set(errors.errors):
        errors.add("onset_date", _("Give the onset date, or for a case without symptoms the sample date."))
    symptoms = clean_text(errors, data, "symptoms", max_length=500)
    where_found = clean_text(errors, data, "where_found", max_length=200)
    status = str(data.get("status") or S.SUSPECTED)
    if status not in REPORTABLE:
        errors.add("status", _("A case is reported as suspected or confirmed."))
    errors.raise_if_any()
    assert county is not None  # raise_if_any() refused a missing county
    if not scopes.can_report_case(user, site=site, county_id=county.pk):
        raise PermissionDenied(_("You may not report a case here."))
    if status == S.CONFIRMED and not scopes.can_decide_cases(user, county.pk):
        raise PermissionDenied(_("Only the county's officers confirm a case: report it as suspected."))
    reason = clean_note(data.get("reason"), "reason", max_length=2000) or _("Reported.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one open case per person, on both databases
        open_case = Case.objects.filter(person=person, status__in=OPEN).first()
        if open_case is not None:
            raise DomainError(_("%(person)s already has an open case (no. %(id)d): move that one instead.")
                              % {"person": person.name, "id": open_case.pk}, field="person", status=409)
        case = Case.objects.create(person=person, site=site, county=county, status=status, onset_date=onset,
                                   sample_date=sample, symptoms=symptoms, where_found=where_found, reported_by=user)
        CaseMove.objects.create(case=case, action="report", from_status="", to_status=status, by=user, reason=reason)
    return case


def case_moves_allowed(*, user, case: Case) -> dict[str, Move]:
    """The moves this user may make on the case now (the page shows exactly these)."""
    if not scopes.can_decide_cases(user, case.county_id):
        return {}
    return CASES.allowed(case.status)


def case_move(*, user, case: Case, action: str, reason: Any) -> Case:
    """Move a case (confirm, exclude, recover, die, correct) with the reason written down."""
    move = CASES.move(action)
    if not scopes.can_decide_cases(user, case.county_id):
        raise PermissionDenied(_("Only the county's officers decide on a case."))
    assert move.target is not None  # every move of a case changes its state
    text = clean_note(reason, "reason", required=_("Write why: every move of a case keeps its reason."),
                      max_length=2000)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        CASES.check(case.status, action)
        if action == "correct" or move.target in OPEN:
            open_case = Case.objects.filter(person_id=case.person_id, status__in=OPEN).exclude(pk=case.pk).first()
            if open_case is not None:
                raise DomainError(_("The person has another open case (no. %(id)d).") % {"id": open_case.pk},
                                  field="action", status=409)
        before = case.status
        case.status = move.target
        case.save(update_fields=["status"])
        CaseMove.objects.create(case=case, action=action, from_status=before, to_status=case.status, by=user,
                                reason=text)
    return case
