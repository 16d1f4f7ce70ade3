"""The registry over REST: regions, industries, units, sites, people and departments.

Thin by design: parse the request, call a selector (every read, scoped to the caller) or a
service (every write: it validates, checks the caller's scope and raises DomainError or
PermissionDenied), and shape the answer. The API's exception handlers (zhengtong.api.api)
turn those errors into ``{"detail": ..., "errors": [{"field": ..., "message": ...}]}``.

Codes (USCC, region, industry, kind, status…) are accepted as plain strings and checked by the
services, so that the client sees the same message, naming the field, as a user of the pages.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhengtong.core.access import Kind, Subject, record_view
from zhengtong.core.errors import DomainError
from zhengtong.core.schemas import Filters, Id, In, Name, Pagination, Patch, Text
from zhengtong.registry import selectors, services
from zhengtong.registry.models import Industry, Person, Site, Unit

router = Router()


# Reference data --------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: str


class IndustryOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None

    @staticmethod
    def resolve_parent(obj: Industry) -> str | None:
        return obj.parent.code if obj.parent_id else None


class IndustryFilters(Filters):
    q: Text | None = Field(None, description="code prefix or words of the name")
    level: Industry.Level | None = Field(None, description="section, division, group or class")


@router.get("/regions", response=list[RegionOut], tags=["reference"], summary="Counties and districts of the city")
def list_regions(request):
    return selectors.county_choices()


@router.get("/industries", response=list[IndustryOut], tags=["reference"], summary="GB/T 4754-2017 industries")
@paginate(Pagination)
def list_industries(request, filters: Query[IndustryFilters]):
    return selectors.industry_list(q=filters.q or "", level=filters.level)


# Units -----------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    uscc: str
    name: str
    kind: str
    county: str = Field(description="GB/T 2260 code")
    county_name: str
    industry: str = Field(description="GB/T 4754-2017 class, 4 digits")
    industry_name: str
    other_industries: list[str]
    address: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_county(obj: Unit) -> str:
        return obj.county.code

    @staticmethod
    def resolve_county_name(obj: Unit) -> str:
        return obj.county.name

    @staticmethod
    def resolve_industry(obj: Unit) -> str:
        return obj.industry.code

    @staticmethod
    def resolve_industry_name(obj: Unit) -> str:
        return obj.industry.name

    @staticmethod
    def resolve_other_industries(obj: Unit) -> list[str]:
        return [i.code for i in obj.other_industries.all()]


class UnitFilters(Filters):
    q: Text | None = Field(None, description="words of the name or address, or the start of the USCC")
    county: Text | None = Field(None, description="GB/T 2260 code")
    industry: Text | None = Field(None, description="section letter, or a 2-, 3- or 4-digit code prefix")
    kind: Text | None = None
    status: Text | None = None


class UnitIn(In):
    uscc: Name = Field(description="unified social credit code, 18 characters")
    name: Name
    kind: Text | None = Field(None, description="enterprise (default), public_institution, government_body, "
                                                "social_organisation")
    county: Name = Field(description="GB/T 2260 code of a county-level division")
    industry: Name = Field(description="GB/T 4754-2017 class, 4 digits")
    other_industries: list[Text] = Field(default_factory=list)
    address: Text = ""
    legal_representative: Text = ""
    contact_name: Text = ""
    contact_phone: Text = ""
    status: Text | None = Field(None, description="active (default), suspended, closed")


class UnitPatch(Patch):
    uscc: Name = None
    name: Name = None
    kind: Name = None
    county: Name = None
    industry: Name = None
    other_industries: list[Text] = None
    address: Text = None
    legal_representative: Text = None
    contact_name: Text = None
    contact_phone: Text = None
    status: Name = None


class FieldChangeOut(Schema):
    field: str
    old: str
    new: str


class ChangeOut(Schema):
    when: datetime
    who: str
    type: str = Field(description="created, changed or deleted")
    changes: list[FieldChangeOut]


CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _history(obj) -> list[dict[str, Any]]:
    return [
        {
            "when": c.when, "who": c.who, "type": CHANGE_TYPES.get(c.kind, c.kind),
            "changes": [{"field": f, "old": old, "new": new} for f, old, new in c.fields],
        }
        for c in selectors.history_of(obj)
    ]


@router.get("/units", response=list[UnitOut], tags=["units"], summary="Units the caller may see")
@paginate(Pagination)
def list_units(request, filters: Query[UnitFilters]):
    return selectors.unit_list(user=request.auth, filters=filters.dict()).prefetch_related("other_industries")


@router.get("/units/{unit_id}", response=UnitOut, tags=["units"])
def get_unit(request, unit_id: Id):
    return selectors.unit_get(user=request.auth, pk=unit_id)


@router.post("/units", response={201: UnitOut}, tags=["units"], summary="Register a unit")
def create_unit(request, payload: UnitIn):
    return Status(201, services.unit_create(user=request.auth, data=payload.dict()))


@router.patch("/units/{unit_id}", response=UnitOut, tags=["units"], summary="Change some of a unit's fields")
def update_unit(request, unit_id: Id, payload: UnitPatch):
    unit = selectors.unit_get(user=request.auth, pk=unit_id)
    return services.unit_update(user=request.auth, unit=unit, data=payload.dict(exclude_unset=True))


@router.get("/units/{unit_id}/history", response=list[ChangeOut], tags=["units"], summary="Audit trail, newest first")
def unit_history(request, unit_id: Id):
    return _history(selectors.unit_get(user=request.auth, pk=unit_id))


# Sites -----------------------------------------------------------------------------------


class SiteOut(Schema):
    id: int
    unit: int
    unit_name: str
    name: str
    kind: str
    county: str
    county_name: str
    address: str
    capacity: int | None
    is_active: bool
    visitors_without_id: bool = Field(description="visitors without an ID card may be registered at the gate by "
                                                  "name and phone (each an unverified person)")
    created_at: datetime

    @staticmethod
    def resolve_unit(obj: Site) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_name(obj: Site) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_county(obj: Site) -> str:
        return obj.county.code

    @staticmethod
    def resolve_county_name(obj: Site) -> str:
        return obj.county.name


class SiteFilters(Filters):
    q: Text | None = Field(None, description="words of the site's or its unit's name, or the address")
    county: Text | None = None
    kind: Text | None = None
    unit: Id | None = Field(None, description="unit id")


# A capacity is a head count: bounded so that a mistyped number is a 422, not a database overflow.
Capacity = Annotated[int, Field(ge=0, le=2_147_483_647)]


class SiteIn(In):
    unit: Id = Field(description="id of the unit the site belongs to")
    name: Name
    kind: Name = Field(description="prison, welfare_home, workshop, construction_site, factory, office, school, "
                                   "hospital, other")
    county: Name = Field(description="GB/T 2260 code of a county-level division")
    address: Text = ""
    capacity: Capacity | None = None
    is_active: bool = True
    visitors_without_id: bool = False


class SitePatch(Patch):
    name: Name = None
    kind: Name = None
    county: Name = Field(None, description="GB/T 2260 code; moving a site to another county is the city "
                                                  "administrator's only (400 on `county` otherwise)")
    address: Text = None
    capacity: Capacity | None = Field(None, description="null: not known")
    is_active: bool = None
    visitors_without_id: bool = None


def _unit_for_site(user, unit_id: int) -> Unit:
    """The unit named in a site's body; a unit the caller cannot see is reported like a missing one."""
    try:
        return selectors.unit_get(user=user, pk=unit_id)
    except Http404:
        raise DomainError(_("No unit with this id."), field="unit") from None


