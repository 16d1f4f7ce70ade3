"""Reads of screening at sites, scoped through accounts.scopes."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from itertools import pairwise
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhengtong.accounts import scopes
from zhengtong.core import compiled
from zhengtong.core.cleaners import filter_text, search_words
from zhengtong.core.errors import DomainError
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.listing import Statement, Statements
from zhengtong.core.natsort import natural_key
from zhengtong.core.panels import Figure, Todo
from zhengtong.registry import selectors as registry_selectors
from zhengtong.registry.codes import CodeError, check_id_number, normalise
from zhengtong.registry.identity import id_number_hash
from zhengtong.registry.models import Person, Region, Site, SitePerson, Unit
from zhengtong.screening import hotpath, ports, rotations, rules
from zhengtong.screening.models import (
    AdmittedDaily,
    Alert,
    Area,
    Disinfection,
    Entry,
    GateDevice,
    HealthCheck,
    Rotation,
    RotationMember,
)
from zhengtong.screening.passes import read_pass_code


def gate_sites(*, user) -> QuerySet[Site]:
    """Sites where the user may screen people."""
    s = scopes.get_scope(user)
    if s.is_city:
        return Site.objects.all()
    return Site.objects.filter(scopes.screening_sites_q(user))


def gate_device_for_key(key: str, *, person_id: int | None = None) -> tuple[GateDevice | None, Person | None]:
    """The device holding this key, not revoked, with its site read fresh; and, when ``person_id`` is
    given, that person if they are one of the site's people (as ``site_person``): one statement."""
    day = timezone.localdate()
    param = rotations.day_param(day)
    row = hotpath.fetchone(_gate_sql(ports.version()), [param, param, person_id, GateDevice.hash_key(key)])
    if row is None:
        return None, None
    site, device, membership, person = _gate_columns().instances(row)
    device.site = site
    return device, _with_reads(person, membership, row, day)


def site_person(*, site: Site, person_id: int) -> Person | None:
    """One of the site's people (or a visitor it registered), with their relation to the site as
    ``person.site_membership`` (whatever its term: services.facts_for reads whether it is in force),
    in one statement; None for anyone else."""
    day = timezone.localdate()
    param = rotations.day_param(day)
    row = hotpath.fetchone(_member_sql(ports.version()), [param, param, site.pk, person_id])
    if row is None:
        return None
    membership, person = _member_columns().instances(row)
    return _with_reads(person, membership, row, day)


def _with_reads(person: Person | None, membership: SitePerson | None, row, day: date) -> Person | None:
    """The person with what the statement read beside them, for services.facts_for: their relation to
    the site (``person.site_membership``), whether they are in a rotation of the site on duty on ``day``
    (``person.rotation_duty`` = (day, screening.rotations.duty_sql's code), read for staff only) and
    their latest isolation periods (``person.latest_isolation``, screening.ports)."""
    if person is None:
        return None
    n = len(ports.latest_period_columns("p.id"))
    person.site_membership = membership
    person.rotation_duty = (day, row[len(row) - n - 1])
    person.latest_isolation = ports.latest_periods(row[len(row) - n:] if n else ())
    return person


def _duty_sql(site_column: str) -> str:
    """The rotation column of the gate's statements (screening.rotations.duty_sql), before the isolation
    columns: read for a staff member only (else NULL, at no cost), with the day given twice."""
    qn = hotpath.qn
    person_column = "m." + qn("person_id")
    return (f", CASE WHEN m.{qn('relation')} = '{SitePerson.Relation.STAFF.value}' "
            f"THEN ({rotations.duty_sql(site_column, person_column)}) END")


def _isolation_sql() -> str:
    columns = ports.latest_period_columns(f"p.{hotpath.qn('id')}")
    return "".join(f", ({sql})" for sql in columns)


_MEMBER = (("m", SitePerson, ("id", "site_id", "person_id", "relation", "since", "until")),
           ("p", Person, ("id", "name", "id_number_masked")))


@cache
def _member_columns() -> hotpath.Columns:
    return hotpath.Columns(*_MEMBER)


@cache
def _gate_columns() -> hotpath.Columns:
    return hotpath.Columns(("s", Site, None), ("d", GateDevice, ("id", "name", "site_id", "revoked_at")), *_MEMBER)


@cache
def _member_sql(_sources: tuple[int, ...]) -> str:
    """Built again when isolation sources register (``_sources``: ports.version())."""
    qn, t = hotpath.qn, hotpath.table
    duty = _duty_sql("m." + qn("site_id"))
    return (f"SELECT {_member_columns().sql}{duty}{_isolation_sql()} "
            f"FROM {t(SitePerson)} m "
            f"JOIN {t(Person)} p ON p.{qn('id')} = m.{qn('person_id')} "
            f"WHERE m.{qn('site_id')} = %s AND m.{qn('person_id')} = %s")


@cache
def _gate_sql(_sources: tuple[int, ...]) -> str:
    qn, t = hotpath.qn, hotpath.table
    duty = _duty_sql("s." + qn("id"))
    return (f"SELECT {_gate_columns().sql}{duty}{_isolation_sql()} "
            f"FROM {t(GateDevice)} d "
            f"JOIN {t(Site)} s ON s.{qn('id')} = d.{qn('site_id')} "
            f"LEFT JOIN {t(SitePerson)} m ON m.{qn('site_id')} = s.{qn('id')} AND m.{qn('person_id')} = %s "
            f"LEFT JOIN {t(Person)} p ON p.{qn('id')} = m.{qn('person_id')} "
            f"WHERE d.{qn('key_hash')} = %s AND d.{qn('revoked_at')} IS NULL")


# Why a gate could not identify someone: one table for the gate page, the device API and the
# offline batch (each names its own field; the message is the same).
UNIDENTIFIED = {
    "no_area": gettext_lazy("This site has no such area."),
    "bad_pass": gettext_lazy("This pass is not valid at this site."),
    "not_here": gettext_lazy("No person with this id at this site."),
    "unregistered": gettext_lazy("Nobody with this ID number is registered: register them as a visitor."),
}


