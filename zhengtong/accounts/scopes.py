"""The one place that decides who may see and change what.

Every selector filters with the ``*_q`` functions here and every service checks with the
``can_*`` functions, so that a page, the API and an export can never disagree. Views, the
navigation and the home page ask the named predicates (``can_see_people``, ``has_gate_duty``,
``can_see_alerts``, ``is_city_admin``, …) and never read a ``Scope``'s fields or compare roles;
templates get the answers as booleans from the view.

| role | sees units/sites | changes units/sites | sees people | health data (unmasked IDs) |
|---|---|---|---|---|
| city administrator | all | all | all | yes |
| county officer | in the county | in the county | at the county's sites | yes |
| department officer, permit reviewer | in the department's region | — | — | no |
| site manager | the site and its unit | the site | at the site | yes |
| gatekeeper | the site and its unit | — | at the site | no |
| enterprise clerk | the unit and its sites | the unit and its sites | at the unit's sites | no |

Permits: whoever sees a unit sees its class, registration and permits; the unit's enterprise
clerk (and the city administrator) declares its facts, files its registration, applies and
reports; permit reviewers act on units in their department's region (all units for a city
department), the city administrator everywhere.

Departments are a directory every signed-in user may read; only the city administrator
changes them.

Accounts (users and their role assignments, at /accounts/users/): the city administrator manages
everyone; a county officer manages the site managers and gatekeepers of the county's sites and gives
or ends only those two roles, only at the county's sites (``can_manage_accounts``,
``account_users_q``, ``can_assign_role``). Only active assignments grant anything: an ended one is
history (``get_scope`` reads ``RoleAssignment.objects.active()``).
"""

from dataclasses import dataclass, field, fields

from django.db.models import Q

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.registry.models import Region

NOTHING = Q(pk__in=[])


@dataclass
class Scope:
    """What one user's role assignments add up to."""

    is_city: bool = False
    roles: set[str] = field(default_factory=set)
    counties: set[int] = field(default_factory=set)  # county officer
    region_reads: set[int] = field(default_factory=set)  # department officer / reviewer, county-level
    city_reads: bool = False  # department officer / reviewer of a city department
    managed_sites: set[int] = field(default_factory=set)
    gate_sites: set[int] = field(default_factory=set)
    site_units: set[int] = field(default_factory=set)  # units of managed and gate sites
    clerk_units: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)  # department officer (not permit reviewer)
    head_departments: set[int] = field(default_factory=set)
    is_head: bool = False  # head of a department or a team, in any assignment
    review_regions: set[int] = field(default_factory=set)  # permit reviewer, county-level
    review_city: bool = False  # permit reviewer of a city department
    # scope_key's value, made at its first call (a scope is not changed once kept on its user)
    key: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def any_role(self) -> bool:
        return bool(self.roles) or self.is_city


# What a scope is built from: one row per active role assignment, these values in this order. Read
# by get_scope, and by the API token's statement with the token itself (zhengtong.accounts.api).
ASSIGNMENT_VALUES = ("role", "is_head", "region_id", "department_id", "site_id", "unit_id", "department__region_id",
                     "department__region__level", "site__unit_id")


