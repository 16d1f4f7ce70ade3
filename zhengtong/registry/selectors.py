"""Every read of the registry. Each takes the user and returns only what their scope allows
(accounts.scopes); a record outside the scope is simply not found (404), never shown."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models import BooleanField, DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.accounts.selectors import assignments_of
from zhengtong.core import compiled
from zhengtong.core.cleaners import filter_text, search_text, search_words
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.panels import Figure, Todo
from zhengtong.registry import ports
from zhengtong.registry.codes import normalise
from zhengtong.registry.identity import decrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit, UnitImport


def _industry_filter(code: str, field: str = "industry") -> Q:
    """A section letter, a 2- or 3-digit prefix, or a 4-digit class."""
    code = code.strip().upper()
    if len(code) == 1 and code.isalpha():
        return Q(**{f"{field}__parent__parent__parent__code": code})
    return Q(**{f"{field}__code__startswith": code})


def _query_text(filters: dict[str, Any], name: str = "q") -> str:
    """A filter's text as core.cleaners.filter_text reads it (PostgreSQL refuses NUL in a query);
    the search box ``q`` cut as core.cleaners.search_text cuts it."""
    return search_text(filters.get(name)) if name == "q" else filter_text(filters.get(name))


def _search(q: str, *fields: str) -> Q:
    """Every word must match one of the fields (contains; works for Chinese text); the first
    SEARCH_MAX_WORDS different words of the first SEARCH_MAX_CHARS characters (core.cleaners)."""
    result = Q()
    for word in search_words(q):
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f}__icontains": word})
        result &= any_field
    return result


def unit_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Unit]:
    filters = filters or {}
    qs = Unit.objects.filter(scopes.units_q(user)).select_related("county", "industry")
    q = _query_text(filters)
    if q:
        code = normalise(q)
        qs = qs.filter(_search(q, "name", "address") | Q(uscc__startswith=code))
    if county := _query_text(filters, "county"):
        qs = qs.filter(county__code=county)
    if industry := _query_text(filters, "industry"):
        qs = qs.filter(_industry_filter(industry))
    if kind := _query_text(filters, "kind"):
        qs = qs.filter(kind=kind)
    if status := _query_text(filters, "status"):
        qs = qs.filter(status=status)
    if filters.get("incomplete"):
        qs = qs.filter(Q(contact_phone="") | Q(legal_representative="") | Q(address=""))
    return qs.order_by("name", "id")


def unit_get(*, user, pk: int) -> Unit:
    return get_or_404(Unit.objects.select_related("county", "industry").filter(scopes.units_q(user)), pk)


def unit_can_change(*, user, unit: Unit) -> bool:
    return Unit.objects.filter(scopes.units_editable_q(user), pk=unit.pk).exists()


def site_list(*, user, filters: dict[str, Any] | None = None, unit: Unit | None = None) -> QuerySet[Site]:
    filters = filters or {}
    qs = Site.objects.filter(scopes.sites_q(user)).select_related("unit", "county")
    if unit is not None:
        qs = qs.filter(unit=unit)
    q = _query_text(filters)
    if q:
        qs = qs.filter(_search(q, "name", "unit__name", "address"))
    if county := _query_text(filters, "county"):
        qs = qs.filter(county__code=county)
    if kind := _query_text(filters, "kind"):
        qs = qs.filter(kind=kind)
    return qs.order_by("name_key", "id")  # by name as people count (core.natsort)


def site_get(*, user, pk: int) -> Site:
    return get_or_404(Site.objects.select_related("unit", "county").filter(scopes.sites_q(user)), pk)


def site_can_change(*, user, site: Site) -> bool:
    return Site.objects.filter(scopes.sites_editable_q(user), pk=site.pk).exists()


def sites_for_people(*, user) -> QuerySet[Site]:
    """Sites where the user may register people."""
    return Site.objects.filter(scopes.people_sites_q(user)).select_related("unit").order_by("name_key", "id")


def may_register_people(*, user) -> bool:
    """Whether there is a site where the user may register people (``sites_for_people`` is not empty):
    a count of at most one of them (as ``exists()`` stops at the first), the same statement for everyone
    with the user's scope, compiled once for it."""
    alias = router.db_for_read(Site)
    statement = compiled.kept(_PEOPLE_SITES, (alias, scopes.scope_key(user)), lambda: compiled.compile_count(
        Site.objects.using(alias).filter(pk__in=Site.objects.filter(scopes.people_sites_q(user)).values("pk")[:1])))
    return compiled.count(statement) > 0