def unidentified(problem: str, field: str, *, status: int = 400) -> DomainError:
    """The error for a person or area a gate could not identify (UNIDENTIFIED)."""
    return DomainError(str(UNIDENTIFIED[problem]), field=field, status=status)


def person_identify(*, site: Site, code: str, known: Person | None = None) -> Person:
    """The person a gate identifies by a pass code or an ID number. A pass must be this site's;
    an ID number may be anyone's (a visitor), and an unknown one says so. ``known``: the pass's
    person as already read by ``gate_device_for_key`` (used when it is the pass's person)."""
    code = (code or "").strip()
    if code.startswith("ZTP1:"):
        parsed = read_pass_code(code)
        if parsed is None or parsed[0] != site.pk:
            raise unidentified("bad_pass", "code")
        person = known if known is not None and known.pk == parsed[1] else site_person(site=site, person_id=parsed[1])
        if person is None:
            raise unidentified("bad_pass", "code")
        return person
    try:
        number = check_id_number(code)
    except CodeError as e:
        raise DomainError(str(e), field="code") from None
    person = registry_selectors.person_by_id_number(site=site, digest=id_number_hash(number))
    if person is None:
        raise unidentified("unregistered", "code", status=404)
    return person


def site_people_search(*, site: Site, q: str, limit: int = 10) -> QuerySet[Person]:
    """The site's own people by name (for the gate's search box)."""
    q = filter_text(q)
    if not q:
        return Person.objects.none()
    return Person.objects.filter(memberships__site=site, name__icontains=q).distinct().order_by("name")[:limit]


# Reads of the screening pages (views_gate, views_site) -------------------------------------
# Figures over many sites are annotations with correlated aggregate subqueries, so that a page of
# a county's sites is one query whatever the number of sites.


@dataclass(frozen=True)
class Resolved:
    """Who the gate identified: a person, or an ID number nobody has registered yet."""

    person: Person | None
    id_number: str = ""
    relation: str | None = None  # the person's relation to the site in force today, None when they have none
    former_until: date | None = None  # a former member of the site's people: the day their relation ended
    without_id: bool = False  # a name nobody at the site has, where visitors without an ID card are registered
    off_duty: bool = False  # a staff member of a closed site in no rotation on duty today (rules, rule 7)

    @property
    def belongs(self) -> bool:
        return self.relation in SitePerson.BELONGS

    @property
    def needs_registration(self) -> bool:
        """Neither one of the site's people (now or before) nor a registered visitor: the gate
        registers the visit."""
        return self.relation is None and self.former_until is None


def looks_like_code(code: str) -> bool:
    """A pass code or something typed as an ID number (rather than a name to search)."""
    code = (code or "").strip()
    return code.startswith("ZTP1:") or any(c.isdigit() for c in normalise(code))


def gate_resolve(*, site: Site, code: str, person_id=None) -> Resolved:
    """The person at the gate from what was typed or scanned: a pass, an ID number, or a name
    (with ``person_id`` when one of several matches was chosen). Raises DomainError with
    field "code" when nobody fits; an unknown but valid ID number is a visitor to register, and so is
    a name nobody at the site has where the site registers visitors without an ID card
    (``without_id``: by name and phone, registry.services.person_register_without_id)."""
    code = (code or "").strip()
    if not code and not person_id:
        raise DomainError(_("Scan a pass, type an ID number or search a name."), field="code")
    if looks_like_code(code):
        try:
            person = person_identify(site=site, code=code)
        except DomainError as e:
            if e.status == 404:
                return Resolved(person=None, id_number=check_id_number(code))
            raise
    else:
        matches = site_people_search(site=site, q=code, limit=20)
        if person_id not in (None, ""):
            person = next((p for p in matches if str(p.pk) == str(person_id)), None)
            if person is None:
                raise DomainError(_("Choose one of the people listed."), field="code")
        else:
            matches = list(matches)
            if not matches and site.visitors_without_id:
                return Resolved(person=None, without_id=True)  # a visitor without their ID card
            if not matches:
                raise DomainError(_("Nobody of this site has this name."), field="code")
            if len(matches) > 1:
                raise DomainError(_("Several people match: choose one."), field="code")
            person = matches[0]
    return resolved_person(site=site, person=person)


def resolved_person(*, site: Site, person: Person, day: date | None = None) -> Resolved:
    """The person with their relation to the site on ``day`` (today): in force, or ended (a former
    member of the site's people, with the day it ended), as services.gate_facts reads it; a staff
    member of a closed site off duty while a rotation is on duty (rule 7)."""
    day = day or timezone.localdate()
    row = SitePerson.objects.filter(site=site, person=person).values_list("relation", "until").first()
    if row is None:
        return Resolved(person=person)
    relation, until = row
    if SitePerson.in_force(until, day):
        off_duty = (relation == SitePerson.Relation.STAFF and site.is_closed_on(day)
                    and rotations.duty(site=site, person_id=person.pk, day=day) is False)
        return Resolved(person=person, relation=relation, off_duty=off_duty)
    return Resolved(person=person, former_until=until if relation in SitePerson.BELONGS else None)


def relations_at(*, site: Site, people) -> dict[int, str]:
    return dict(SitePerson.objects.filter(site=site, person__in=[p.pk for p in people])
                .values_list("person_id", "relation"))


def screening_sites(*, user) -> QuerySet[Site]:
    """Sites whose screening pages and figures the user may see."""
    return Site.objects.filter(scopes.screening_sites_q(user)).select_related("unit", "county")


def screening_site_get(*, user, pk) -> Site:
    """One site of the user's screening scope; anything else is the same 404."""
    return get_or_404(screening_sites(user=user), pk)


def gate_site_get(*, user, pk) -> Site:
    site = screening_site_get(user=user, pk=pk)
    if not scopes.can_screen_at(user, site):
        raise Http404
    return site