def get_scope(user) -> Scope:
    """The user's scope, computed once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_zt_scope", None)
    if cached is not None:
        return cached
    # Only active assignments grant anything: an ended one stays as history (accounts.services).
    return keep_scope(user, RoleAssignment.objects.active().filter(user=user).values_list(*ASSIGNMENT_VALUES))


def keep_scope(user, assignments) -> Scope:
    """The scope of an active ``user`` whose active assignments are ``assignments`` (rows of
    ``ASSIGNMENT_VALUES``), kept on the user object for the rest of the request."""
    scope = Scope(is_city=user.is_superuser)
    for role, is_head, region_id, department_id, site_id, unit_id, department_region_id, department_level, \
            site_unit_id in assignments:
        scope.roles.add(role)
        scope.is_head |= bool(is_head)
        if role == Role.CITY_ADMIN:
            scope.is_city = True
        elif role == Role.COUNTY_OFFICER:
            scope.counties.add(region_id)
        elif role in (Role.DEPARTMENT_OFFICER, Role.PERMIT_REVIEWER):
            county_level = department_level in Region.COUNTY_LEVELS
            if county_level:
                scope.region_reads.add(department_region_id)
            else:
                scope.city_reads = True
            if is_head:
                scope.head_departments.add(department_id)
            if role == Role.DEPARTMENT_OFFICER:
                scope.departments.add(department_id)
            if role == Role.PERMIT_REVIEWER:
                if county_level:
                    scope.review_regions.add(department_region_id)
                else:
                    scope.review_city = True
        elif role == Role.SITE_MANAGER:
            scope.managed_sites.add(site_id)
            scope.site_units.add(site_unit_id)
        elif role == Role.GATEKEEPER:
            scope.gate_sites.add(site_id)
            scope.site_units.add(site_unit_id)
        elif role == Role.ENTERPRISE_CLERK:
            scope.clerk_units.add(unit_id)
    user._zt_scope = scope
    return scope


def scope_key(user) -> tuple:
    """The user's scope as a value that can key a cache: the ``*_q`` filters of two scopes with equal
    keys are the same (those that name the user themselves differ by the user too). Made once per
    scope: a request that keys several statements by it (a trace: its case and the people it names)
    pays for it once."""
    s = get_scope(user)
    if s.key is None:
        s.key = tuple(frozenset(v) if isinstance(v, set) else v for v in (getattr(s, name) for name in _KEYED))
    return s.key


_KEYED = tuple(f.name for f in fields(Scope) if f.compare)  # what scope_key reads: every field but the key


def has_role(user, *roles: str) -> bool:
    scope = get_scope(user)
    return scope.is_city or bool(scope.roles.intersection(roles))


def has_any_role(user) -> bool:
    """The user holds a role (a superuser counts as the city administrator); without one the
    home page asks them to get one and every list is empty."""
    return get_scope(user).any_role


def is_city_admin(user) -> bool:
    """The city administrator (or a superuser): the whole city and the Django admin."""
    return get_scope(user).is_city


# Units ---------------------------------------------------------------------------------


def units_q(user) -> Q:
    s = get_scope(user)
    if s.is_city or s.city_reads:
        return Q()
    q = NOTHING
    if s.counties or s.region_reads:
        q |= Q(county_id__in=s.counties | s.region_reads)
    if s.site_units or s.clerk_units:
        q |= Q(pk__in=s.site_units | s.clerk_units)
    return q


def units_editable_q(user) -> Q:
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(county_id__in=s.counties)
    if s.clerk_units:
        q |= Q(pk__in=s.clerk_units)
    return q


def can_change_units(user) -> bool:
    """Some units are the user's to keep complete: the city's, a county officer's county, an
    enterprise clerk's own unit (the units ``units_editable_q`` lets through)."""
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.clerk_units)


def own_unit_ids(user) -> set[int]:
    """The units the user declares for as their enterprise clerk."""
    return set(get_scope(user).clerk_units)


def can_create_unit(user, county_id: int | None = None) -> bool:
    s = get_scope(user)
    return s.is_city or (bool(s.counties) and (county_id is None or county_id in s.counties))


# Sites ---------------------------------------------------------------------------------


def sites_q(user) -> Q:
    s = get_scope(user)
    if s.is_city or s.city_reads:
        return Q()
    q = NOTHING
    if s.counties or s.region_reads:
        q |= Q(county_id__in=s.counties | s.region_reads)
    if s.managed_sites or s.gate_sites:
        q |= Q(pk__in=s.managed_sites | s.gate_sites)
    if s.clerk_units:
        q |= Q(unit_id__in=s.clerk_units)
    return q


def sites_editable_q(user) -> Q:
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(county_id__in=s.counties)
    if s.managed_sites:
        q |= Q(pk__in=s.managed_sites)
    if s.clerk_units:
        q |= Q(unit_id__in=s.clerk_units)
    return q


def can_create_site(user, unit) -> bool:
    s = get_scope(user)
    return s.is_city or unit.county_id in s.counties or unit.pk in s.clerk_units


