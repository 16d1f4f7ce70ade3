"""Issue 16 §4 on the permit lists: applications, permits and the campaign's progress sort by each
column both ways, page, and export the filtered list in the viewer's scope with neutralised cells."""

from datetime import date

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.natsort import natural_key
from zhengtong.permits import services
from zhengtong.permits.models import Application, Campaign, CampaignIndustry, FixedSource, Permit
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory
from zhengtong.tests_support.lists import assert_sorts, sheet_rows
from zhengtong.tests_support.world import HENGNAN, HENGYANG_COUNTY

pytestmark = pytest.mark.django_db

ADMIN, COUNTY = Role.CITY_ADMIN, Role.COUNTY_OFFICER
BAD = ["sort=nope", "sort=-clock", "page=x", "page=-5", "page=10000000000000000000000", "sort=%00"]


@pytest.fixture
def permits(world):
    """Permits and applications of three units: two in county A (one named as a formula), one in B."""
    a2 = UnitFactory.create(county_code=HENGNAN, name="=衡南二厂")
    b = UnitFactory.create(county_code=HENGYANG_COUNTY, name="衡阳县三厂")
    made = [issued_permit(world), issued_permit(world, unit=a2, valid_until=date(2025, 1, 1)),
            issued_permit(world, unit=b, valid_until=date(2024, 6, 30))]
    Permit.objects.filter(pk=made[1].pk).update(management_class="simplified", decided_on=date(2021, 5, 6))
    admin = world.users[ADMIN]
    for unit, status, received in [(world.unit_a, "submitted", date(2020, 3, 2)), (a2, "draft", None),
                                   (b, "accepted", date(2020, 2, 1))]:
        source = FixedSource.objects.create(unit=unit, sequence=2)
        Application.objects.create(fixed_source=source, management_class="key", status=status, created_by=admin,
                                   received_on=received)
    return made


def test_permits_sort_by_each_column_both_ways(client, world, permits):
    client.force_login(world.users[ADMIN])
    rows = list(Permit.objects.select_related("fixed_source__unit__county"))
    assert_sorts(client, reverse("permits:permits"), rows, {
        "number": lambda p: p.number, "unit": lambda p: p.fixed_source.unit.name,
        "county": lambda p: p.fixed_source.unit.county.code, "class": lambda p: p.management_class,
        "status": lambda p: p.status, "decided": lambda p: p.decided_on, "valid_until": lambda p: p.valid_until,
    })


def test_applications_sort_by_each_column_both_ways(client, world, permits):
    client.force_login(world.users[ADMIN])
    rows = list(Application.objects.exclude(status="superseded").select_related("fixed_source__unit__county"))
    assert_sorts(client, reverse("permits:applications") + "?status=", rows, {
        "unit": lambda a: a.fixed_source.unit.name, "county": lambda a: a.fixed_source.unit.county.code,
        "kind": lambda a: (a.kind, a.version), "class": lambda a: a.management_class, "status": lambda a: a.status,
        "received": lambda a: a.received_on,
    })


def test_permit_export_is_the_county_officers_county_neutralised(client, world, permits):
    client.force_login(world.users[COUNTY])
    rows = sheet_rows(client.get(reverse("permits:permit_export") + "?sort=-valid_until"))
    assert [r[0] for r in rows[1:]] == [permits[1].number, permits[0].number]  # 2025 before 2023; B's not there
    assert rows[1][1] == "'=衡南二厂"
    assert [r[0] for r in sheet_rows(client.get(reverse("permits:permit_export") + "?status=revoked"))[1:]] == []
    page = client.get(reverse("permits:permits")).content.decode()
    assert "衡阳县三厂" not in page and permits[0].number in page


def test_application_export_follows_the_page_filter_and_scope(client, world, permits):
    client.force_login(world.users[COUNTY])
    rows = sheet_rows(client.get(reverse("permits:application_export") + "?status=&sort=received"))
    names = [r[0] for r in rows[1:]]
    assert "衡阳县三厂" not in names
    # the issued applications (no received day) come last, as on the page
    assert names[0] == world.unit_a.name and rows[1][5] == "2020-03-02"
    assert "'=衡南二厂" in names
    submitted = sheet_rows(client.get(reverse("permits:application_export") + "?status=submitted"))
    assert [r[0] for r in submitted[1:]] == [world.unit_a.name]