def day_start(now: datetime | None = None) -> datetime:
    """Midnight of today in the site's time zone (Asia/Shanghai)."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def inside_since(now: datetime | None = None) -> datetime:
    """A stay without an exit ends at the maximum stay (shared/domain/epidemic.md), so an admitted
    entry older than that no longer counts as inside, whether or not the job has closed it yet."""
    return (now or timezone.now()) - timedelta(hours=settings.MAX_STAY_HOURS)


def _active_relation_q(day: date, prefix: str = "") -> Q:
    return ((Q(**{f"{prefix}since__isnull": True}) | Q(**{f"{prefix}since__lte": day}))
            & SitePerson.in_force_q(day, prefix))


def _count(qs: QuerySet, field: str = "pk", distinct: bool = False, group: str = "site"):
    """A correlated subquery counting rows of ``qs`` (already filtered on OuterRef) as an int."""
    sub = qs.order_by().values(group).annotate(n=Count(field, distinct=distinct)).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def disinfection_intervals() -> tuple[int, ...]:
    """The disinfection intervals the sites use (a few), in order (read each time; the statement compiled
    once per database)."""
    alias = router.db_for_read(Site)
    statement = compiled.kept(_INTERVAL_STATEMENTS, alias, lambda: Statement.of(
        Site.objects.using(alias).order_by().values_list("disinfection_interval_hours").distinct()))
    return tuple(sorted(hours for (hours,) in statement.rows()))


_INTERVAL_STATEMENTS: dict[str, Statement] = {}


def _overdue_cutoff(now: datetime, field: str, hours: Sequence[int] | None = None):
    """The time before which an area's last disinfection is overdue: ``now`` minus its site's
    interval (``field`` names Site.disinfection_interval_hours from the query). Sites use a few
    intervals (``hours``: read already), so this is a CASE over them, which SQLite and PostgreSQL
    both compute."""
    if hours is None:
        hours = disinfection_intervals()
    return Case(*[When(**{field: h}, then=Value(now - timedelta(hours=h))) for h in hours],
                default=Value(None), output_field=DateTimeField())


def _last_disinfection():
    return Subquery(Disinfection.objects.filter(area=OuterRef("pk")).order_by("-done_at").values("done_at")[:1],
                    output_field=DateTimeField())


def unchecked_today_q(day: date) -> Q:
    """On SitePerson: the site's own people, with a current relation, not checked on ``day``."""
    checked = HealthCheck.objects.filter(site=OuterRef("site"), person=OuterRef("person"), checked_on=day)
    return Q(relation__in=SitePerson.BELONGS) & _active_relation_q(day) & ~Q(Exists(checked))


def with_figures(qs: QuerySet[Site], *, user, now: datetime | None = None,
                 hours: Sequence[int] | None = None) -> QuerySet[Site]:
    """Sites annotated with their screening figures: people inside now, today's admissions and
    refusals, the site's people unchecked today, the user's open alerts, and areas overdue for
    disinfection (``hours``: the sites' intervals, read already). Every time it takes is made from
    ``now`` by ``overview_times``."""
    now = now or timezone.now()
    start, day = day_start(now), timezone.localdate(now)
    site = OuterRef("pk")
    today = Entry.objects.filter(site=site, entered_at__gte=start, entered_at__lte=now)
    overdue_areas = (
        Area.objects.filter(site=site, is_active=True)
        .annotate(last=_last_disinfection())
        .filter(Q(last__isnull=True) | Q(last__lt=_overdue_cutoff(now, "site__disinfection_interval_hours", hours)))
    )
    return qs.annotate(
        inside_now=_count(Entry.objects.filter(Entry.stay_q(), site=site, left_at__isnull=True,
                                               entered_at__gte=inside_since(now), entered_at__lte=now),
                          "person", distinct=True),
        admitted_today=_count(today.filter(Entry.stay_q())),
        refused_today=_count(today.exclude(Entry.stay_q())),
        unchecked_today=_count(SitePerson.objects.filter(unchecked_today_q(day), site=site)),
        open_alerts=_count(Alert.objects.filter(site=site, recipient=user, acknowledged_at__isnull=True)),
        overdue_areas=_count(overdue_areas),
    )


def figure_totals(qs: QuerySet[Site], *, user, now: datetime | None = None) -> dict[str, int]:
    """The figures summed over every site of ``qs`` (not only the page shown), in a few queries."""
    now = now or timezone.now()
    start, day = day_start(now), timezone.localdate(now)
    ids = qs.order_by().values("pk")
    entries = Entry.objects.filter(site__in=ids, entered_at__gte=start, entered_at__lte=now).aggregate(
        admitted_today=Count("pk", filter=Entry.stay_q()),
        refused_today=Count("pk", filter=~Entry.stay_q()),
    )
    inside = (Entry.objects.filter(Entry.stay_q(), site__in=ids, left_at__isnull=True,
                                   entered_at__gte=inside_since(now), entered_at__lte=now)
              .values("site", "person").distinct().count())
    overdue = (Area.objects.filter(site__in=ids, is_active=True).annotate(last=_last_disinfection())
               .filter(Q(last__isnull=True) | Q(last__lt=_overdue_cutoff(now, "site__disinfection_interval_hours")))
               .count())
    sites = qs.order_by().aggregate(sites=Count("pk"), closed=Count("pk", filter=Site.closed_on_q(day)))
    return {
        "sites": sites["sites"],
        "closed": sites["closed"],
        "inside_now": inside,
        **entries,
        "unchecked_today": SitePerson.objects.filter(unchecked_today_q(day), site__in=ids).count(),
        "open_alerts": Alert.objects.filter(site__in=ids, recipient=user, acknowledged_at__isnull=True).count(),
        "overdue_areas": overdue,
    }


FIGURES = ("inside_now", "admitted_today", "refused_today", "unchecked_today", "open_alerts", "overdue_areas")