def can_place_site(user, unit, county_id: int) -> bool:
    """A new site may lie in this county: anywhere for the city administrator, in their own county
    for a county officer, in the unit's county for its enterprise clerk. A site elsewhere would
    hand its people and health data to another county's officers, so that is the city's to do."""
    s = get_scope(user)
    if s.is_city:
        return True
    if unit.pk in s.clerk_units and (county_id == unit.county_id or not unit.county.is_county_level):
        return True  # a unit the city regulates directly has its sites in any county
    return county_id in s.counties


def chooses_site_county(user) -> bool:
    """A new site's county is the user's to choose (among those ``can_place_site`` allows): the city
    administrator and county officers; an enterprise clerk's new sites lie in the unit's county."""
    s = get_scope(user)
    return s.is_city or bool(s.counties)


def can_move_sites(user) -> bool:
    """Moving a site to another county (or unit) moves its people, health pages and alerts to other
    officers: the city administrator only."""
    return get_scope(user).is_city


# People --------------------------------------------------------------------------------


def _membership_sites_q(s: Scope, prefix: str) -> Q:
    q = NOTHING
    if s.counties:
        q |= Q(**{f"{prefix}county_id__in": s.counties})
    sites = s.managed_sites | s.gate_sites
    if sites:
        q |= Q(**{f"{prefix}pk__in": sites})
    if s.clerk_units:
        q |= Q(**{f"{prefix}unit_id__in": s.clerk_units})
    return q


def people_sites_q(user) -> Q:
    """Sites whose people the user may see, register and change: a filter on Site."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    return _membership_sites_q(s, "")


def people_relations_q(user) -> Q:
    """Relations to the sites whose people the user sees: a filter on SitePerson (through a join to
    the site, so that a look-up by person uses the person's own few relations)."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    return _membership_sites_q(s, "site__")


def people_q(user) -> Q:
    """People related to a site whose people the user sees: a filter on Person. A semi-join (``pk IN
    (the relations' person ids)``), not a join through the relations, so that a person related to
    several such sites is one row and no list needs DISTINCT."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    from zhengtong.registry.models import SitePerson

    return Q(pk__in=SitePerson.objects.filter(_membership_sites_q(s, "site__")).values("person_id"))


def can_see_people(user) -> bool:
    """The people of some sites: the city administrator, county officers, site managers,
    gatekeepers and enterprise clerks (the sites ``people_sites_q`` lets through)."""
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.managed_sites or s.gate_sites or s.clerk_units)


def can_change_identity(user, site_ids: set[int]) -> bool:
    """A person is one identity across the city: their name and phone are changed by the city
    administrator, or by a user who sees the person at every site they are related to
    (``site_ids``). Everyone else sees and changes their own site's relation only."""
    s = get_scope(user)
    if s.is_city:
        return True
    if not site_ids:
        return False
    from zhengtong.registry.models import Site

    return Site.objects.filter(_membership_sites_q(s, ""), pk__in=site_ids).count() == len(site_ids)


def can_resolve_identities(user) -> bool:
    """Registrations held because the name did not match the ID number's identity are the city
    administrator's to resolve."""
    return get_scope(user).is_city


def can_see_health_data(user, site_ids: set[int] | None = None) -> bool:
    """Health data (temperatures, cases, unmasked ID numbers) is for the city administrator, county
    officers in their county and site managers at their site (DESIGN.md, roles and scopes)."""
    s = get_scope(user)
    if s.is_city:
        return True
    if site_ids is None:
        return bool(s.counties or s.managed_sites)
    from zhengtong.registry.models import Site

    if not site_ids:
        return False
    if site_ids & s.managed_sites:
        return True
    return bool(s.counties) and Site.objects.filter(pk__in=site_ids, county_id__in=s.counties).exists()


def health_sites_q(user) -> Q:
    """Sites whose health data (health checks, alerts, temperatures) the user may see: what
    ``can_see_health_data`` answers, as a filter on Site."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(county_id__in=s.counties)
    if s.managed_sites:
        q |= Q(pk__in=s.managed_sites)
    return q


# Departments ---------------------------------------------------------------------------


def departments_q(user) -> Q:
    return Q() if get_scope(user).any_role else NOTHING


def can_change_departments(user) -> bool:
    return get_scope(user).is_city


def can_import_units(user) -> bool:
    s = get_scope(user)
    return s.is_city or bool(s.counties)


# Screening at sites --------------------------------------------------------------------


def can_screen_at(user, site) -> bool:
    """Record entries, exits and visitors at the site's gate."""
    s = get_scope(user)
    return s.is_city or site.pk in (s.managed_sites | s.gate_sites) or site.county_id in s.counties


def can_manage_site(user, site) -> bool:
    """Set closed management and areas, take health checks, log disinfection."""
    s = get_scope(user)
    return s.is_city or site.pk in s.managed_sites or site.county_id in s.counties


def can_release_inmates(user, site) -> bool:
    """Record an inmate's release date and their release (the end of their relation to the site): the
    site's managers, the county's officers, the city administrator, as ``can_manage_site``. A
    gatekeeper or an enterprise clerk registers people but does not release them."""
    return can_manage_site(user, site)


def can_plan_rotations(user, site) -> bool:
    """Plan, change and end the site's closed-duty rotations of staff (part of closed management), as
    ``can_manage_site``: never a gatekeeper."""
    return can_manage_site(user, site)


def can_see_screening(user) -> bool:
    """Screening figures of some sites: the city administrator, county officers, site managers
    and gatekeepers (the sites ``screening_sites_q`` lets through)."""
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.managed_sites or s.gate_sites)