_PEOPLE_SITES: dict[tuple, compiled.Count] = {}


def person_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """The people the user sees (``scopes.people_q``), each marked ``is_former`` and ``left_on`` by the
    relations the user sees (``with_former``), filtered and sorted by name. The scope's filter and the
    two annotations are the same SQL for everyone with the user's scope and filters of the same kinds:
    written once (``_people_sql``) and given today's date, the site and the relation."""
    filters = filters or {}
    site_id = valid_id(filters["site"]) if filters.get("site") else None
    relation = _query_text(filters, "relation")
    alias = router.db_for_read(Person)
    sql = compiled.kept(_PEOPLE_SQL, (alias, scopes.scope_key(user), bool(filters.get("site")), bool(relation)),
                        lambda: _people_sql(alias, user, site=bool(filters.get("site")), relation=bool(relation)))
    if sql is None:  # the scope sees nobody: no statement, the same columns
        return Person.objects.none().annotate(is_former=Value(False, BooleanField()),
                                              left_on=Value(None, DateField())).order_by("name", "id")
    # The kept fragments name the outer table ("registry_person"."id") as raw SQL, which Django never renames:
    # this queryset is a list's own (the page, the export, the API, its counts), never a subquery of another
    # (``pk__in=person_list(...)`` would alias the table and the scope would read the outer query's rows).
    qs = Person.objects.all() if sql.scope is None else Person.objects.filter(sql.scope.expression(BooleanField(), {}))
    q = _query_text(filters)
    if q:
        qs = qs.filter(person_search_q(q))
    if filters.get("site"):
        qs = qs.filter(pk__in=SitePerson.objects.filter(site_id=site_id).values("person_id")) if site_id else qs.none()
    if relation:
        qs = qs.filter(pk__in=SitePerson.objects.filter(relation=relation).values("person_id"))
    values = {"day": connections[alias].ops.adapt_datefield_value(timezone.localdate()), "site": site_id or 0,
              "relation": relation}
    qs = qs.annotate(is_former=sql.is_former.expression(BooleanField(), values),
                     left_on=sql.left_on.expression(DateField(), values))
    former = _query_text(filters, "former")
    if former == "only":
        qs = qs.filter(Q(is_former=True))  # a Q: the annotation is with_former's
    elif former != "all":  # the default: current people only (the page says so)
        qs = qs.exclude(Q(is_former=True))
    return qs.order_by("name", "id")  # people_q and the filters are semi-joins: no row twice, no DISTINCT


@dataclass(frozen=True)
class Fragment:
    """A piece of SQL that the ORM wrote once, with the places of the values that change per request:
    the parameter at each position of ``slots`` is replaced by the value given for its name."""

    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position among the parameters, the name of the value it takes)

    @classmethod
    def of(cls, compiled_sql: tuple[str, Any], markers: dict[str, Any]) -> "Fragment":
        """The fragment of ``compiled_sql`` (SQL and parameters): each parameter equal to one of
        ``markers`` (by name, as the database's adapter gave it: SQLite's dates are text) a slot."""
        sql, params = compiled_sql
        slots = tuple((i, name) for i, p in enumerate(params) for name, m in markers.items()
                      if type(p) is type(m) and p == m)
        return cls(sql, tuple(params), slots)

    def expression(self, output_field: Any, values: dict[str, Any]) -> RawSQL:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = values[name]
        return RawSQL(self.sql, params, output_field=output_field)