def rows_totals(sites: list[Site], *, day: date | None = None) -> dict[str, int]:
    """``figure_totals`` of sites whose figures are read already (``with_figures``), when they are all
    the sites: each figure is a sum over sites (people inside are counted per site, as the totals count
    each site and person once), so the same numbers with no query."""
    day = day or timezone.localdate()
    totals = {"sites": len(sites), "closed": sum(1 for s in sites if s.is_closed_on(day))}
    totals.update({name: sum(getattr(s, name) for s in sites) for name in FIGURES})
    return totals


def site_overview(*, user, filters: dict | None = None, day: date | None = None) -> QuerySet[Site]:
    """The user's sites with their figures, for the overview list (county officers, the city). ``day``:
    today (closed management), as ``overview_times`` makes it."""
    filters = filters or {}
    qs = screening_sites(user=user)
    for word in search_words(filters.get("q")):
        qs = qs.filter(Q(name__icontains=word) | Q(unit__name__icontains=word))
    if county := filter_text(filters.get("county")):
        qs = qs.filter(county__code=county)
    if filters.get("closed"):
        qs = qs.filter(closed_since__isnull=False)
    # What needs attention first: sites under closed management today, then sites with the user's
    # open alerts; then by county and by name as people count (Site.name_key: 二监区 before 十一监区).
    day = day or timezone.localdate()
    qs = qs.annotate(
        closed_now=Case(When(Site.closed_on_q(day), then=Value(True)), default=Value(False),
                        output_field=BooleanField()),
        alerting=Exists(Alert.objects.filter(site=OuterRef("pk"), recipient=user, acknowledged_at__isnull=True)),
    )
    return qs.order_by("-closed_now", "-alerting", "county__code", "name_key", "id")


# The overview's statements (core.listing.Statements), kept per scope, user, filters and intervals; the
# times each request brings go where these markers are (no real time: 1901, odd minutes, so that none of
# the times made from it is another's).
_OVERVIEW_STATEMENTS: dict[tuple, Any] = {}
_NOW = datetime(1901, 3, 5, 13, 27, 41, 123457, tzinfo=UTC)
_SITE_FIELDS = tuple(f.attname for f in Site._meta.concrete_fields)
_SITE_UNIT, _SITE_COUNTY = Site._meta.get_field("unit"), Site._meta.get_field("county")


def overview_times(now: datetime, hours: Sequence[int]) -> dict[str, Any]:
    """Every time and day ``with_figures`` and ``site_overview`` take, made from ``now`` as they make them:
    now, midnight, the start of the longest stay, today, and now less each disinfection interval (an
    interval of 0 hours is now, one that equals the longest stay is that time: those markers already; the
    keys depend on the intervals alone, never on the time, so that the markers and the values match)."""
    times: dict[str, Any] = {"now": now, "start": day_start(now), "inside": inside_since(now),
                             "day": timezone.localdate(now)}
    for h in hours:
        if h not in (0, settings.MAX_STAY_HOURS):
            times[f"less {h}h"] = now - timedelta(hours=h)
    return times


def _overview_site(values: list) -> Site:
    """A site of ``site_overview_rows``: every field of its own, its unit's and county's names, its figures."""
    n = len(_SITE_FIELDS)
    alias = router.db_for_read(Site)
    site = Site.from_db(alias, _SITE_FIELDS, values[:n])
    _SITE_UNIT.set_cached_value(site, Unit.from_db(alias, ("id", "name"), (site.unit_id, values[n])))
    _SITE_COUNTY.set_cached_value(site, Region.from_db(alias, ("id", "name"), (site.county_id, values[n + 1])))
    for name, value in zip(FIGURES, values[n + 2:], strict=True):
        setattr(site, name, value)
    return site


def site_overview_rows(*, user, filters: dict | None = None, now: datetime | None = None) -> Statements:
    """``with_figures(site_overview(...))``'s rows, in its order, read by statements compiled once per
    database, scope, user (their alerts), filters and disinfection intervals, with this request's times
    (``overview_times``) where the statement takes them: the same sites and figures without building and
    compiling the query on each request (issue 16 §8)."""
    filters = filters or {}
    hours = disinfection_intervals()
    key = (router.db_for_read(Site), scopes.scope_key(user), user.pk, tuple(search_words(filters.get("q"))),
           filter_text(filters.get("county")), bool(filters.get("closed")), hours, settings.MAX_STAY_HOURS)
    markers, values = overview_times(_NOW, hours), overview_times(now or timezone.now(), hours)

    def queryset(times: dict[str, Any]) -> QuerySet[Site]:
        return with_figures(site_overview(user=user, filters=filters, day=times["day"]), user=user, now=times["now"],
                            hours=hours)

    return Statements(
        _OVERVIEW_STATEMENTS, key, lambda: queryset(markers), (),
        fields=(*_SITE_FIELDS, "unit__name", "county__name", *FIGURES), build=_overview_site,
        markers=markers, values=values, actual=lambda: queryset(values), limit=500)


def site_figures(*, user, site: Site) -> Site:
    return with_figures(Site.objects.filter(pk=site.pk).select_related("unit", "county"), user=user).get()


def inside_now(*, site: Site, limit: int = 200) -> QuerySet[Entry]:
    """Who is inside now (a stay, Entry.stay_q, without an exit), without temperatures."""
    now = timezone.now()
    return (Entry.objects.filter(Entry.stay_q(), site=site, left_at__isnull=True,
                                 entered_at__gte=inside_since(now), entered_at__lte=now)
            .select_related("person", "area").only("entered_at", "person__name", "person__id_number_masked",
                                                   "area__name", "site_id", "visit_host")
            .order_by("-entered_at")[:limit])


def area_status(*, site: Site, now: datetime | None = None) -> list[Area]:
    """The site's areas with their last disinfection and whether they are overdue, active ones
    first, by name as people count (core.natsort: 二监区 before 十一监区; a site has a few areas)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=site.disinfection_interval_hours)
    areas = (Area.objects.filter(site=site).annotate(last_done=_last_disinfection())
             .annotate(overdue=Case(When(Q(is_active=True) & (Q(last_done__isnull=True) | Q(last_done__lt=cutoff)),
                                         then=Value(True)), default=Value(False), output_field=BooleanField())))
    return sorted(areas, key=lambda a: (not a.is_active, natural_key(a.name), a.pk))


def active_areas(*, site: Site) -> list[Area]:
    """The site's active areas by name as people count."""
    return sorted(Area.objects.filter(site=site, is_active=True), key=lambda a: (natural_key(a.name), a.pk))


