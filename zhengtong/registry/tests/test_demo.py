"""The demo city loader: `zhengtong demo` at a small size."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.cn import ric, uscc

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.registry import demo
from zhengtong.registry.codes import check_id_number, check_uscc, mask_id_number
from zhengtong.registry.identity import decrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit
from zhengtong.tests_support.demo import ANCHOR, demo_clock

pytestmark = pytest.mark.django_db

SMALL = {"units": 200, "sites": 20, "people": 500}


@pytest.fixture(autouse=True)
def _at_the_anchor():
    """Every test here runs with the clock at the demo's fixed anchor (never the real day)."""
    with demo_clock(ANCHOR):
        yield


def run_demo(*args, **options) -> str:
    """`zhengtong demo` at the anchor (``--today`` unless the test gives one)."""
    if "--today" not in args:
        args = ("--today", ANCHOR.isoformat(), *args)
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def loaded() -> str:
    return run_demo(**SMALL)


def snapshot() -> dict:
    return {
        "units": sorted(Unit.objects.values_list("uscc", flat=True)),
        "sites": Site.objects.count(),
        "people": sorted((h or "", c) for h, c in Person.objects.values_list("id_number_hash", "claimed_hash")),
        "relations": SitePerson.objects.count(),
        "departments": sorted(Department.objects.values_list("code", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "assignments": RoleAssignment.objects.count(),
    }


def test_the_command_loads_the_requested_sizes(loaded):
    assert Unit.objects.count() == 200 + len(demo.NAMED_UNITS)
    assert Site.objects.count() == 20 + len(demo.NAMED_UNITS)
    assert Person.objects.filter(id_number_hash__isnull=False).count() == 500
    assert Person.objects.exclude(claimed_hash="").count() == 1  # one registration held for the city
    assert SitePerson.objects.count() >= 500
    assert "Loaded 205 units, 25 sites, 500 people" in loaded
    assert " s." in loaded  # the load time is printed
    assert "http://127.0.0.1:8000/" in loaded


def test_the_departments_of_the_page_and_the_county_governments_exist(loaded):
    names = dict(Department.objects.values_list("code", "name"))
    for code, name in [("fgw", "市发改委"), ("sjj", "市审计局"), ("tjj", "市统计局"), ("sthjj", "市生态环境局"),
                       ("swb", "市委办"), ("hengnan-gov", "衡南县人民政府")]:
        assert names[code] == name
    governments = Department.objects.filter(kind=Department.Kind.COUNTY_GOVERNMENT)
    assert governments.count() == 12
    assert {d.region.parent.code for d in governments} == {"430400"}
    assert Department.objects.get(code="swb").kind == Department.Kind.PARTY_OFFICE


@pytest.mark.parametrize(
    ("name", "kind", "site_kind", "industry"),
    [
        ("衡州监狱", Unit.Kind.GOVERNMENT_BODY, Site.Kind.PRISON, "9223"),
        ("衡南县福利中心", Unit.Kind.PUBLIC_INSTITUTION, Site.Kind.WELFARE_HOME, "8514"),
        ("特变电工集团南方智能电网科技产业园", Unit.Kind.ENTERPRISE, Site.Kind.CONSTRUCTION_SITE, "3821"),
        ("湖南中科光电有限公司", Unit.Kind.ENTERPRISE, Site.Kind.FACTORY, "3976"),
        ("广铁工务大修段衡阳焊轨车间", Unit.Kind.ENTERPRISE, Site.Kind.WORKSHOP, "5333"),
    ],
)
def test_the_named_units_and_their_sites_exist(loaded, name, kind, site_kind, industry):
    unit = Unit.objects.get(name=name)
    assert unit.kind == kind
    assert unit.industry.code == industry
    assert unit.sites.filter(kind=site_kind).exists()
    assert unit.history.filter(history_type="+", history_user__username="admin").exists()


def test_the_welfare_centre_holds_55_elders_and_20_children(loaded):
    unit = Unit.objects.get(name="衡南县福利中心")
    assert unit.county.code == "430422"
    site = unit.sites.get()
    assert site.capacity == 75
    residents = Person.objects.filter(memberships__site=site, memberships__relation=SitePerson.Relation.RESIDENT)
    years = [ric.get_birth_date(decrypt_id_number(p.id_number_encrypted)).year for p in residents]
    assert len(years) == 75
    assert sum(y <= 1950 for y in years) == 55
    assert sum(y >= 2003 for y in years) == 20
    assert not site.memberships.filter(relation=SitePerson.Relation.VISITOR).exists()


def test_every_uscc_is_valid_unique_and_of_the_units_county(loaded):
    prefixes = {
        Unit.Kind.ENTERPRISE: {"91", "93"}, Unit.Kind.PUBLIC_INSTITUTION: {"12"},
        Unit.Kind.GOVERNMENT_BODY: {"11"}, Unit.Kind.SOCIAL_ORGANISATION: {"51", "53"},
    }
    units = list(Unit.objects.select_related("county"))
    assert len({u.uscc for u in units}) == len(units)
    for unit in units:
        assert check_uscc(unit.uscc) == unit.uscc
        assert uscc.is_valid(unit.uscc)
        assert unit.uscc[2:8] == unit.county.code
        assert unit.uscc[:2] in prefixes[unit.kind]


def test_every_unit_is_in_a_county_of_hengyang_with_a_4_digit_class(loaded):
    counties = set(Region.objects.filter(parent__code="430400").values_list("pk", flat=True))
    assert len(counties) == 12
    units = Unit.objects.select_related("industry")
    assert set(units.values_list("county_id", flat=True)) == counties  # spread over all 12 divisions
    for unit in units:
        assert unit.county_id in counties
        assert unit.industry.level == Industry.Level.CLASS and len(unit.industry.code) == 4
    others = Unit.other_industries.through.objects.select_related("industry")
    assert others.exists()
    assert {o.industry.level for o in others} == {Industry.Level.CLASS}
    manufacturing = units.filter(industry__code__regex=r"^(1[3-9]|2\d|3\d|4[0-3])").count()
    assert 0.4 * units.count() < manufacturing < 0.8 * units.count()


def test_every_id_number_is_valid_from_the_fake_pool_and_stored_like_person_register(loaded):
    for person in Person.objects.all():
        number = decrypt_id_number(person.id_number_encrypted)
        assert check_id_number(number) == number
        assert demo.is_demo_id_number(number)
        assert number[12:14] == "01" and "990" <= number[14:17] <= "999"
        assert number[:4] in ("4304", "4327")
        assert (person.id_number_hash or person.claimed_hash) == id_number_hash(number)
        assert person.id_number_masked == mask_id_number(number)
        assert person.memberships.exists()


def test_the_fake_pool_rule_excludes_ordinary_numbers():
    assert not demo.is_demo_id_number("430422199003071236")  # born on the 7th
    assert not demo.is_demo_id_number(demo._id_number("43042219900301123"))  # sequence 123
    assert not demo.is_demo_id_number(demo._id_number("11010119900101990"))  # Beijing
    assert demo.is_demo_id_number(demo._id_number("43042219900301995"))


def test_relations_fit_the_site_kinds(loaded):
    relations = SitePerson.objects.values_list("site__kind", "relation")
    for kind, relation in relations:
        if relation == SitePerson.Relation.INMATE:
            assert kind == Site.Kind.PRISON
        if relation == SitePerson.Relation.RESIDENT:
            assert kind == Site.Kind.WELFARE_HOME
        if relation == SitePerson.Relation.WORKER:
            assert kind in (Site.Kind.FACTORY, Site.Kind.WORKSHOP, Site.Kind.CONSTRUCTION_SITE)
        if relation == SitePerson.Relation.VISITOR:
            assert kind not in (Site.Kind.PRISON, Site.Kind.WELFARE_HOME)
    assert {r for _, r in relations} == set(SitePerson.Relation.values)


def test_demo_accounts_hold_their_roles_and_the_demo_password(loaded):
    expected = {
        "admin": (Role.CITY_ADMIN, "城市管理员", "衡阳市"),
        "county": (Role.COUNTY_OFFICER, "县区干部", "衡南县"),
        "dept": (Role.DEPARTMENT_OFFICER, "部门干部", "市发改委"),
        "manager": (Role.SITE_MANAGER, "场所管理员", "衡州监狱"),
        "gate": (Role.GATEKEEPER, "门岗", "衡州监狱"),
        "clerk": (Role.ENTERPRISE_CLERK, "企业填报员", "湖南中科光电有限公司"),
        "reviewer": (Role.PERMIT_REVIEWER, "许可审核员", "市生态环境局"),
    }
    for username, (role, title, scope) in expected.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password("zhengtong-demo")
        assert user.first_name == title
        assert user.is_active
        assignment = user.assignments.get()
        assert assignment.role == role
        target = assignment.scope
        assert (target.unit.name if isinstance(target, Site) else target.name) == scope
        assert username in loaded and title in loaded
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not get_user_model().objects.get(username="gate").is_staff
    assert get_user_model().objects.get(username="dept").assignments.get().is_head
    assert get_user_model().objects.get(username="manager").assignments.get().site.kind == Site.Kind.PRISON


def test_if_empty_on_a_loaded_database_changes_nothing_but_lists_the_accounts(loaded):
    before = snapshot()
    out = run_demo("--if-empty", **SMALL)
    assert snapshot() == before
    assert "nothing loaded" in out
    assert "zhengtong-demo" in out and "reviewer" in out
    assert "http://127.0.0.1:8000/" in out


def test_if_empty_on_an_empty_database_loads():
    out = run_demo("--if-empty", **SMALL)
    assert Unit.objects.count() == 205
    assert "Loaded" in out


def test_a_loaded_database_is_refused_without_force(loaded):
    before = snapshot()
    with pytest.raises(CommandError, match="--force"):
        run_demo(**SMALL)
    assert snapshot() == before


def test_force_replaces_the_demo(loaded):
    units_before = sorted(Unit.objects.values_list("uscc", flat=True))
    out = run_demo("--force", **SMALL)
    assert "Deleted 205 units" in out
    assert sorted(Unit.objects.values_list("uscc", flat=True)) == units_before  # same seed, same data
    assert Person.objects.filter(id_number_hash__isnull=False).count() == 500
    assert Department.objects.count() == len(set(Department.objects.values_list("code", flat=True)))
    assert RoleAssignment.objects.count() == len(demo.DEMO_ACCOUNTS)
    assert get_user_model().objects.get(username="clerk").check_password("zhengtong-demo")


def test_another_seed_gives_other_data():
    demo.load_demo(units=30, sites=5, people=200, seed=1, today=ANCHOR)
    first = set(Unit.objects.values_list("uscc", flat=True))
    demo.wipe_demo()
    demo.load_demo(units=30, sites=5, people=200, seed=2, today=ANCHOR)
    assert set(Unit.objects.values_list("uscc", flat=True)) != first


def test_too_few_people_for_the_named_sites_is_a_clear_error():
    with pytest.raises(CommandError, match="--people"):
        run_demo(units=10, sites=2, people=20)
    assert not Unit.objects.exists()


def test_a_real_user_with_a_demo_name_is_neither_overwritten_nor_deleted():
    real = get_user_model().objects.create_user("admin", "admin@example.org", "a real password 123")
    with pytest.raises(CommandError, match="not a demo account"):
        run_demo(**SMALL)
    assert not Unit.objects.exists()
    real.refresh_from_db()
    assert real.check_password("a real password 123")
    assert not real.is_superuser


def test_force_keeps_the_old_data_when_the_new_load_fails(loaded):
    before = snapshot()
    with pytest.raises(CommandError, match="--people"):
        run_demo("--force", units=10, sites=2, people=20)
    assert snapshot() == before


@pytest.mark.parametrize("value", ["2020-02-30", "27.02.2020", "20200227", "tomorrow"])
def test_today_that_is_not_a_date_is_refused(value):
    with pytest.raises(CommandError, match=f"“{value}” is not a date: give it as YYYY-MM-DD"):
        run_demo("--today", value, **SMALL)
    assert not Unit.objects.exists()



def test_a_day_before_the_newspapers_is_refused():
    with pytest.raises(CommandError, match="before the newspaper's day"):
        run_demo("--today", "2020-02-26", **SMALL)
    assert not Unit.objects.exists()


def test_the_readme_names_the_demo_accounts_units_and_sites_as_the_app_does(loaded):
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Demo accounts", 1)[1].split("\n### ", 1)[0]
    rows = {m[1]: (m[2], m[3]) for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|$", section, re.M)}
    accounts = demo.account_rows()
    assert sorted(rows) == sorted(username for username, *_ in accounts)
    for username, _password, role, scope in accounts:
        role_cell, scope_cell = rows[username]
        assert role.split()[0] in role_cell, (username, role, role_cell)  # the Chinese role name
        for name in re.split(r"[ （）]+", scope.strip("）")):  # e.g. 衡州监狱监区（衡州监狱）, 衡阳市 430400
            assert name in scope_cell, (username, name, scope_cell)
    for named in demo.NAMED_UNITS:
        assert re.search(rf"^\| {re.escape(named.name)} \| {re.escape(named.site_name)} \|", section, re.M), named
        assert Site.objects.filter(unit__name=named.name, name=named.site_name).exists()