@dataclass(frozen=True)
class PeopleSQL:
    scope: Fragment | None  # scopes.people_q (None: the user sees everyone)
    is_former: Fragment  # with_former's annotations, for the relations the user sees
    left_on: Fragment


# person_list's SQL by database, scope and the kinds of filter given (a site, a relation), and the
# markers where today's date, the site and the relation go: values no parameter of the scope holds.
_PEOPLE_SQL: dict[tuple, PeopleSQL | None] = {}
_DAY = date(1, 1, 1)
_SITE = -918_273_646
_RELATION = "<relation>"


def _people_sql(alias: str, user, *, site: bool, relation: bool) -> PeopleSQL | None:
    """person_list's scope and annotations as the ORM writes them, with markers (None: nobody)."""
    relations = SitePerson.objects.using(alias).filter(scopes.people_relations_q(user), person=OuterRef("pk"))
    if site:
        relations = relations.filter(site_id=_SITE)
    if relation:
        relations = relations.filter(relation=_RELATION)
    qs = with_former(Person.objects.using(alias).filter(scopes.people_q(user)), relations, _DAY)
    compiler = qs.query.get_compiler(alias)
    markers = {"day": connections[alias].ops.adapt_datefield_value(_DAY), "site": _SITE, "relation": _RELATION}
    try:
        scope: Fragment | None = Fragment.of(compiler.compile(qs.query.where), markers)
    except FullResultSet:
        scope = None
    except EmptyResultSet:
        return None
    is_former, left_on = (Fragment.of(compiler.compile(qs.query.annotations[name]), markers)
                          for name in ("is_former", "left_on"))
    takes = {"day", *(["site"] if site else []), *(["relation"] if relation else [])}
    if not takes <= {name for _position, name in is_former.slots} or (scope and scope.slots):
        raise AssertionError(f"the people's SQL takes today's date, the site and the relation: {is_former.sql}")
    return PeopleSQL(scope, is_former, left_on)


def person_search_q(q: str, prefix: str = "") -> Q:
    """The people search, as a filter (on Person, or through ``prefix``, e.g. "person__"): a whole ID
    number finds its holder by the number's hash; anything else searches names (every word) and the
    start of the phone number. The people list and the screening logs search with it."""
    q = filter_text(q)
    if not q:
        return Q()
    code = normalise(q)
    if len(code) == 18 and code[:17].isdigit():
        found = Person.by_id_number_q(id_number_hash(code))
    else:
        found = _search(q, "name") | Q(phone__startswith=q)
    return Q(**{f"{prefix}in": Person.objects.filter(found).values("pk")}) if prefix else found


def person_id_number_as_seen(person: Person, *, whole: bool) -> str:
    """An ID number as a viewer may see it: whole for health duties (``whole``, as
    ``scopes.can_see_health_data`` answers for the viewer), masked for everyone else."""
    if whole and person.id_number_encrypted:
        return decrypt_id_number(person.id_number_encrypted)
    return person.id_number_masked


def with_former(qs: QuerySet[Person], relations: QuerySet[SitePerson], day: date | None = None) -> QuerySet[Person]:
    """People annotated ``is_former`` (they have some of ``relations``, and none in force on ``day``,
    today: those relations have ended) and ``left_on`` (the day the latest of them ended)."""
    day = day or timezone.localdate()
    return qs.annotate(
        is_former=ExpressionWrapper(Exists(relations) & ~Exists(relations.filter(SitePerson.in_force_q(day))),
                                    output_field=BooleanField()),
        left_on=Subquery(relations.filter(until__isnull=False).order_by("-until").values("until")[:1]),
    )


def person_get(*, user, pk: int) -> Person:
    return get_or_404(Person.objects.filter(scopes.people_q(user)).distinct(), pk)