def disinfection_log(*, site: Site) -> QuerySet[Disinfection]:
    return Disinfection.objects.filter(site=site).select_related("area").order_by("-done_at", "-pk")


def unchecked_today(*, site: Site, q: str = "") -> QuerySet[SitePerson]:
    """The site's own people not yet checked today, for the daily health check page."""
    day = timezone.localdate()
    qs = SitePerson.objects.filter(unchecked_today_q(day), site=site).select_related("person")
    q = filter_text(q)
    if q:
        qs = qs.filter(person__name__icontains=q)
    return qs.order_by("person__name", "person_id")


def checked_today(*, site: Site) -> QuerySet[HealthCheck]:
    """Today's health checks at the site (health data: only for roles with health duties)."""
    return (HealthCheck.objects.filter(site=site, checked_on=timezone.localdate())
            .select_related("person").order_by("-checked_at"))


def health_check_person(*, site: Site, pk) -> Person:
    """One of the site's own people, for a health check; anyone else is a 404."""
    person = Person.objects.filter(pk=valid_id(pk) or 0, memberships__site=site,
                                   memberships__relation__in=SitePerson.BELONGS).first()
    if person is None:
        raise Http404
    return person


def pass_people(*, site: Site) -> QuerySet[SitePerson]:
    """The site's own people, who get a pass card."""
    return (SitePerson.objects.filter(site=site, relation__in=SitePerson.BELONGS)
            .filter(SitePerson.in_force_q(timezone.localdate()))
            .select_related("person").order_by("person__name", "person_id"))


def user_alerts(*, user, open_only: bool = False) -> QuerySet[Alert]:
    """A user's own alerts, open ones first."""
    qs = Alert.objects.filter(recipient=user).select_related("site", "person")
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by(F("acknowledged_at").desc(nulls_first=True), "-created_at", "-pk")


def alert_get(*, user, pk) -> Alert:
    """One of the user's own alerts; someone else's is a 404."""
    alert = Alert.objects.filter(recipient=user, pk=valid_id(pk) or 0).first()
    if alert is None:
        raise Http404
    return alert


def open_alert_count(*, user) -> int:
    """The user's alerts not yet acknowledged (the navigation's count, on every page of those who get
    alerts): one statement compiled once per database."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return compiled.count(_open_alert_statement(router.db_for_read(Alert)), user.pk)


# Stands for the recipient's id while the statement is compiled (as accounts.backends' _ID).
_RECIPIENT = 2_147_480_029


@cache
def _open_alert_statement(alias: str) -> compiled.Count:
    return compiled.compile_count(
        Alert.objects.using(alias).filter(recipient_id=_RECIPIENT, acknowledged_at__isnull=True), _RECIPIENT)


STATE_FIELDS = ("closed_since", "visitor_policy", "fever_threshold", "disinfection_interval_hours")


@dataclass
class StateChange:
    when: datetime
    who: str
    reason: str
    fields: list[tuple[str, str, str]]  # (label, old, new)


def site_state_history(*, site: Site, limit: int = 100) -> list[StateChange]:
    """The changes of the site's state (closed management, visitor policy, fever threshold), newest
    first, each with who and why; changes of other fields are left out."""
    records = list(site.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    changes = []
    # Each record against the one before it; the oldest is the site's creation (open, visitors allowed),
    # and a site loaded without history (the demo's, an import's) has no record at all.
    for rec, older in pairwise(records):
        fields = []
        for name in STATE_FIELDS:
            old, new = getattr(older, name), getattr(rec, name)
            if old != new:
                field = Site._meta.get_field(name)
                labels = dict(field.flatchoices) if field.choices else {}
                fields.append((str(field.verbose_name), _state_value(labels.get(old, old)),
                               _state_value(labels.get(new, new))))
        if fields:
            who = rec.history_user.get_username() if rec.history_user else "system"
            changes.append(StateChange(rec.history_date, who, rec.history_change_reason or "", fields))
    return changes[:limit]


def _state_value(value) -> str:
    return "" if value is None else str(value)


# The home page ---------------------------------------------------------------------------


def todo(*, user, today: date) -> list[Todo]:
    """Screening to-dos: open alerts; at each managed site, people unchecked today and areas
    overdue for disinfection; the gate of each gatekeeper's site; the overview for those who
    oversee a region."""
    if not scopes.can_see_screening(user):
        return []
    s = scopes.get_scope(user)
    items = []
    n = open_alert_count(user=user)
    if n:
        items.append(Todo(text=ngettext("%(n)d open alert to acknowledge.", "%(n)d open alerts to acknowledge.", n)
                          % {"n": n}, url=reverse("screening:alerts")))
    for site in with_figures(Site.objects.filter(pk__in=s.managed_sites), user=user):
        if site.unchecked_today:
            items.append(Todo(text=ngettext("%(site)s: %(n)d person not checked today.",
                                            "%(site)s: %(n)d people not checked today.", site.unchecked_today)
                              % {"site": site.name, "n": site.unchecked_today},
                              url=reverse("screening:health_checks", args=[site.pk])))
        if site.overdue_areas:
            items.append(Todo(text=ngettext("%(site)s: %(n)d area overdue for disinfection.",
                                            "%(site)s: %(n)d areas overdue for disinfection.", site.overdue_areas)
                              % {"site": site.name, "n": site.overdue_areas},
                              url=reverse("screening:disinfection", args=[site.pk])))
    for site in Site.objects.filter(pk__in=s.gate_sites).order_by("name"):
        items.append(Todo(text=_("Open the gate screen of %(site)s.") % {"site": site.name},
                          url=reverse("screening:gate", args=[site.pk])))
    if scopes.can_oversee_screening(user):
        items.append(Todo(text=_("See the screening figures of your sites."), url=reverse("screening:site_list")))
    return items


def figures(*, user, now: datetime) -> list[Figure]:
    """The home page shows no screening figures: the site pages and the overview carry them."""
    return []


# What the outbreak app reads of screening (it may read selectors only) ----------------------


def temperature_read(value, field: str = "temperature") -> Decimal:
    """A typed temperature in °C, by the gate's rule (rules.parse_temperature): 34.0–43.0, °F refused
    with a hint."""
    return rules.parse_temperature(value, field)


def is_fever(temperature: Decimal, site: Site | None = None) -> bool:
    """At or above the site's fever threshold, or the city's where there is no site."""
    threshold = rules.fever_threshold(site) if site is not None else Decimal(str(settings.FEVER_THRESHOLD))
    return temperature >= threshold


def person_health_checks(*, person_id: int, since: date) -> QuerySet[HealthCheck]:
    """A person's daily health checks at any site from ``since`` on (health data: the caller logs
    the view)."""
    return HealthCheck.objects.filter(person_id=person_id, checked_on__gte=since).order_by("checked_at")


@dataclass(frozen=True)
class Stay:
    """One person's presence at a site (and area, if the entrance was an area's) from entry to exit;
    an exit not recorded ends at the maximum stay and is ``estimated``."""

    entry_id: int
    person_id: int
    site_id: int
    area_id: int | None
    start: datetime
    end: datetime
    estimated: bool
    site_name: str = ""  # read with the stay where the reader needs it (stays_met: the others')
    area_name: str = ""


def _stays(qs: QuerySet[Entry]) -> list[Stay]:
    longest = timedelta(hours=settings.MAX_STAY_HOURS)
    rows = qs.values_list("id", "person_id", "site_id", "area_id", "entered_at", "left_at", "left_estimated")
    return [Stay(i, p, s, a, start, left if left is not None else start + longest, left is None or estimated)
            for i, p, s, a, start, left, estimated in rows]


def person_stays(*, person_id: int, start: datetime, end: datetime) -> list[Stay]:
    """A person's stays that meet [start, end), by time (health data: the caller logs the view)."""
    earliest = start - timedelta(hours=settings.MAX_STAY_HOURS)
    qs = Entry.objects.filter(Entry.stay_q(), person_id=person_id, entered_at__gte=earliest, entered_at__lt=end)
    return [s for s in _stays(qs.order_by("entered_at", "id")) if s.end > start]