def can_oversee_screening(user) -> bool:
    """Screening across a whole region, every site of it, not only one's own: the city
    administrator and county officers."""
    s = get_scope(user)
    return s.is_city or bool(s.counties)


def has_gate_duty(user) -> bool:
    """Screening at a gate is part of the user's daily work: the city administrator, site managers
    and gatekeepers. (A county officer may also screen at the county's gates, ``can_screen_at``,
    but reaches them through the sites' pages rather than the menu.)"""
    s = get_scope(user)
    return s.is_city or bool(s.managed_sites or s.gate_sites)


def can_see_alerts(user) -> bool:
    """Alerts tell of fevers and cases, which are health data: they go to the roles with health
    duties (``can_see_health_data``) and only those have an alert list."""
    return can_see_health_data(user)


def screening_sites_q(user) -> Q:
    """Sites whose screening figures (entries, refusals, checks) the user may see."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(county_id__in=s.counties)
    if s.managed_sites or s.gate_sites:
        q |= Q(pk__in=s.managed_sites | s.gate_sites)
    return q


# Permits -------------------------------------------------------------------------------


def permit_review_units_q(user) -> Q:
    """Units whose applications, permits and cases the user may act on as a reviewer."""
    s = get_scope(user)
    if s.is_city or s.review_city:
        return Q()
    if s.review_regions:
        return Q(county_id__in=s.review_regions)
    return NOTHING


def can_see_permit_overview(user) -> bool:
    """The classes, applications and permit statistics of a region's units at once: the city
    administrator, county officers, and the department officers and permit reviewers of the
    department's region. (An enterprise clerk sees the permits of their own unit instead.)"""
    s = get_scope(user)
    return s.is_city or s.city_reads or bool(s.counties or s.region_reads)


def can_review_permits(user, unit=None) -> bool:
    s = get_scope(user)
    if s.is_city or s.review_city:
        return True
    if unit is None:
        return bool(s.review_regions)
    return unit.county_id in s.review_regions


def can_review_permits_citywide(user) -> bool:
    s = get_scope(user)
    return s.is_city or s.review_city


def permit_work_units_q(user) -> Q:
    """Units whose applications, documents, reports and cases the user may read: the unit's own
    clerk, the permit reviewers of its region, its county officer and the city administrator. (A
    unit's class, registration and permits are for everyone who sees the unit; they are public.)"""
    s = get_scope(user)
    if s.is_city or s.review_city:
        return Q()
    q = NOTHING
    if s.counties or s.review_regions:
        q |= Q(county_id__in=s.counties | s.review_regions)
    if s.clerk_units:
        q |= Q(pk__in=s.clerk_units)
    return q