@pytest.fixture
def campaign(world):
    UnitFactory.create(county_code=HENGNAN, industry_code="2221", name="十一号造纸厂")
    UnitFactory.create(county_code=HENGNAN, industry_code="2221", name="二号造纸厂")
    UnitFactory.create(county_code=HENGNAN, industry_code="2221", name="@造纸厂")
    UnitFactory.create(county_code=HENGYANG_COUNTY, industry_code="2221", name="衡阳县造纸厂")
    services.units_classify(user=world.users[ADMIN])
    made = Campaign.objects.create(name="2020年排污许可", early_deadline=date(2020, 4, 20),
                                   late_deadline=date(2020, 9, 20))
    CampaignIndustry.objects.create(campaign=made, industry=Industry.objects.get(code="2221"))
    return made


def test_campaign_progress_sorts_by_each_column_both_ways(client, world, campaign):
    from zhengtong.permits import selectors

    client.force_login(world.users[ADMIN])
    rows = selectors.campaign_units(user=world.users[ADMIN], campaign=campaign, today=date(2020, 5, 1))
    assert len(rows) >= 4
    assert_sorts(client, reverse("permits:campaign"), rows, {
        "unit": lambda r: natural_key(r["unit"].name), "county": lambda r: r["unit"].county.code,
        "class": lambda r: r["filing_class"], "due": lambda r: r["due"].date,
        "deadline": lambda r: not r["due"].early, "state": lambda r: (r["covered"], r["days_left"]),
    }, ident=lambda r: r["unit"].pk)


def test_campaign_units_sort_as_people_count_and_export_in_scope(client, world, campaign):
    client.force_login(world.users[COUNTY])
    names = [r["unit"].name for r in client.get(reverse("permits:campaign")).context["listing"].page]
    assert names.index("二号造纸厂") < names.index("十一号造纸厂")
    rows = sheet_rows(client.get(reverse("permits:campaign_export") + "?sort=unit"))
    exported = [r[0] for r in rows[1:]]
    assert "衡阳县造纸厂" not in exported
    assert exported[:3] == ["二号造纸厂", "十一号造纸厂", "'@造纸厂"]  # numbers first; "@" neutralised
    assert rows[0][0] == "单位"


@pytest.mark.parametrize("params", BAD)
@pytest.mark.parametrize("name", ["permits:permits", "permits:permit_export", "permits:applications",
                                  "permits:application_export", "permits:campaign", "permits:campaign_export"])
def test_bad_sort_and_page_parameters_never_fail(client, world, campaign, name, params):
    client.force_login(world.users[COUNTY])
    assert client.get(reverse(name) + "?" + params).status_code == 200


def test_the_permit_list_is_reached_from_the_overview(client, world, permits):
    client.force_login(world.users[COUNTY])
    assert reverse("permits:permits") in client.get(reverse("permits:classification")).content.decode()
    client.force_login(world.users["none"])
    assert client.get(reverse("permits:permits")).context["listing"].page.total == 0


def test_the_campaigns_rows_and_progress_read_one_rule(world, campaign):
    """Each unit's deadline (early when its main industry, or the first listed of its other ones, is on
    the early list), cover and days left, as the rows, the jobs and the progress counts read them."""
    from zhengtong.permits import selectors

    admin = world.users[ADMIN]
    late = UnitFactory.create(county_code=HENGNAN, industry_code="2222", name="晚造纸厂")
    other = UnitFactory.create(county_code=HENGNAN, industry_code="2222", name="副业造纸厂")
    other.other_industries.add(*Industry.objects.filter(code__in=["3011", "2221"]))
    services.units_classify(user=admin)
    issued_permit(world, unit=UnitFactory._meta.model.objects.get(name="十一号造纸厂"))
    today = date(2020, 5, 1)
    rows = {r["unit"].name: r for r in selectors.campaign_units(user=admin, campaign=campaign, today=today)}
    assert rows[late.name]["due"] == selectors.Due(date(2020, 9, 20), False, "")
    assert (rows[late.name]["past_due"], rows[late.name]["days_left"]) == (False, 142)
    assert rows[other.name]["due"] == selectors.Due(date(2020, 4, 20), True, "2221")
    assert (rows["二号造纸厂"]["past_due"], rows["二号造纸厂"]["days_left"]) == (True, -11)
    assert (rows["十一号造纸厂"]["covered"], rows["十一号造纸厂"]["past_due"]) == (True, False)
    progress = selectors.campaign_progress(user=admin, campaign=campaign, today=today)
    for group, early in (("early", True), ("late", False)):
        mine = [r for r in rows.values() if r["due"].early == early]
        assert (progress[group]["total"], progress[group]["covered"], progress[group]["past_due"]) == (
            len(mine), sum(r["covered"] for r in mine), sum(r["past_due"] for r in mine)), group
    past = selectors.campaign_units(user=admin, campaign=campaign, today=today, only_past_due=True)
    assert {r["unit"].name for r in past} == {n for n, r in rows.items() if r["past_due"]}
    assert selectors.unit_due(other, campaign, today) == rows[other.name]["due"]