@dataclass(frozen=True)
class Met:
    """What ``stays_met`` read: the person's stays, the others' stays that may meet them (with their
    people's names), and the end of the window as the database bounded it (``until``)."""

    own: list[Stay]
    others: list[Stay]
    end: datetime


@dataclass(frozen=True)
class NamedStay(Stay):
    """Another person's stay with that person's name and masked ID number, and whether the reader
    sees the person (``stays_met``'s ``seen``)."""

    person_name: str = ""
    id_number_masked: str = ""
    seen: bool = False


# An SQL fragment and its parameters, embedded in a statement (stays_met's until and seen).
Fragment = tuple[str, Sequence]


def stays_met(*, person_id: int, start: datetime, end: datetime, until: Fragment | None = None,
              seen: Fragment | None = None) -> Met:
    """A person's stays that meet [start, end), by time, and everyone else's stays at the same sites
    that may meet them, in one statement (health data: the caller logs the view). For each of the
    person's stays, the entries of its site begun from its start (or ``start``) minus the maximum stay
    until its end (or ``end``): an entry begun earlier has ended by the maximum-stay rule, so each
    stay reads one slice of the (site, time) index (PostgreSQL: a LATERAL probe per stay, in the
    partitions of those months). The others may include stays that only come near: the caller
    computes the overlaps. The others carry their site's and area's names and their person's name
    and masked ID number (``NamedStay``).

    ``until``: a scalar subquery of one time (or none) that ends the window earlier in the same
    statement (the caller's first isolation order), as SQL and its parameters; ``Met.end`` is the window's
    end so bounded. ``seen``: the people the reader sees, as ``people_among`` made it; each other's stay
    says whether its person is among them (None: all). The statement's text is made once per database,
    maximum stay, ``until`` and ``seen`` (``_stays_met_text``): a call only fills in its values."""
    sql, params = _stays_met_sql(person_id, start, end, until=until, seen=seen)
    db = hotpath.database()
    rows = hotpath.fetchall(sql, params, times=True)
    longest = timedelta(hours=settings.MAX_STAY_HOURS)
    # Values, not model instances: each column through the converters the ORM applies on this database
    # (SQLite: times from text), where it has any.
    converters = _stay_converters()
    columns = _row_columns
    own: list[Stay] = []
    others: dict[int, Stay] = {}
    until_end = end
    n = len(_STAY_FIELDS) + 1
    for row in rows:
        if converters:
            row = list(row)
            for i, col, functions in converters:
                value = row[i]
                for function in functions:
                    value = function(value, col, db)
                row[i] = value
        kind, pk, person, site, area, entered, left, left_estimated = columns(row)
        if kind == 2:  # the window's end
            until_end = entered
            continue
        stay_end = left if left is not None else entered + longest
        estimated = left is None or bool(left_estimated)
        if kind == 1:
            own.append(Stay(pk, person, site, area, entered, stay_end, estimated))
        else:
            others[pk] = NamedStay(pk, person, site, area, entered, stay_end, estimated, row[n] or "",
                                   row[n + 1] or "", row[n + 2] or "", row[n + 3] or "", bool(row[n + 4]))
    until_end = min(until_end, end)
    own = sorted((s for s in own if s.end > start), key=_by_time)
    return Met(own, list(others.values()), until_end)


_STAY_FIELDS = ("id", "person_id", "site_id", "area_id", "entered_at", "left_at", "left_estimated")


