"""The small world most tests start from (the ``world`` fixture of the root conftest)."""

from dataclasses import dataclass

from django.contrib.auth.models import User

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Department, Person, Site, Unit
from zhengtong.tests_support.api import Api
from zhengtong.tests_support.codes import CITY, HENGNAN, HENGYANG_COUNTY, make_id_number
from zhengtong.tests_support.factories import (
    DepartmentFactory,
    PersonFactory,
    SiteFactory,
    UnitFactory,
    UserFactory,
    region,
    token_for,
)


@dataclass
class World:
    """Two counties, each with a unit, a site and a person; a department; one user per role
    scoped to the first county's records (``a``), and the second county's records (``b``) as
    the ones they must not reach (except the city administrator)."""

    unit_a: Unit
    site_a: Site
    person_a: Person
    id_number_a: str  # person_a's, in clear
    unit_b: Unit
    site_b: Site
    person_b: Person
    department: Department
    users: dict[str, User]

    def api(self, role: str, **kw) -> Api:
        """A JSON client of /api/ with a token of the role's user."""
        return Api(token=token_for(self.users[role]), **kw)


def build_world() -> World:
    # .create(): what the factories' call does, with a return type mypy reads
    unit_a = UnitFactory.create(county_code=HENGNAN, name="衡南火电厂")
    site_a = SiteFactory.create(unit=unit_a, name="一号车间")
    id_number_a = make_id_number()
    person_a = PersonFactory.create(site=site_a, id_number=id_number_a, name="张三")
    unit_b = UnitFactory.create(county_code=HENGYANG_COUNTY, name="衡阳县水泥厂")
    site_b = SiteFactory.create(unit=unit_b, name="二号车间")
    person_b = PersonFactory.create(site=site_b, name="李四")
    city = region(CITY)
    department = DepartmentFactory.create(code="fgw", name="市发改委", kind="city_department", region=city)
    county_dept = DepartmentFactory.create(
        code="hengnan-sthj", name="衡南县生态环境分局", kind="county_department", region=unit_a.county
    )
    scopes: dict[str, tuple[str, dict]] = {
        Role.CITY_ADMIN: ("admin", {"region": city}),
        Role.COUNTY_OFFICER: ("county", {"region": unit_a.county}),
        Role.DEPARTMENT_OFFICER: ("dept", {"department": county_dept}),
        Role.SITE_MANAGER: ("manager", {"site": site_a}),
        Role.GATEKEEPER: ("gate", {"site": site_a}),
        Role.ENTERPRISE_CLERK: ("clerk", {"unit": unit_a}),
        Role.PERMIT_REVIEWER: ("reviewer", {"department": county_dept}),
    }
    users = {role: UserFactory.create(username=name, role=role, **scope) for role, (name, scope) in scopes.items()}
    users["none"] = UserFactory.create(username="nobody")
    return World(unit_a, site_a, person_a, id_number_a, unit_b, site_b, person_b, department, users)
