"""Helpers for the API tests: valid codes, users with one role each, a small registry, and
clients that call the API as a session or with a token."""

import itertools
import json
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.test import Client
from stdnum.cn import ric, uscc

from zhengtong.accounts.models import ApiToken, Role, RoleAssignment
from zhengtong.registry.codes import mask_id_number
from zhengtong.registry.identity import encrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit

_seq = itertools.count(1)

HENGNAN = "430422"  # 衡南县
HENGYANG_COUNTY = "430421"  # 衡阳县
CITY = "430400"  # 衡阳市


def valid_uscc(county: str = HENGNAN) -> str:
    body = f"91{county}MA4L{next(_seq):05d}"
    return body + uscc.calc_check_digit(body)


def valid_id_number(county: str = HENGNAN, birth: str = "19900307") -> str:
    body = f"{county}{birth}{next(_seq) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_unit(county: str = HENGNAN, industry: str = "4411", **kw) -> Unit:
    return Unit.objects.create(
        uscc=kw.pop("uscc", None) or valid_uscc(county), name=kw.pop("name", None) or f"测试单位{next(_seq)}",
        county=Region.objects.get(code=county), industry=Industry.objects.get(code=industry), **kw,
    )


def make_site(unit: Unit, **kw) -> Site:
    return Site.objects.create(
        unit=unit, name=kw.pop("name", None) or f"场所{next(_seq)}", kind=kw.pop("kind", "workshop"),
        county=kw.pop("county", unit.county), **kw,
    )


def make_person(site: Site, id_number: str, relation: str = "worker", **kw) -> Person:
    person = Person.objects.create(
        name=kw.pop("name", None) or f"人员{next(_seq)}", id_number_hash=id_number_hash(id_number),
        id_number_masked=mask_id_number(id_number), id_number_encrypted=encrypt_id_number(id_number), **kw,
    )
    SitePerson.objects.create(site=site, person=person, relation=relation)
    return person


def make_user(username: str, role: str | None = None, **scope) -> User:
    user = User.objects.create_user(username=username, password="test-pass-123")
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def token_for(user: User, name: str = "test") -> str:
    return ApiToken.issue(user=user, name=name)[1]


class Api:
    """A Django test client that speaks JSON to /api/ as one caller (token or session)."""

    def __init__(self, *, token: str | None = None, user: User | None = None, enforce_csrf_checks: bool = False):
        self.client = Client(enforce_csrf_checks=enforce_csrf_checks)
        # English unless a test asks otherwise, so that assertions on messages do not change when
        # the Chinese catalogue grows.
        self.headers = {"Accept-Language": "en"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if user is not None:
            self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api{path}", params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path: str, data, headers: dict | None = None):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.post(f"/api{path}", body, content_type="application/json",
                                headers={**self.headers, **(headers or {})})

    def patch(self, path: str, data, headers: dict | None = None):
        return self.client.patch(f"/api{path}", json.dumps(data), content_type="application/json",
                                 headers={**self.headers, **(headers or {})})


@dataclass
class Registry:
    """Two counties, each with a unit, a site and a person, a department, and one user per role
    scoped to 衡南县's records; 衡阳县's records are the ones they must not reach."""

    unit_a: Unit
    site_a: Site
    person_a: Person
    id_number_a: str
    unit_b: Unit
    site_b: Site
    person_b: Person
    department: Department
    users: dict[str, User] = field(default_factory=dict)

    def api(self, role: str, **kw) -> Api:
        return Api(token=token_for(self.users[role]), **kw)


def build_registry() -> Registry:
    unit_a = make_unit(HENGNAN, name="衡南火电厂")
    site_a = make_site(unit_a, name="一号车间")
    id_number_a = valid_id_number()
    person_a = make_person(site_a, id_number_a, name="张三", phone="13800000001")
    unit_b = make_unit(HENGYANG_COUNTY, name="衡阳县水泥厂")
    site_b = make_site(unit_b, name="二号车间")
    person_b = make_person(site_b, valid_id_number(HENGYANG_COUNTY), name="李四")
    city = Region.objects.get(code=CITY)
    department = Department.objects.create(code="fgw", name="市发改委", kind="city_department", region=city)
    users = {
        Role.CITY_ADMIN: make_user("admin", Role.CITY_ADMIN, region=city),
        Role.COUNTY_OFFICER: make_user("county", Role.COUNTY_OFFICER, region=unit_a.county),
        Role.DEPARTMENT_OFFICER: make_user("dept", Role.DEPARTMENT_OFFICER, department=department),
        Role.SITE_MANAGER: make_user("manager", Role.SITE_MANAGER, site=site_a),
        Role.GATEKEEPER: make_user("gate", Role.GATEKEEPER, site=site_a),
        Role.ENTERPRISE_CLERK: make_user("clerk", Role.ENTERPRISE_CLERK, unit=unit_a),
        "none": make_user("nobody"),
    }
    return Registry(unit_a, site_a, person_a, id_number_a, unit_b, site_b, person_b, department, users)


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape; with ``field``, one of the errors names it. Returns the body."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and error["message"]
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def messages_for(body: dict, field: str) -> list[str]:
    return [e["message"] for e in body["errors"] if e["field"] == field]