@cache
def _stay_columns() -> hotpath.Columns:
    return hotpath.Columns(("e", Entry, _STAY_FIELDS))


# The positions in a row of stays_met (kind, then the fields in the model's order) of kind and _STAY_FIELDS.
_ROW = (0, *(1 + [f.attname for f in Entry._meta.concrete_fields if f.attname in _STAY_FIELDS].index(name)
             for name in _STAY_FIELDS))
_row_columns = itemgetter(*_ROW)


def _by_time(stay: Stay) -> tuple[datetime, int]:
    return stay.start, stay.entry_id


@cache
def _stay_converters() -> list[tuple[int, object, list]]:
    """(position in a row of stays_met, column, converters) of each stay column that has converters."""
    return [(i + 1, col, functions) for i, (col, functions) in enumerate(_stay_columns().groups[0][2]) if functions]


def people_among(people: QuerySet[Person]) -> Fragment:
    """Whether the row's person (``registry_person``, unaliased) is among ``people``: a correlated
    EXISTS, compiled by the ORM (stays_met's ``seen``). Compiling it costs about two thousand Python
    calls: a caller that asks often keeps it (per scope: zhengtong.outbreak.tracing)."""
    query = Person.objects.all().query
    compiler = query.get_compiler(connection=connection)
    expression = Exists(people.order_by().filter(pk=OuterRef("pk"))).resolve_expression(query)
    sql, params = compiler.compile(expression)
    return sql, tuple(params)


def _stays_met_sql(person_id: int, start: datetime, end: datetime, *, until: Fragment | None = None,
                   seen: Fragment | None = None) -> tuple[str, list]:
    """stays_met's statement and its parameters: the text made once (``_stays_met_text``), the values
    in the order it takes them."""
    db = hotpath.database()
    hours = settings.MAX_STAY_HOURS
    postgres = db.vendor == "postgresql"
    sql = _stays_met_text(db.alias, hours, until[0] if until is not None else None,
                          seen[0] if seen is not None else None)
    adapt = db.ops.adapt_datetimefield_value
    high = adapt(end)
    bound = [*until[1], high, high] if until is not None else [high]
    seen_params = seen[1] if seen is not None else ()
    longest = timedelta(hours=hours)
    if postgres:
        return sql, [*bound, person_id, start - longest, *seen_params, start, longest, longest, longest, start]
    low, earliest = adapt(start), adapt(start - longest)
    return sql, [*bound, person_id, earliest, *seen_params, person_id, earliest, low, low]


@lru_cache(maxsize=1024)  # one per database, maximum stay and caller's fragments (a scope's seen: a few)
def _stays_met_text(alias: str, hours: int, until_sql: str | None, seen_sql: str | None) -> str:
    """The text of stays_met's statement; ``_stays_met_sql`` gives its parameters in the same order."""
    db = connections[alias]
    qn, table = db.ops.quote_name, db.ops.quote_name(Entry._meta.db_table)
    postgres = db.vendor == "postgresql"
    cols = [f.column for f in Entry._meta.concrete_fields if f.attname in _STAY_FIELDS]  # _stay_columns' order
    m_cols, x_cols = (", ".join(f"{t}.{qn(c)}" for c in cols) for t in ("m", "x"))
    people = qn(Person._meta.db_table)  # unaliased: the seen check refers to it by its table's name
    if seen_sql is None:
        seen_sql = "TRUE" if postgres else "1"
    no_names = ", NULL, NULL, NULL, NULL, " + ("NULL::boolean" if postgres else "NULL")  # typed for the UNION
    m_cols += no_names
    x_cols += f", s.{qn('name')}, a.{qn('name')}, {people}.{qn('name')}, {people}.{qn('id_number_masked')}, {seen_sql}"
    # The window's end as one row (kind 2), in the place of an entry's time.
    end_cols = ", ".join(["0", *(f"b.{qn('e')}" if c == "entered_at" else "NULL" for c in cols[1:])]) + no_names
    names = (f"JOIN {qn(Site._meta.db_table)} s ON s.{qn('id')} = x.{qn('site_id')} "
             f"LEFT JOIN {qn(Area._meta.db_table)} a ON a.{qn('id')} = x.{qn('area_id')} "
             f"JOIN {people} ON {people}.{qn('id')} = x.{qn('person_id')} ")
    entered, left, site, person = qn("entered_at"), qn("left_at"), qn("site_id"), qn("person_id")
    stay = f"({qn('decision')} = 'admit' OR {qn('gate_decision')} = 'admit')"  # Entry.stay_q
    least = "LEAST" if postgres else "MIN"
    if until_sql is not None:
        bound = f"{least}(COALESCE(({until_sql}), %s), %s)"
    else:
        bound = "%s::timestamptz" if postgres else "%s"
    b = f"b AS {'MATERIALIZED ' if postgres else ''}(SELECT {bound} AS {qn('e')})"
    b_end = f"(SELECT b.{qn('e')} FROM b)"
    mine = (f"SELECT {', '.join(qn(c) for c in cols)} FROM {table} WHERE {person} = %s AND {stay} "
            f"AND {entered} >= %s AND {entered} < {b_end}")
    if postgres:
        head = f"WITH {b}, m AS MATERIALIZED ({mine}) SELECT 2, {end_cols} FROM b UNION ALL "
        return (f"{head}SELECT 1, {m_cols} FROM m UNION ALL "
                f"SELECT 0, {x_cols} FROM m JOIN LATERAL (SELECT {', '.join(qn(c) for c in cols)} FROM {table} "
                f"WHERE {site} = m.{site} AND {stay} AND {person} <> m.{person} "
                f"AND {entered} >= GREATEST(m.{entered}, %s) - %s "
                # OFFSET 0 keeps the subquery whole: one probe of the index by site and time per stay (pulled
                # up, it was joined by site alone, reading the site's 30 days, with the bounds as a filter)
                f"AND {entered} < LEAST(COALESCE(m.{left}, m.{entered} + %s), {b_end}) OFFSET 0) x ON true {names}"
                f"WHERE COALESCE(m.{left}, m.{entered} + %s) > %s")
    # SQLite keeps times as text, in UTC, as Django writes them: bounds are text too ('%f': seconds with
    # milliseconds; an entry read in excess only comes near, and the caller computes the overlaps).
    # The person's stays are a subquery in each part, not a common table: SQLite materialised that one and
    # then read the sites' entries in another order (5 ms against 0.25 ms for the bench's small load).
    back, ahead = f"'-{hours} hours'", f"'+{hours} hours'"
    return (f"WITH {b} SELECT 2, {end_cols} FROM b UNION ALL SELECT 1, {m_cols} FROM ({mine}) m UNION ALL "
            # CROSS JOIN: SQLite keeps this order (each of the person's stays, then its site's slice)
            f"SELECT 0, {x_cols} FROM ({mine}) m CROSS JOIN {table} x {names}"
            f"WHERE COALESCE(m.{left}, strftime('%%Y-%%m-%%d %%H:%%M:%%f', m.{entered}, {ahead})) > %s "
            f"AND x.{site} = m.{site} "
            f"AND x.{entered} >= strftime('%%Y-%%m-%%d %%H:%%M:%%f', MAX(m.{entered}, %s), {back}) "
            f"AND x.{entered} < MIN(COALESCE(m.{left}, strftime('%%Y-%%m-%%d %%H:%%M:%%f', m.{entered}, {ahead})), "
            f"{b_end}) "
            f"AND (x.{qn('decision')} = 'admit' OR x.{qn('gate_decision')} = 'admit') AND x.{person} <> m.{person}")


