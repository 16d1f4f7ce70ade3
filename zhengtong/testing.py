"""Test helpers: valid codes and a small world with one user per role, built in one call."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import connection
from stdnum.cn import ric, uscc

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.registry.codes import mask_id_number
from zhengtong.registry.identity import encrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def make_uscc(county: str = "430422", kind: str = "91") -> str:
    body = f"{kind}{county}MA{next(_seq):07d}"
    return body + uscc.calc_check_digit(body)


def make_id_number(county: str = "430422", birth: str | None = None) -> str:
    """A valid number from the fake pool (sequence 990–999); each call gives another one."""
    n = next(_seq)
    if birth is None:
        birth = (date(1985, 1, 1) + timedelta(days=n // 10)).strftime("%Y%m%d")
    body = f"{county}{birth}{990 + n % 10:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_unit(county: str = "430422", industry: str = "3011", **kw) -> Unit:
    return Unit.objects.create(
        uscc=kw.pop("uscc", None) or make_uscc(county), name=kw.pop("name", None) or f"测试单位{next(_seq)}",
        county=Region.objects.get(code=county), industry=Industry.objects.get(code=industry), **kw,
    )


def make_site(unit: Unit, **kw) -> Site:
    return Site.objects.create(
        unit=unit, name=kw.pop("name", None) or f"场所{next(_seq)}", kind=kw.pop("kind", "workshop"),
        county=kw.pop("county", unit.county), **kw,
    )


def make_person(site: Site | None = None, relation: str = "worker", **kw) -> Person:
    code = kw.pop("id_number", None) or make_id_number()
    person = Person.objects.create(
        name=kw.pop("name", None) or f"人员{next(_seq)}", id_number_hash=id_number_hash(code),
        id_number_masked=mask_id_number(code), id_number_encrypted=encrypt_id_number(code), **kw,
    )
    if site is not None:
        SitePerson.objects.create(site=site, person=person, relation=relation)
    return person


def fill_entries(n: int, *, site_id: int, person_ids: list[int], days: float = 20) -> None:
    """PostgreSQL: ``n`` earlier check-ins of the site's people, written by the database itself, spread
    over the ``days`` days before the last hour; then ANALYZE, as a table that has grown would be."""
    ids = "{" + ",".join(map(str, person_ids)) + "}"
    with connection.cursor() as cursor:
        for first in range(0, n, 1_000_000):
            cursor.execute(
                "INSERT INTO screening_entry (client_uuid, site_id, person_id, entered_at, temperature, decision, "
                "reason, source, gate_decision, disagreement, left_estimated, visit_host, visit_purpose, recorded_at) "
                "SELECT gen_random_uuid(), %s, (%s::bigint[])[1 + g %% %s], "
                "now() - interval '1 hour' - random() * %s * interval '1 day', 36.5, 'admit', 'ok', 'api', '', "
                "false, false, '', '', now() FROM generate_series(%s, %s) g",
                [site_id, ids, len(person_ids), days, first + 1, min(n, first + 1_000_000)])
        cursor.execute("ANALYZE screening_entry")


def make_user(username: str, role: str | None = None, **scope) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@dataclass
class World:
    """Two counties, each with a unit, a site and a person; a department; one user per role
    scoped to the first county's records (``a``), and the second county's records (``b``) as
    the ones they must not reach (except the city administrator)."""

    unit_a: Unit
    site_a: Site
    person_a: Person
    unit_b: Unit
    site_b: Site
    person_b: Person
    department: Department
    users: dict[str, User]


def build_world() -> World:
    unit_a = make_unit("430422", name="衡南测试厂")
    site_a = make_site(unit_a, name="一号车间")
    person_a = make_person(site_a, name="张三")
    unit_b = make_unit("430421", name="衡阳县测试厂")
    site_b = make_site(unit_b, name="二号车间")
    person_b = make_person(site_b, name="李四")
    city = Region.objects.get(code="430400")
    department = Department.objects.create(code="fgw", name="市发改委", kind="city_department", region=city)
    county_dept = Department.objects.create(
        code="hengnan-sthj", name="衡南县生态环境分局", kind="county_department", region=unit_a.county
    )
    users = {
        Role.CITY_ADMIN: make_user("admin", Role.CITY_ADMIN, region=city),
        Role.COUNTY_OFFICER: make_user("county", Role.COUNTY_OFFICER, region=unit_a.county),
        Role.DEPARTMENT_OFFICER: make_user("dept", Role.DEPARTMENT_OFFICER, department=county_dept),
        Role.SITE_MANAGER: make_user("manager", Role.SITE_MANAGER, site=site_a),
        Role.GATEKEEPER: make_user("gate", Role.GATEKEEPER, site=site_a),
        Role.ENTERPRISE_CLERK: make_user("clerk", Role.ENTERPRISE_CLERK, unit=unit_a),
        Role.PERMIT_REVIEWER: make_user("reviewer", Role.PERMIT_REVIEWER, department=county_dept),
        "none": make_user("nobody"),
    }
    return World(unit_a, site_a, person_a, unit_b, site_b, person_b, department, users)