def person_memberships(*, user, person: Person) -> QuerySet[SitePerson]:
    """The person's relations to the sites the user may see people of."""
    return (
        SitePerson.objects.filter(person=person, site__in=Site.objects.filter(scopes.people_sites_q(user)))
        .select_related("site", "site__unit")
        .order_by("site__name")
    )


@dataclass(frozen=True)
class Release:
    """An inmate's relation (with the person) and why their release is not cleared (empty: it is)."""

    membership: SitePerson
    refusals: list[str]

    @property
    def day(self) -> date | None:
        return self.membership.release_date


def inmate_get(*, user, site: Site, pk) -> SitePerson:
    """One inmate of the site (relation in force), among the people the user sees there; else 404."""
    if not Site.objects.filter(scopes.people_sites_q(user), pk=site.pk).exists():
        raise Http404
    return get_or_404(SitePerson.objects.filter(SitePerson.in_force_q(timezone.localdate()), site=site,
                                                relation=SitePerson.Relation.INMATE).select_related("person"), pk)


def inmate_release_state(*, site: Site, membership: SitePerson, today: date | None = None) -> Release:
    """Whether the inmate may be released, on the release date (today once it has passed, or when
    there is none), as registry.ports answers it."""
    today = today or timezone.localdate()
    day = max(membership.release_date or today, today)
    refusals = ports.release_refusals(site=site, days={membership.person_id: day})
    return Release(membership, refusals.get(membership.person_id, []))


def inmates_due(*, site: Site, today: date | None = None, cleared: bool = False) -> list[Release]:
    """The site's inmates (relation in force) due for release within RELEASE_DUE_DAYS — release
    date passed included, while the release is not recorded — by release date, each with why their
    release is not cleared on its day (registry.ports: pre-release isolation); without ``cleared``,
    only those not cleared. The caller checks that the user may see them (``can_release_inmates``)."""
    today = today or timezone.localdate()
    rows = list(SitePerson.objects.filter(
        SitePerson.in_force_q(today), site=site, relation=SitePerson.Relation.INMATE,
        release_date__lte=today + timedelta(days=settings.RELEASE_DUE_DAYS))
        .select_related("person").order_by("release_date", "person__name", "pk"))
    refusals = ports.release_refusals(site=site, days={m.person_id: max(m.release_date, today) for m in rows
                                                      if m.release_date})
    due = [Release(m, refusals.get(m.person_id, [])) for m in rows]
    return due if cleared else [r for r in due if r.refusals]


def person_by_id_number(*, site: Site, digest: str, related_only: bool = False) -> Person | None:
    """The person an ID number's hash names at a site (``Person.id_number_rank``): a registration held
    for the city at this site first (what the site typed), else the identity. ``related_only``: only
    a person related to the site."""
    qs = Person.objects.filter(Person.by_id_number_q(digest)).annotate(
        here=Exists(SitePerson.objects.filter(person=OuterRef("pk"), site=site)))
    if related_only:
        qs = qs.filter(here=True)
    ranked = [(rank, p.pk, p) for p in qs
              if (rank := Person.id_number_rank(held=p.is_held, here=p.here)) is not None]
    return min(ranked)[2] if ranked else None


def person_may_change(*, user, person: Person) -> bool:
    """The user changes the person's name and phone (scopes.can_change_identity)."""
    return scopes.can_change_identity(user, set(person.memberships.values_list("site_id", flat=True)))


def person_changes(*, user, person: Person) -> list["Change"]:
    """The history the user reads: the whole identity's for the city or a user who sees all of the
    person's sites; otherwise only the relations to the user's own sites."""
    if person_may_change(user=user, person=person):
        return history_of(person, excluded=("id_number_hash",))
    changes = [c for m in person_memberships(user=user, person=person) for c in history_of(m)]
    return sorted(changes, key=lambda c: c.when, reverse=True)


@dataclass(frozen=True)
class HeldRegistration:
    held: Person
    identity: Person | None
    held_sites: list[SitePerson]
    identity_sites: list[SitePerson]
    registered_by: str
    registered_at: Any