def area_names(area_ids) -> dict[int, str]:
    return dict(Area.objects.filter(pk__in=list(area_ids)).values_list("pk", "name"))


# Closed-duty rotations (screening.rotations) -------------------------------------------------


def rotation_list(*, site: Site) -> QuerySet[Rotation]:
    """The site's rotations, latest first, with their member counts. The caller has found the site
    in the user's screening scope."""
    return site.rotations.annotate(member_count=Count("members")).order_by("-on_duty_from", "-id")


def rotation_get(*, site: Site, pk) -> Rotation:
    return get_or_404(Rotation.objects.filter(site=site).select_related("site", "created_by", "ended_by"), pk)


def rotation_members(*, rotation: Rotation) -> QuerySet[RotationMember]:
    return rotation.members.select_related("person").order_by("person__name", "pk")


def rotation_staff(*, site: Site, day: date | None = None) -> QuerySet[Person]:
    """The site's staff (relation in force on ``day``, today), whom a rotation may take."""
    day = day or timezone.localdate()
    return (Person.objects.filter(memberships__site=site, memberships__relation=SitePerson.Relation.STAFF)
            .filter(SitePerson.in_force_q(day, "memberships__")).distinct().order_by("name", "pk"))


# People admitted per day (screening.counts) ---------------------------------------------------------
# Aggregates with no personal data, kept past the entries' retention period, for the apps above that
# compare them with what a unit declares (resumption). The caller has scoped the sites or units.


def _per_day(counts: QuerySet[AdmittedDaily], start: date, end: date) -> dict[date, int]:
    rows = (counts.filter(day__gte=start, day__lte=end).values("day").annotate(people=Sum("people"))
            .order_by("day"))
    return {r["day"]: r["people"] for r in rows}


def admitted_daily(*, site_ids: Iterable[int], start: date, end: date) -> dict[date, int]:
    """People admitted on each day from ``start`` through ``end`` at these sites, summed over them (a
    person counts once per site and day: one who entered two of them counts at each). A day on which
    none of them had an entry is absent: not measured, which is not zero."""
    return _per_day(AdmittedDaily.objects.filter(site_id__in=list(site_ids)), start, end)


def unit_admitted_daily(*, unit_id: int, start: date, end: date) -> dict[date, int]:
    """``admitted_daily`` over all the unit's sites."""
    return _per_day(AdmittedDaily.objects.filter(site__unit_id=unit_id), start, end)


def unit_admitted_peak(*, start: date, end: date, unit_ref: str = "pk") -> Subquery:
    """An expression for a queryset of units (the unit's id is ``OuterRef(unit_ref)``): the most people
    its sites admitted on one day from ``start`` through ``end``, summed over its sites; NULL where its
    sites have no count in the span (they do not use the gate: not measured). Part of the caller's one
    statement: no query per unit."""
    per_day = (AdmittedDaily.objects.filter(site__unit_id=OuterRef(unit_ref), day__gte=start, day__lte=end)
               .values("day").annotate(n=Sum("people")).order_by("-n").values("n")[:1])
    return Subquery(per_day, output_field=IntegerField())


# The demo's county gate factory ------------------------------------------------------------

COUNTY_GATE_PEOPLE = 150  # the county gate factory's people who come to its gate (its first, by id)


def county_gate_site(county_id: int) -> Site | None:
    """The demo's county gate factory (screening.demo ``_county_gate``): the first active enterprise's
    factory of the county (by id) with at least 20 people of its own. Read by the screening demo, which
    has it screen at its gate, and by the resumption demo, which declares for its unit a workforce far
    above what the gate admits (the county's flagged gap)."""
    return (Site.objects.filter(kind=Site.Kind.FACTORY, unit__kind=Unit.Kind.ENTERPRISE,
                                unit__status=Unit.Status.ACTIVE, unit__county_id=county_id)
            .annotate(own=Count("memberships", filter=Q(memberships__relation__in=SitePerson.BELONGS)))
            .filter(own__gte=20).order_by("pk").first())


def county_gate_people(site: Site) -> list[int]:
    """The people of the county gate factory who come to its gate: its first COUNTY_GATE_PEOPLE by id."""
    return list(SitePerson.objects.filter(site=site, relation__in=SitePerson.BELONGS).order_by("person_id")
                .values_list("person_id", flat=True)[:COUNTY_GATE_PEOPLE])