def can_declare_for_unit(user, unit) -> bool:
    """Facts, registrations, applications and reports are the unit's own declarations."""
    s = get_scope(user)
    return s.is_city or unit.pk in s.clerk_units


# Outbreak: cases -----------------------------------------------------------------------


def cases_q(user, prefix: str = "") -> Q:
    """Cases a user sees (health data): the city administrator all; a county officer those of the
    county; a site manager those found at the site."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(**{f"{prefix}county_id__in": s.counties})
    if s.managed_sites:
        q |= Q(**{f"{prefix}site_id__in": s.managed_sites})
    return q


def can_see_cases(user) -> bool:
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.managed_sites)


def can_report_case(user, *, site=None, county_id: int | None = None) -> bool:
    """Report a suspected case: a site manager for a person found at the site, a county officer in
    the county (at one of its sites or not), the city administrator anywhere."""
    s = get_scope(user)
    if s.is_city:
        return True
    if site is not None:
        return site.pk in s.managed_sites or site.county_id in s.counties
    return county_id is not None and county_id in s.counties


def can_decide_cases(user, county_id: int | None = None) -> bool:
    """Confirm, exclude, mark recovered or died, correct: a county officer of the case's county,
    or the city administrator."""
    s = get_scope(user)
    if s.is_city:
        return True
    return bool(s.counties) if county_id is None else county_id in s.counties


# Outbreak: isolation orders ------------------------------------------------------------


def isolation_q(user) -> Q:
    """Isolation orders a user sees: as cases (``cases_q``), by the order's county and its site."""
    return cases_q(user)


def can_order_isolation(user, *, county_id: int, site=None) -> bool:
    """Order isolation: a county officer in the county, the city administrator, or a site manager for
    an isolation kept at their site."""
    s = get_scope(user)
    return s.is_city or county_id in s.counties or (site is not None and site.pk in s.managed_sites)


def can_release_isolation(user, county_id: int) -> bool:
    """Release or extend an order, or ask for its early release: a county officer of the order's
    county, or the city administrator."""
    s = get_scope(user)
    return s.is_city or county_id in s.counties


def can_approve_early_release(user) -> bool:
    """The second approval of an early release: a head (of a department or a team) or the city
    administrator."""
    s = get_scope(user)
    return s.is_city or s.is_head


def can_check_isolation(user, *, county_id: int, site=None) -> bool:
    """Record the daily check of a person in isolation."""
    return can_order_isolation(user, county_id=county_id, site=site)


# Resumption: declarations and difficulties ---------------------------------------------
#
# A unit's resumption (its declarations and stages) is the unit's own declaration: its enterprise
# clerk declares, the lead department answers, the county officer oversees the county, the city
# administrator everything. A difficulty is seen by the unit's clerk, the department it is routed
# to, the unit's county officer and the city administrator.