def held_registrations(*, user) -> list[HeldRegistration]:
    """Registrations whose name did not match their ID number's identity, oldest first, with the
    identity they clash with: the city's queue (scopes.can_resolve_identities)."""
    if not scopes.can_resolve_identities(user):
        return []
    held = list(Person.objects.exclude(claimed_hash="").order_by("created_at", "id")[:500])
    identities = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=[h.claimed_hash for h in held])}
    relations: dict[int, list[SitePerson]] = {}
    people = [h.pk for h in held] + [p.pk for p in identities.values()]
    for m in SitePerson.objects.filter(person_id__in=people).select_related("site__unit").order_by("site__name"):
        relations.setdefault(m.person_id, []).append(m)
    first = {}
    for rec in Person.history.filter(id__in=[h.pk for h in held], history_type="+").select_related("history_user"):
        first[rec.id] = rec
    rows = []
    for h in held:
        identity = identities.get(h.claimed_hash)
        rec = first.get(h.pk)
        rows.append(HeldRegistration(
            held=h, identity=identity, held_sites=relations.get(h.pk, []),
            identity_sites=relations.get(identity.pk, []) if identity else [],
            registered_by=rec.history_user.get_username() if rec and rec.history_user else "system",
            registered_at=rec.history_date if rec else h.created_at,
        ))
    return rows


def held_registration_count(*, user) -> int:
    if not scopes.can_resolve_identities(user):
        return 0
    return Person.objects.exclude(claimed_hash="").count()


def person_id_number(*, user, person: Person) -> str:
    """The ID number as this user may see it: whole for health duties at one of the person's
    sites, masked for everyone else."""
    if person.unverified:
        return ""  # registered without an ID number
    site_ids = set(person.memberships.values_list("site_id", flat=True))
    return person_id_number_as_seen(person, whole=scopes.can_see_health_data(user, site_ids))


def department_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Department]:
    filters = filters or {}
    qs = Department.objects.filter(scopes.departments_q(user)).select_related("region")  # the API adds the parent
    q = _query_text(filters)
    if q:
        qs = qs.filter(_search(q, "name", "code"))
    if kind := _query_text(filters, "kind"):
        qs = qs.filter(kind=kind)
    if region := _query_text(filters, "region"):
        qs = qs.filter(region__code=region)
    return qs.order_by("code")


def department_get(*, user, pk: int) -> Department:
    return get_or_404(Department.objects.select_related("region", "parent").filter(scopes.departments_q(user)), pk)


def county_choices() -> QuerySet[Region]:
    return Region.objects.filter(parent__code=CITY_CODE).order_by("code")


CITY_CODE = "430400"  # Hengyang (GB/T 2260): the city this installation serves


def county_names() -> list[tuple[str, str]]:
    """(code, name) of each county-level division, as ``county_choices`` orders them: the filter forms'
    choices on every list page. Read on each call (a region added is there at once); only the statement
    is compiled once per database (core.compiled), which spares the query's building and compiling."""
    return [(code, name) for code, name in compiled.rows(_county_statement(router.db_for_read(Region)), CITY_CODE)]


_CITY_MARK = "<the city's code>"  # no region's code: where CITY_CODE goes in the compiled statement


@cache
def _county_statement(alias: str) -> compiled.Compiled:
    qs = Region.objects.using(alias).filter(parent__code=_CITY_MARK).order_by("code").values_list("code", "name")
    return compiled.compile_once(qs, _CITY_MARK)


def city_region() -> Region | None:
    """The city itself: the region of the units it regulates directly."""
    return Region.objects.filter(code=CITY_CODE).first()


def industry_list(*, q: str = "", level: str | None = None) -> QuerySet[Industry]:
    """GB/T 4754-2017 entries by code prefix or name; reference data, the same for everyone."""
    qs = Industry.objects.select_related("parent")
    q = filter_text(q)
    if q:
        qs = qs.filter(Q(code__startswith=q.upper()) | Q(name__icontains=q))
    if level := filter_text(level):
        qs = qs.filter(level=level)
    return qs.order_by("code")


