"""Issue 16 §4 on the registry's lists (sites, people, departments, units): every sortable column
both ways, page numbers and totals, the export (its rows, scope and neutralised cells), bad sort
and page parameters."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.natsort import natural_key
from zhengtong.registry.models import Department, Person, Site, Unit
from zhengtong.tests_support.factories import DepartmentFactory, PersonFactory, SiteFactory, UnitFactory
from zhengtong.tests_support.lists import assert_sorts, sheet_rows
from zhengtong.tests_support.world import HENGNAN, HENGYANG_COUNTY

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, MANAGER = Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.SITE_MANAGER
BAD_PARAMS = ["sort=nope", "sort=-", "sort=%00", "sort=--name", "page=abc", "page=-1", "page=99999999999999999999",
              "sort=address&page=0"]


@pytest.fixture
def more(world):
    """A few more sites, people and departments in county A, with ordinal names and empty values."""
    sites = [SiteFactory.create(unit=world.unit_a, name=name, capacity=cap, kind=kind) for name, cap, kind in [
        ("十一监区", 30, "prison"), ("二监区", None, "prison"), ("10号楼", 5, "office"), ("2号楼", 5, "office"),
        ("=HYPERLINK(\"http://x\")", None, "other")]]
    people = [PersonFactory.create(site=world.site_a, name=n, phone=p) for n, p in
              [("王五", "13800000002"), ("赵六", ""), ("王五", "13800000001")]]
    departments = [DepartmentFactory.create(code=c, name=n, region=world.unit_a.county, kind="county_department")
                   for c, n in [("hn-a", "+衡南县一局"), ("hn-b", "衡南县二局")]]
    return sites, people, departments


def test_sites_sort_by_each_column_both_ways(client, world, more):
    client.force_login(world.users[ADMIN])
    rows = list(Site.objects.select_related("unit", "county"))
    assert_sorts(client, reverse("registry:site_list"), rows, {
        "name": lambda s: natural_key(s.name), "unit": lambda s: s.unit.name, "kind": lambda s: s.kind,
        "county": lambda s: s.county.code, "capacity": lambda s: s.capacity,
    })


def test_ordinal_site_names_sort_as_people_count(client, world, more):
    client.force_login(world.users[COUNTY])
    names = [s.name for s in client.get(reverse("registry:site_list")).context["listing"].page.rows]
    assert names.index("二监区") < names.index("十一监区")
    assert names.index("2号楼") < names.index("10号楼")
    assert names.index("一号车间") < names.index("二监区")


def test_people_sort_by_each_column_both_ways(client, world, more):
    client.force_login(world.users[COUNTY])
    rows = list(Person.objects.filter(memberships__site__county__code=HENGNAN).distinct())
    assert_sorts(client, reverse("registry:person_list"), rows, {
        "name": lambda p: p.name, "phone": lambda p: p.phone, "created": lambda p: p.created_at,
    })


def test_departments_and_units_sort_by_each_column_both_ways(client, world, more):
    client.force_login(world.users[ADMIN])
    assert_sorts(client, reverse("registry:department_list"), list(Department.objects.select_related("region")), {
        "name": lambda d: d.name, "code": lambda d: d.code, "kind": lambda d: d.kind,
        "region": lambda d: d.region.code,
    })
    assert_sorts(client, reverse("registry:unit_list"), list(Unit.objects.select_related("county", "industry")), {
        "name": lambda u: u.name, "uscc": lambda u: u.uscc, "county": lambda u: u.county.code,
        "industry": lambda u: u.industry.code, "status": lambda u: u.status,
    })


def test_sort_links_keep_the_filters(client, world, more):
    client.force_login(world.users[ADMIN])
    body = client.get(reverse("registry:site_list") + "?q=监区&kind=prison&sort=-capacity").content.decode()
    assert 'href="?q=%E7%9B%91%E5%8C%BA&amp;kind=prison&amp;sort=capacity"' in body  # the active one turns round
    assert 'href="?q=%E7%9B%91%E5%8C%BA&amp;kind=prison&amp;sort=name"' in body
    assert 'aria-sort="descending" data-sort="capacity"' in body and "▼" in body
    export = f'{reverse("registry:site_export")}?q=%E7%9B%91%E5%8C%BA&amp;kind=prison&amp;sort=-capacity'
    assert export in body


def test_page_numbers_and_totals(client, world, settings):
    settings.PAGE_SIZE = 2
    for i in range(5):
        SiteFactory.create(unit=world.unit_a, name=f"{i + 3}号楼")
    client.force_login(world.users[COUNTY])
    response = client.get(reverse("registry:site_list") + "?page=2")
    page = response.context["listing"].page
    assert page.total == 6 and page.num_pages == 3 and page.number == 2
    assert [s.name for s in page] == ["4号楼", "5号楼"]
    body = response.content.decode()
    assert "6 records" in body or "6 条记录" in body
    assert 'aria-current="page">2<' in body and "page=3" in body and "page=1" in body


def test_the_people_count_stops_at_a_cap(client, world, monkeypatch, settings):
    from zhengtong.registry import views

    monkeypatch.setattr(views, "PEOPLE_COUNT_CAP", 2)
    settings.PAGE_SIZE = 2
    for _ in range(3):
        PersonFactory.create(site=world.site_a)
    client.force_login(world.users[COUNTY])
    response = client.get(reverse("registry:person_list"))
    page = response.context["listing"].page
    assert page.capped == 2 and page.has_next and page.numbers == [1, 2]
    assert "2" in response.content.decode().split('data-testid="total">')[1][:40]
    second = client.get(reverse("registry:person_list") + "?page=2").context["listing"].page
    assert len(second) == 2 and not second.has_next and second.numbers == [1, 2]


@pytest.mark.parametrize("params", BAD_PARAMS)
@pytest.mark.parametrize("name", ["registry:site_list", "registry:person_list", "registry:department_list",
                                  "registry:unit_list", "registry:site_export", "registry:person_export",
                                  "registry:department_export", "registry:unit_export"])
def test_bad_sort_and_page_parameters_never_fail(client, world, name, params):
    client.force_login(world.users[ADMIN])
    response = client.get(reverse(name) + "?" + params)
    assert response.status_code == 200


def test_a_bad_sort_is_said_on_the_page(client, world):
    client.force_login(world.users[ADMIN])
    response = client.get(reverse("registry:site_list") + "?sort=address")
    assert response.context["listing"].sort == "name"
    assert 'data-testid="sort-ignored"' in response.content.decode()


def test_site_export_holds_the_filtered_sorted_list_of_the_viewers_county(client, world, more):
    client.force_login(world.users[COUNTY])
    rows = sheet_rows(client.get(reverse("registry:site_export") + "?sort=-name"))
    names = [r[0] for r in rows[1:]]
    expected = sorted((s.name for s in Site.objects.filter(county__code=HENGNAN)), key=natural_key, reverse=True)
    assert names == ["'" + n if n.startswith("=") else n for n in expected]
    assert world.site_b.name not in names
    assert "'=HYPERLINK(\"http://x\")" in names  # neutralised
    assert rows[0][:2] == ("名称", "单位")
    prisons = sheet_rows(client.get(reverse("registry:site_export") + "?kind=prison"))
    assert [r[0] for r in prisons[1:]] == ["二监区", "十一监区"]


def test_people_export_is_the_viewers_county_with_masked_numbers(client, world, more):
    client.force_login(world.users[COUNTY])
    rows = sheet_rows(client.get(reverse("registry:person_export") + "?sort=phone"))
    people = Person.objects.filter(memberships__site__county__code=HENGNAN).distinct()
    assert sorted(r[0] for r in rows[1:]) == sorted(p.name for p in people)
    assert world.person_b.name not in {r[0] for r in rows[1:]}
    assert {r[1] for r in rows[1:]} == {p.id_number_masked for p in people}
    assert world.id_number_a not in {r[1] for r in rows[1:]}
    assert [r[2] or "" for r in rows[1:]] == sorted(p.phone for p in people)


def test_people_export_for_a_site_manager_is_their_site(client, world, more):
    other = SiteFactory.create(unit=world.unit_a, name="三监区")
    PersonFactory.create(site=other, name="钱七")
    client.force_login(world.users[MANAGER])
    names = {r[0] for r in sheet_rows(client.get(reverse("registry:person_export")))[1:]}
    assert "钱七" not in names and world.person_a.name in names


def test_department_and_unit_exports_neutralise_and_keep_scope(client, world, more):
    client.force_login(world.users[COUNTY])
    rows = sheet_rows(client.get(reverse("registry:department_export") + "?sort=code"))
    assert "'+衡南县一局" in [r[0] for r in rows[1:]]
    units = sheet_rows(client.get(reverse("registry:unit_export") + "?sort=-name"))
    assert world.unit_b.uscc not in {r[0] for r in units[1:]}
    UnitFactory.create(county_code=HENGYANG_COUNTY, name="@外县")
    client.force_login(world.users[ADMIN])
    units = sheet_rows(client.get(reverse("registry:unit_export") + "?sort=-name"))
    names = [r[1] for r in units[1:]]
    assert "'@外县" in names
    assert names[-1] == "'@外县" and names[:-1] == sorted(names[:-1], reverse=True)


LONG = " ".join(f"词{i}" for i in range(400))[:1000]


@pytest.mark.parametrize("name", ["registry:site_list", "registry:unit_list", "registry:person_list",
                                  "registry:department_list"])
def test_a_long_search_is_cut_and_said(client, world, name):
    client.force_login(world.users[ADMIN])
    response = client.get(reverse(name), {"q": LONG})
    assert response.status_code == 200
    assert response.context["listing"].search_cut
    assert 'data-testid="search-cut"' in response.content.decode()
    short = client.get(reverse(name), {"q": "衡南"})
    assert not short.context["listing"].search_cut
    # The sort and page links carry the words searched, not the whole paste: following one searches the same.
    from urllib.parse import urlencode

    from zhengtong.core.cleaners import search_words

    listing = response.context["listing"]
    assert listing.query["q"] == " ".join(search_words(LONG)) and len(listing.query["q"]) < 100
    html = response.content.decode()
    # only the language switch returns to the page as it was asked for (its "next")
    typed = urlencode({"q": LONG})
    assert html.count(typed) == 1 and f'name="next" value="{reverse(name)}?{typed}' in html
    link = next(h.url for h in listing.headers if h.url)
    assert link.startswith("?" + urlencode({"q": " ".join(search_words(LONG))}) + "&sort=")
    again = client.get(reverse(name) + link)
    assert again.status_code == 200 and not again.context["listing"].search_cut
    assert again.context["listing"].page.total == listing.page.total


def test_a_long_search_reads_its_first_words(client, world, django_assert_max_num_queries):
    from zhengtong.core.cleaners import SEARCH_MAX_CHARS, SEARCH_MAX_WORDS, search_words  # noqa: I001

    words = search_words(LONG)
    assert len(words) == SEARCH_MAX_WORDS and words[0] == "词0"
    assert search_words("a b " * 300) == ["a", "b"]  # repeated words count once
    assert search_words("a " * 600 + "b") == ["a"]  # past the first characters
    assert len(search_words("长" * 1000)[0]) == SEARCH_MAX_CHARS
    client.force_login(world.users[ADMIN])
    body = client.get(reverse("registry:site_list"), {"q": "一号 " + LONG}).content.decode()
    assert "没有符合条件的场所。" in body  # 一号 and the first words of the paste: none matches them all
    assert world.site_a.name in client.get(reverse("registry:site_list"), {"q": "一号 " * 300}).content.decode()


def test_a_unit_with_thousands_of_other_industries_is_refused_naming_the_field(world):
    from zhengtong.core.errors import DomainError
    from zhengtong.registry import services
    from zhengtong.registry.models import Industry
    from zhengtong.tests_support.codes import make_uscc

    codes = list(Industry.objects.filter(level="class").values_list("code", flat=True))
    data = {"uscc": make_uscc(HENGNAN), "name": "多行业单位", "kind": "enterprise", "county": HENGNAN,
            "industry": "3011"}
    with pytest.raises(DomainError) as refused:
        services.unit_create(user=world.users[ADMIN], data={**data, "other_industries": ", ".join(codes)})
    assert "other_industries" in refused.value.errors
    assert str(services.MAX_OTHER_INDUSTRIES) in refused.value.errors["other_industries"][0]
    assert not Unit.objects.filter(name="多行业单位").exists()
    unit = services.unit_create(user=world.users[ADMIN], data={
        **data, "other_industries": codes[:services.MAX_OTHER_INDUSTRIES]})
    assert unit.other_industries.count() == services.MAX_OTHER_INDUSTRIES