def resumption_units_q(user, prefix: str = "") -> Q:
    """Units whose declarations, stages and timeline the user sees (a filter on Unit, or through
    ``prefix`` on a record with a unit): the city administrator all, a county officer the county's,
    an enterprise clerk their own. The lead department's officers see the declarations filed with
    them (``declarations_q``)."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(**{f"{prefix}county_id__in": s.counties})
    if s.clerk_units:
        q |= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": s.clerk_units})
    return q


def declarations_q(user) -> Q:
    """Declarations the user sees: those of the units above, and those filed with the user's
    department as the lead department."""
    q = resumption_units_q(user, "unit__")
    s = get_scope(user)
    if s.departments:
        q |= Q(lead_department_id__in=s.departments)
    return q


def can_see_resumption(user) -> bool:
    """Some unit's resumption or some department's work in it: the city administrator, county
    officers, enterprise clerks and department officers."""
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.clerk_units or s.departments)


def can_oversee_resumption(user) -> bool:
    """The rates, who has not declared and who is behind plan, across a region: the city
    administrator and county officers."""
    s = get_scope(user)
    return s.is_city or bool(s.counties)


def can_declare_resumption(user, unit) -> bool:
    """Declare a unit's resumption, report its stages, correct them: its enterprise clerk (and the
    city administrator)."""
    s = get_scope(user)
    return s.is_city or unit.pk in s.clerk_units


def can_answer_declaration(user, department_id: int | None) -> bool:
    """Answer a declaration: an officer of its lead department, or the city administrator."""
    s = get_scope(user)
    return s.is_city or (department_id is not None and department_id in s.departments)


def can_edit_expected_units(user) -> bool:
    """The list of units expected to declare (the rates' denominator) is the city's."""
    return get_scope(user).is_city


def difficulties_q(user) -> Q:
    """Difficulties a user sees: the unit's clerk, the department it is routed to, the unit's county
    officer and the city administrator."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(unit__county_id__in=s.counties)
    if s.departments:
        q |= Q(department_id__in=s.departments)
    if s.clerk_units:
        q |= Q(unit_id__in=s.clerk_units)
    return q


def difficulty_inbox_q(user) -> Q:
    """The difficulties a user's inbox holds as theirs to act on (a filter on Difficulty, with the
    open states the selector adds): those routed to the user's departments. The city administrator's
    inbox holds only what was escalated to them (resumption.selectors.department_inbox)."""
    s = get_scope(user)
    return Q(department_id__in=s.departments) if s.departments else NOTHING


def has_difficulty_inbox(user) -> bool:
    """An inbox of difficulties: department officers, and the city administrator (what is escalated
    to them)."""
    s = get_scope(user)
    return s.is_city or bool(s.departments)


def home_is_difficulty_inbox(user) -> bool:
    """The home page opens with the difficulty inbox: a department officer's (not the city's, whose home
    is the city's figures)."""
    s = get_scope(user)
    return bool(s.departments) and not s.is_city


def can_report_difficulty(user, unit) -> bool:
    """Report a difficulty of a unit: its enterprise clerk (and the city administrator)."""
    return can_declare_resumption(user, unit)


def can_handle_difficulty(user, department_id: int | None) -> bool:
    """Accept, reply to and resolve a difficulty: an officer of the department it is routed to, or
    the city administrator."""
    return can_answer_declaration(user, department_id)


def can_reassign_difficulty(user, county_id: int) -> bool:
    """Send a difficulty to another department: a county officer of the unit's county, or the city
    administrator."""
    s = get_scope(user)
    return s.is_city or county_id in s.counties


def can_confirm_difficulty(user, unit_id: int) -> bool:
    """Confirm a resolution, reopen it and rate it: the unit's enterprise clerk (or the city
    administrator)."""
    s = get_scope(user)
    return s.is_city or unit_id in s.clerk_units


# Resumption: leaders' visits and instructions ----------------------------------------------
#
# The city administrator records a visit to any units, a county officer to the county's units; each
# instruction goes to a department, whose officers accept it, reply and report it done; whoever
# follows the visit (its recorder, a county officer of a unit visited, the city administrator)
# confirms it done or reopens it. A visit is seen by those who follow it and by the departments
# given one of its instructions; an instruction by those who follow its visit and its department.


def can_record_visits(user) -> bool:
    """Record a leader's visit and its instructions: the city administrator and county officers."""
    s = get_scope(user)
    return s.is_city or bool(s.counties)


def visit_units_q(user) -> Q:
    """Units a user may record as visited (a filter on Unit): every unit for the city administrator,
    the county's for a county officer."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    return Q(county_id__in=s.counties) if s.counties else NOTHING


def can_see_visits(user) -> bool:
    s = get_scope(user)
    return s.is_city or bool(s.counties or s.departments)


def visits_q(user, prefix: str = "") -> Q:
    """Visits a user sees (a filter on InspectionVisit, or through ``prefix`` on an instruction):
    the city administrator all; a county officer those to a unit of the county and those they
    recorded; a department officer those with an instruction to the department. The filter joins
    the units and the instructions: read it through ``pk__in`` (the selectors do), not as rows."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(**{f"{prefix}units__county_id__in": s.counties}) | Q(**{f"{prefix}recorded_by_id": user.pk})
    if s.departments:
        q |= Q(**{f"{prefix}instructions__department_id__in": s.departments})
    return q


def instructions_q(user) -> Q:
    """Instructions a user sees (a filter on Instruction, read through ``pk__in``): the city
    administrator all; a county officer those of the visits they follow; a department officer its
    department's."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    q = NOTHING
    if s.counties:
        q |= Q(visit__units__county_id__in=s.counties) | Q(visit__recorded_by_id=user.pk)
    if s.departments:
        q |= Q(department_id__in=s.departments)
    return q


def can_handle_instruction(user, department_id: int) -> bool:
    """Accept an instruction, reply and report it done: an officer of its department, or the city
    administrator."""
    s = get_scope(user)
    return s.is_city or department_id in s.departments


def can_follow_instruction(user, *, recorder_id: int | None, county_ids: set[int]) -> bool:
    """Confirm an instruction done or reopen it: the visit's recorder, a county officer of a unit
    visited (``county_ids``), or the city administrator."""
    s = get_scope(user)
    return s.is_city or (recorder_id is not None and recorder_id == user.pk and bool(s.counties)) \
        or bool(s.counties & county_ids)


# Resumption: the donation drive -------------------------------------------------------


def donation_campaigns_q(user, prefix: str = "") -> Q:
    """Donation campaigns a user sees and records donations to: the city administrator all; the
    officers of the organising department theirs."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    departments = s.departments | s.head_departments
    return Q(**{f"{prefix}organiser_id__in": departments}) if departments else NOTHING


def can_see_donations(user) -> bool:
    s = get_scope(user)
    return s.is_city or bool(s.departments or s.head_departments)


def can_run_donations(user, organiser_id: int) -> bool:
    """Start a campaign, record and correct its donations: the organising department's officers, or
    the city administrator."""
    s = get_scope(user)
    return s.is_city or organiser_id in (s.departments | s.head_departments)


# Accounts ------------------------------------------------------------------------------

SITE_ROLES = (Role.SITE_MANAGER, Role.GATEKEEPER)


def can_manage_accounts(user) -> bool:
    """Users and their role assignments, without the Django admin: the city administrator for every
    user, a county officer for the site managers and gatekeepers of the county's sites
    (``account_users_q``)."""
    s = get_scope(user)
    return s.is_city or bool(s.counties)


def assignable_roles(user) -> list[str]:
    """The roles the user may give: every role for the city administrator; site manager and
    gatekeeper for a county officer; none for anyone else."""
    s = get_scope(user)
    if s.is_city:
        return list(Role.values)
    return [str(r) for r in SITE_ROLES] if s.counties else []


def account_sites_q(user) -> Q:
    """Sites at which the user may give the site roles: a filter on Site."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    return Q(county_id__in=s.counties) if s.counties else NOTHING


def account_users_q(user) -> Q:
    """Users whose accounts the user manages: a filter on User. The city administrator: everyone. A
    county officer: a user who has (or had) the site manager's or gatekeeper's role at a site of the
    county and holds no active assignment besides those, and is no superuser or staff member; a user
    who also holds another role, or one at another county's site, is the city's to manage."""
    s = get_scope(user)
    if s.is_city:
        return Q()
    if not s.counties:
        return NOTHING
    inside = Q(role__in=SITE_ROLES, site__county_id__in=s.counties)
    ours = RoleAssignment.objects.filter(inside).values("user_id")
    elsewhere = RoleAssignment.objects.active().exclude(inside).values("user_id")
    return Q(pk__in=ours, is_superuser=False, is_staff=False) & ~Q(pk__in=elsewhere)


def can_assign_role(user, role: str, site=None) -> bool:
    """The user may give (or end) ``role``, at ``site`` for the site roles: the city administrator
    any role anywhere; a county officer the site roles at the county's sites only."""
    s = get_scope(user)
    if s.is_city:
        return True
    return role in SITE_ROLES and site is not None and site.county_id in s.counties


def can_end_assignment(user, assignment) -> bool:
    """The user may end this active assignment: one of a role they may give (``can_assign_role``), but
    never their own city administrator's assignment (the city would be left without one)."""
    if assignment.ended_at is not None:
        return False
    if assignment.user_id == getattr(user, "pk", None) and assignment.role == Role.CITY_ADMIN:
        return False
    return can_assign_role(user, assignment.role, assignment.site)
