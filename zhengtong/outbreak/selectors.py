"""Every read of the outbreak app, scoped by accounts.scopes (cases are health data)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import router
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengtong.accounts import scopes
from zhengtong.core import compiled
from zhengtong.core.cleaners import filter_text
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.panels import Figure, Todo
from zhengtong.outbreak.models import Case, CaseStatus, IsolationOrder, IsolationReason, IsolationStatus
from zhengtong.registry.models import Person, Region, Site


def case_list(*, user, status: str = "", county: int | None = None, site: int | None = None,
              q: str = "") -> QuerySet[Case]:
    qs = (Case.objects.filter(scopes.cases_q(user)).select_related("person", "site", "county", "reported_by")
          .order_by("-reported_at", "-id"))
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if county:
        qs = qs.filter(county_id=county)
    if site:
        qs = qs.filter(site_id=site)
    q = filter_text(q)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs


def case_get(*, user, pk) -> Case:
    return get_or_404(Case.objects.filter(scopes.cases_q(user)).select_related("person", "site", "county"), pk)


def case_to_trace(*, user, pk) -> Case:
    """A case the user sees (``scopes.cases_q``; anything else is the 404 of ``get_or_404``), with its
    person: the fields a trace and its access record read, the others deferred. The statement is a
    function of the database and the user's scope alone: compiled once for them (``core.compiled``),
    as every trace through the API reads it."""
    pk = valid_id(pk)
    statement = compiled.kept(_CASE_STATEMENTS, (router.db_for_read(Case), scopes.scope_key(user)),
                              lambda: _case_statement(user))
    found = compiled.rows(statement, pk) if statement is not None and pk is not None else None
    if not found:
        raise Http404
    assert statement is not None
    n = len(_CASE_FIELDS)
    case = Case.from_db(statement.alias, _CASE_FIELDS, found[0][:n])
    _CASE_PERSON.set_cached_value(case, Person.from_db(statement.alias, _PERSON_FIELDS, found[0][n:]))
    return case


# What case_to_trace reads, in the models' order of fields (``from_db`` takes them so).
_CASE_FIELDS = tuple(f.attname for f in Case._meta.concrete_fields
                     if f.attname in ("id", "person_id", "site_id", "county_id", "status", "onset_date", "sample_date"))
_PERSON_FIELDS = tuple(f.attname for f in Person._meta.concrete_fields
                       if f.attname in ("id", "name", "id_number_masked"))
_CASE_PERSON = Case._meta.get_field("person")
_CASE_STATEMENTS: dict[tuple, compiled.Compiled | None] = {}
_PK = -918_273_645  # no case's id: where the id goes in the compiled statement


def _case_statement(user) -> compiled.Compiled | None:
    """case_to_trace's statement for the user's scope on the database Case is read from (None: the
    scope sees no case)."""
    qs = (Case.objects.using(router.db_for_read(Case)).filter(scopes.cases_q(user), pk=_PK)
          .values_list(*_CASE_FIELDS, *(f"person__{f}" for f in _PERSON_FIELDS)))
    try:
        return compiled.compile_once(qs, _PK)
    except EmptyResultSet:
        return None


def case_moves(*, case: Case):
    return case.moves.select_related("by").order_by("at", "id")


def reportable_person(*, user, pk) -> Person:
    """A person the user sees (their people list), for whom a case may be reported."""
    return get_or_404(Person.objects.filter(scopes.people_q(user)).distinct(), pk)


def reportable_people(*, user, ids) -> QuerySet[Person]:
    return Person.objects.filter(scopes.people_q(user), pk__in=list(ids)).distinct()


def report_sites(*, user, person: Person) -> QuerySet[Site]:
    """Where the person may have been found: the person's sites the user may report at."""
    s = scopes.get_scope(user)
    qs = Site.objects.filter(memberships__person=person).distinct().select_related("county")
    if not s.is_city:
        qs = qs.filter(pk__in=s.managed_sites) | qs.filter(county_id__in=s.counties)
    return qs.order_by("name")


def report_counties(*, user) -> QuerySet[Region]:
    s = scopes.get_scope(user)
    qs = Region.objects.filter(level__in=Region.COUNTY_LEVELS)
    return (qs if s.is_city else qs.filter(pk__in=s.counties)).order_by("code")


def counts_by_county(*, user) -> list[dict]:
    """Per county the user sees: cases by status."""
    rows = (Case.objects.filter(scopes.cases_q(user)).values("county__name", "county_id", "status")
            .annotate(n=Count("id")).order_by("county__code"))
    by: dict[int, dict] = {}
    for r in rows:
        entry = by.setdefault(r["county_id"], {"county": r["county__name"], "county_id": r["county_id"],
                                               **{s: 0 for s in CaseStatus.values}, "total": 0})
        entry[r["status"]] += r["n"]
        entry["total"] += r["n"]
    return list(by.values())