@router.get("/sites", response=list[SiteOut], tags=["sites"], summary="Sites the caller may see")
@paginate(Pagination)
def list_sites(request, filters: Query[SiteFilters]):
    data = filters.dict(exclude={"unit"})
    qs = selectors.site_list(user=request.auth, filters=data)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)  # narrows the scoped list; an unseen unit gives nothing
    return qs


@router.get("/sites/{site_id}", response=SiteOut, tags=["sites"])
def get_site(request, site_id: Id):
    return selectors.site_get(user=request.auth, pk=site_id)


@router.post("/sites", response={201: SiteOut}, tags=["sites"], summary="Add a site to a unit")
def create_site(request, payload: SiteIn):
    unit = _unit_for_site(request.auth, payload.unit)
    site = services.site_create(user=request.auth, unit=unit, data=payload.dict(exclude={"unit"}))
    return Status(201, site)


@router.patch("/sites/{site_id}", response=SiteOut, tags=["sites"], summary="Change some of a site's fields")
def update_site(request, site_id: Id, payload: SitePatch):
    site = selectors.site_get(user=request.auth, pk=site_id)
    return services.site_update(user=request.auth, site=site, data=payload.dict(exclude_unset=True))


# People ----------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    phone: str
    unverified: bool = Field(description="registered without an ID number (a visitor without their ID card)")
    created_at: datetime
    is_former: bool = Field(False, description="their relations (to the site filtered on) have all ended")
    left_on: date | None = Field(None, description="the day the latest of those relations ended")


class MembershipOut(Schema):
    site: int
    site_name: str
    unit: int
    unit_name: str
    relation: str
    since: date | None
    until: date | None

    @staticmethod
    def resolve_site(obj) -> int:
        return obj.site_id

    @staticmethod
    def resolve_site_name(obj) -> str:
        return obj.site.name

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.site.unit_id

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.site.unit.name


class PersonDetailOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="whole for callers with health duties at one of the person's sites, "
                                       "masked (430422********1234) for everyone else")
    phone: str
    created_at: datetime
    memberships: list[MembershipOut]


class PersonFilters(Filters):
    q: Text | None = Field(None, description="words of the name, the start of the phone, or a whole ID number")
    site: Id | None = Field(None, description="site id")
    relation: Text | None = None
    former: Literal["all", "only"] | None = Field(
        None, description="people whose relation (to the site, or to every site the caller sees) has ended: "
                          "left out by default; all: with them; only: them alone")


class PersonIn(In):
    site: Id = Field(description="id of the site the person is registered at")
    name: Name
    id_number: Name = Field(description="resident ID number, 18 characters")
    phone: Text = ""
    relation: Name = Field(description="inmate, resident, staff, worker, visitor")
    since: date | None = None
    until: date | None = None


class PersonPatch(Patch):
    name: Name = None
    phone: Text = None


def _person_detail(request, person: Person) -> dict[str, Any]:
    """A person as the caller may see them; an ID number answered whole is an access record (issue 15)."""
    user = request.auth
    id_number = selectors.person_id_number(user=user, person=person)
    if id_number != person.id_number_masked:
        record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(person))
    return {
        "id": person.pk, "name": person.name, "phone": person.phone, "created_at": person.created_at,
        "id_number": id_number, "memberships": list(selectors.person_memberships(user=user, person=person)),
    }


@router.get("/people", response=list[PersonOut], tags=["people"], summary="People at the sites the caller may see")
@paginate(Pagination)
def list_people(request, filters: Query[PersonFilters]):
    return selectors.person_list(user=request.auth, filters=filters.dict())


@router.get("/people/{person_id}", response=PersonDetailOut, tags=["people"])
def get_person(request, person_id: Id):
    return _person_detail(request, selectors.person_get(user=request.auth, pk=person_id))


@router.post("/people", response={201: PersonDetailOut}, tags=["people"],
             summary="Register a person at a site (or add the site to a person already known)")
def register_person(request, payload: PersonIn):
    try:
        site = selectors.site_get(user=request.auth, pk=payload.site)
    except Http404:
        raise DomainError(_("No site with this id."), field="site") from None
    person = services.person_register(user=request.auth, site=site, data=payload.dict(exclude={"site"}))
    return Status(201, _person_detail(request, person))


@router.patch("/people/{person_id}", response=PersonDetailOut, tags=["people"], summary="Change a name or phone")
def update_person(request, person_id: Id, payload: PersonPatch):
    person = selectors.person_get(user=request.auth, pk=person_id)
    person = services.person_update(user=request.auth, person=person, data=payload.dict(exclude_unset=True))
    return _person_detail(request, person)


# Departments -----------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region: str
    region_name: str
    parent: str | None
    phone: str
    is_active: bool

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class DepartmentFilters(Filters):
    q: Text | None = None
    kind: Text | None = None
    region: Text | None = None


class DepartmentIn(In):
    code: Name = Field(description="lower-case letters, digits, hyphens and underscores")
    name: Name
    kind: Name = Field(description="city_department, county_government, county_department, party_office")
    region: Name = Field(description="GB/T 2260 code")
    parent: Text | None = Field(None, description="code of the parent department")
    phone: Text = ""
    is_active: bool = True


class DepartmentPatch(Patch):
    code: Name = None
    name: Name = None
    kind: Name = None
    region: Name = None
    parent: Text | None = Field(None, description="null or empty: no parent")
    phone: Text = None
    is_active: bool = None


@router.get("/departments", response=list[DepartmentOut], tags=["departments"])
@paginate(Pagination)
def list_departments(request, filters: Query[DepartmentFilters]):
    return selectors.department_list(user=request.auth, filters=filters.dict()).select_related("parent")


@router.get("/departments/{department_id}", response=DepartmentOut, tags=["departments"])
def get_department(request, department_id: Id):
    return selectors.department_get(user=request.auth, pk=department_id)


@router.post("/departments", response={201: DepartmentOut}, tags=["departments"], summary="City administrator only")
def create_department(request, payload: DepartmentIn):
    return Status(201, services.department_save(user=request.auth, data=payload.dict()))


@router.patch("/departments/{department_id}", response=DepartmentOut, tags=["departments"],
              summary="City administrator only")
def update_department(request, department_id: Id, payload: DepartmentPatch):
    department = selectors.department_get(user=request.auth, pk=department_id)
    return services.department_save(user=request.auth, department=department, data=payload.dict(exclude_unset=True))
