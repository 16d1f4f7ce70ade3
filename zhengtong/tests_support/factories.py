"""factory_boy factories for the shared nouns and the common records. Defaults make a valid
record in 衡南县; a test names only what it is about:

    site = SiteFactory(unit=UnitFactory(county_code=HENGYANG_COUNTY))
    person = PersonFactory(site=site, relation="inmate")      # a clear ID number of its own
    user = UserFactory(username="gate", role=Role.GATEKEEPER, site=site)   # password PASSWORD

Reference rows (regions, industries) come with the migrations and are looked up by code."""

import factory
from django.contrib.auth.models import User
from django.db import connection
from factory.django import DjangoModelFactory, Password

from zhengtong.accounts.models import ApiToken, RoleAssignment
from zhengtong.registry.codes import mask_id_number
from zhengtong.registry.identity import encrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit
from zhengtong.screening.models import GateDevice
from zhengtong.tests_support.codes import CITY, HENGNAN, make_id_number, make_uscc

PASSWORD = "test-pass-123"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    class Params:
        county_code = HENGNAN
        industry_code = "3011"

    uscc = factory.LazyAttribute(lambda o: make_uscc(o.county_code))
    name = factory.Sequence(lambda n: f"测试单位{n}")
    county = factory.LazyAttribute(lambda o: region(o.county_code))
    industry = factory.LazyAttribute(lambda o: Industry.objects.get(code=o.industry_code))


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"场所{n}")
    kind = "workshop"
    county = factory.SelfAttribute("unit.county")


class SitePersonFactory(DjangoModelFactory):
    class Meta:
        model = SitePerson

    relation = "worker"


class PersonFactory(DjangoModelFactory):
    """A person with a clear ``id_number`` (a new valid one unless given), stored as the product
    stores it: encrypted, hashed and masked; with ``site``, related to it as ``relation``."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    class Params:
        id_number = factory.LazyFunction(make_id_number)
        site = None
        relation = "worker"

    name = factory.Sequence(lambda n: f"人员{n}")
    id_number_hash = factory.LazyAttribute(lambda o: id_number_hash(o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: mask_id_number(o.id_number))
    id_number_encrypted = factory.LazyAttribute(lambda o: encrypt_id_number(o.id_number))
    membership = factory.Maybe(
        "site",
        factory.RelatedFactory(SitePersonFactory, factory_related_name="person",
                               site=factory.SelfAttribute("..site"), relation=factory.SelfAttribute("..relation")),
    )


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    class Params:
        region_code = CITY

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = "city_department"
    region = factory.LazyAttribute(lambda o: region(o.region_code))


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment


class UserFactory(DjangoModelFactory):
    """A user who signs in with ``PASSWORD``; with ``role``, assigned it within the scope given
    (``region``, ``department``, ``site`` or ``unit``, as the role requires)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        role = None
        region = None
        department = None
        site = None
        unit = None

    username = factory.Sequence(lambda n: f"user{n}")
    password = Password(PASSWORD)
    assignment = factory.Maybe(
        "role",
        factory.RelatedFactory(
            RoleAssignmentFactory, factory_related_name="user", role=factory.SelfAttribute("..role"),
            region=factory.SelfAttribute("..region"), department=factory.SelfAttribute("..department"),
            site=factory.SelfAttribute("..site"), unit=factory.SelfAttribute("..unit"),
        ),
    )


def token_for(user: User, name: str = "test") -> str:
    """The key of a new API token of ``user``."""
    return ApiToken.issue(user=user, name=name)[1]


def gate_device(site: Site, name: str = "North gate") -> GateDevice:
    """A gate device of ``site``, with its key at ``device.key``."""
    device, key = GateDevice.issue(site=site, name=name)
    device.key = key  # type: ignore[attr-defined]
    return device


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