def counts_by_site(*, user) -> list[dict]:
    """Per site with cases: cases by status and the day of the last one."""
    rows = (Case.objects.filter(scopes.cases_q(user)).exclude(site=None)
            .values("site_id", "site__name", "county__name", "status").annotate(n=Count("id"), last=Max("reported_at")))
    by: dict[int, dict] = {}
    for r in rows:
        entry = by.setdefault(r["site_id"], {"site": r["site__name"], "site_id": r["site_id"],
                                             "county": r["county__name"], **{s: 0 for s in CaseStatus.values},
                                             "total": 0, "last": r["last"]})
        entry[r["status"]] += r["n"]
        entry["total"] += r["n"]
        entry["last"] = max(entry["last"], r["last"])
    return sorted(by.values(), key=lambda e: e["last"], reverse=True)


def counts_by_day(*, user, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Cases reported per day over the last ``days`` days (the day in the city's time zone)."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    counted = Counter({r["day"]: r["n"] for r in (
        Case.objects.filter(scopes.cases_q(user), reported_at__date__gte=start)
        .annotate(day=TruncDate("reported_at")).values("day").annotate(n=Count("id")))})
    return [(start + timedelta(days=i), counted.get(start + timedelta(days=i), 0)) for i in range(days)]


def days_since_last_case(*, site: Site, today: date | None = None) -> int | None:
    """The site's "zero infection" counter: days since its last case that was not excluded (by the
    case's first day: onset, else sample); None when it never had one. Not health data: a number."""
    last = (Case.objects.filter(site=site).exclude(status=CaseStatus.EXCLUDED)
            .values_list("onset_date", "sample_date").order_by("-reported_at"))
    days = [a or b for a, b in last]
    if not days:
        return None
    return ((today or timezone.localdate()) - max(d for d in days if d)).days


def todo(*, user, today: date) -> list[Todo]:
    """Suspected cases waiting for a county officer's decision."""
    s = scopes.get_scope(user)
    if not (s.is_city or s.counties):
        return []
    qs = Case.objects.filter(status=CaseStatus.SUSPECTED)
    n = (qs if s.is_city else qs.filter(county_id__in=s.counties)).count()
    if not n:
        return []
    text = ngettext("%(n)d suspected case to confirm or exclude.", "%(n)d suspected cases to confirm or exclude.", n)
    return [Todo(text=text % {"n": n}, url=reverse("outbreak:case_list") + "?status=suspected", urgent=True)]


def figures(*, user, now: datetime) -> list[Figure]:
    if not scopes.can_see_cases(user):
        return []
    n = Case.objects.filter(scopes.cases_q(user), status__in=(CaseStatus.SUSPECTED, CaseStatus.CONFIRMED)).count()
    return [Figure(label=_("Open cases"), value=n, url=reverse("outbreak:case_list"))]


# Isolation orders ----------------------------------------------------------------------------


def isolation_list(*, user, status: str = "active", reason: str = "", q: str = "") -> QuerySet[IsolationOrder]:
    qs = (IsolationOrder.objects.filter(scopes.isolation_q(user))
          .select_related("person", "site", "county").order_by("planned_end", "id"))
    if status in IsolationStatus.values:
        qs = qs.filter(status=status)
    if reason in IsolationReason.values:
        qs = qs.filter(reason=reason)
    q = filter_text(q)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs


def active_orders(*, user, person_ids) -> dict[int, int]:
    """person id → their active order's id, for the orders the user sees."""
    return dict(IsolationOrder.objects.filter(scopes.isolation_q(user), status=IsolationStatus.ACTIVE,
                                              person_id__in=list(person_ids)).values_list("person_id", "pk"))


def isolation_get(*, user, pk) -> IsolationOrder:
    return get_or_404(IsolationOrder.objects.filter(scopes.isolation_q(user))
                      .select_related("person", "site", "county", "case"), pk)


def isolation_moves(*, order: IsolationOrder):
    return order.moves.select_related("by").order_by("at", "id")


def isolation_sites(*, user) -> QuerySet[Site]:
    """Sites where the user may keep someone in isolation."""
    s = scopes.get_scope(user)
    qs = Site.objects.filter(is_active=True)
    if not s.is_city:
        qs = qs.filter(pk__in=s.managed_sites) | qs.filter(county_id__in=s.counties)
    return qs.order_by("name")