@dataclass
class Change:
    when: Any
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[tuple[str, str, str]]  # (field label, old, new)


def history_of(obj, *, excluded: tuple[str, ...] = ()) -> list[Change]:
    """The audit trail of a record, newest first: who, when, and each field's old and new value."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    model = type(obj)
    for i, rec in enumerate(records):
        who = rec.history_user.get_username() if rec.history_user else "system"
        older = records[i + 1] if i + 1 < len(records) else None
        fields = []
        if older is not None:
            delta = rec.diff_against(older, excluded_fields=list(excluded) + ["updated_at"])
            for c in delta.changes:
                fields.append(_field_change(model, c.field, c.old, c.new))
        changes.append(Change(when=rec.history_date, who=who, kind=rec.history_type, fields=fields))
    return changes


def _field_change(model, name: str, old, new) -> tuple[str, str, str]:
    """(label, old, new) with related records and choices shown by name, not by id."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name, _display(old), _display(new)
    if field.many_to_one:
        related = field.related_model._default_manager.in_bulk([v for v in (old, new) if v is not None])
        old, new = related.get(old, old), related.get(new, new)
    elif field.many_to_many:
        key = field.m2m_reverse_field_name()
        ids = [row.get(key) for row in (old or []) + (new or []) if isinstance(row, dict)]
        related = field.related_model._default_manager.in_bulk(ids)
        old, new = ([related.get(r.get(key), r) for r in (v or [])] for v in (old, new))
    elif field.choices:
        labels = dict(field.flatchoices)
        old, new = labels.get(old, old), labels.get(new, new)
    return str(field.verbose_name), _display(old), _display(new)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def unit_imports(*, user) -> QuerySet[UnitImport]:
    """A user's own imports; the city administrator sees everyone's."""
    qs = UnitImport.objects.select_related("user")
    return qs if scopes.get_scope(user).is_city else qs.filter(user=user)


def unit_import_get(*, user, pk: int) -> UnitImport:
    return get_or_404(unit_imports(user=user), pk)


# The home page ---------------------------------------------------------------------------


def todo(*, user, today: date) -> list[Todo]:
    """The registry's to-dos: the units in the user's care that lack an address, a legal
    representative or a contact phone; then the page of each site and unit the user is assigned to."""
    items = []
    if scopes.can_change_units(user):
        n = unit_list(user=user).filter(Q(contact_phone="") | Q(legal_representative="") | Q(address="")).count()
        if n:
            items.append(Todo(
                text=_("%(n)d units lack an address, a legal representative or a contact phone.") % {"n": n},
                url=reverse("registry:unit_list") + "?incomplete=1",
            ))
    held = held_registration_count(user=user)
    if held:
        items.append(Todo(
            text=_("%(n)d registrations wait for your check: the name does not match the ID number's person.")
            % {"n": held},
            url=reverse("registry:held_list"),
        ))
    for a in assignments_of(user):
        if a.site is not None:
            items.append(Todo(text=_("Open the page of your site %(site)s.") % {"site": a.site.name},
                              url=reverse("registry:site_detail", args=[a.site_id])))
        if a.unit is not None:
            items.append(Todo(text=_("Check your unit's registration: %(unit)s.") % {"unit": a.unit.name},
                              url=reverse("registry:unit_detail", args=[a.unit_id])))
    return items


def figures(*, user, now: datetime) -> list[Figure]:
    """How many units and sites the user sees, and people where the user may see people."""
    items = [
        Figure(label=_("Units"), value=unit_list(user=user).count(), url=reverse("registry:unit_list")),
        Figure(label=_("Sites"), value=site_list(user=user).count(), url=reverse("registry:site_list")),
    ]
    if scopes.can_see_people(user):
        items.append(Figure(label=_("People"), value=person_list(user=user).count(),
                            url=reverse("registry:person_list")))
    return items
