"""Resumption, step 7 (issue 19): measured, not only declared. A unit's page shows the people its sites
admitted each day (screening's daily count) beside the declared returned workforce; the county officer's
list flags a gap larger than ZT_WORKFORCE_GAP_PCT from one statement; a unit without gate data is not
measured, never a false gap; scopes hold."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Unit
from zhengtong.resumption import selectors, services
from zhengtong.screening import jobs
from zhengtong.screening.models import AdmittedDaily, Entry
from zhengtong.tests_support.demo import demo_clock
from zhengtong.tests_support.factories import PersonFactory, SiteFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2020, 3, 2)  # the span shown: 17 February to 1 March (14 whole days)
COUNTED = datetime(2020, 3, 1, 19, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WORKFORCE_DAYS = 14
    settings.WORKFORCE_GAP_PCT = 30


def declare(w, unit: Unit, returned: int, total: int = 200):
    data = {"planned_date": "2020-02-10", "workforce_total": str(total), "workforce_returned": str(returned),
            "returned_from_outside": "0", "outside_isolated": "0"}
    return services.declaration_file(user=w.users[Role.CITY_ADMIN], unit=unit, data=data, today=date(2020, 2, 5))


def counted(site, people: dict[date, int]) -> None:
    AdmittedDaily.objects.bulk_create([AdmittedDaily(site=site, day=day, people=n, admitted=n, refused=0,
                                                     counted_at=COUNTED) for day, n in people.items()])


def row(w, unit: Unit, user_role=Role.COUNTY_OFFICER) -> Unit:
    return selectors.units_overview(user=w.users[user_role], today=TODAY).get(pk=unit.pk)


def test_a_unit_admitting_far_fewer_than_it_declared_is_flagged(world):
    declare(world, world.unit_a, returned=100)
    counted(world.site_a, {date(2020, 2, 27): 55, date(2020, 2, 28): 62, date(2020, 3, 1): 40})

    u = row(world, world.unit_a)

    assert (u.measured, u.returned_declared, u.workforce_gap) == (62, 100, True)  # the highest day, 38% short
    officer = world.users[Role.COUNTY_OFFICER]
    assert list(selectors.units_overview(user=officer, today=TODAY, show="gap")) == [world.unit_a]


def test_a_gap_within_the_citys_setting_is_not_flagged_and_the_setting_moves_the_line(world, settings):
    declare(world, world.unit_a, returned=100)
    counted(world.site_a, {date(2020, 2, 28): 130})  # 30% more: at the line, not past it
    assert row(world, world.unit_a).workforce_gap is False
    AdmittedDaily.objects.filter(day=date(2020, 2, 28)).update(people=131)
    assert row(world, world.unit_a).workforce_gap is True  # more than declared is a gap too
    AdmittedDaily.objects.filter(day=date(2020, 2, 28)).update(people=75)
    assert row(world, world.unit_a).workforce_gap is False
    settings.WORKFORCE_GAP_PCT = 20
    assert row(world, world.unit_a).workforce_gap is True


def test_the_measured_figure_sums_the_units_sites_and_reads_only_the_span(world):
    declare(world, world.unit_a, returned=100)
    second = SiteFactory(unit=world.unit_a)
    counted(world.site_a, {date(2020, 2, 28): 50, date(2020, 2, 16): 100, date(2020, 3, 2): 100})
    counted(second, {date(2020, 2, 28): 45})
    # 16 February is before the span, 2 March is the day in progress: neither counts.
    assert (row(world, world.unit_a).measured, row(world, world.unit_a).workforce_gap) == (95, False)


def test_a_unit_without_gate_data_is_not_measured_never_a_false_gap(world):
    declare(world, world.unit_a, returned=100)
    counted(world.site_a, {date(2020, 2, 10): 3})  # the gate was used, but not in the span
    u = row(world, world.unit_a)
    assert (u.measured, u.returned_declared, u.workforce_gap) == (None, 100, False)
    counted(world.site_b, {date(2020, 2, 28): 3})  # measured, but nothing declared to compare with
    u = row(world, world.unit_b, Role.CITY_ADMIN)
    assert (u.measured, u.returned_declared, u.workforce_gap) == (3, None, False)

    client = Client()
    client.force_login(world.users[Role.CITY_ADMIN])
    with demo_clock(TODAY):
        body = client.get(reverse("resumption:unit", args=[world.unit_a.pk])).content.decode()
        listing = client.get(reverse("resumption:units")).content.decode()
    assert 'data-testid="workforce-not-measured"' in body and "未测量" in body
    assert 'data-testid="workforce-gap"' not in listing and "未测量" in listing and "3 / —" in listing


def test_the_unit_page_shows_each_days_admitted_beside_the_declared_figure_from_the_gate(world):
    declare(world, world.unit_a, returned=100)
    people = PersonFactory.create_batch(3)
    entered = datetime(2020, 2, 29, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    for i, person in enumerate(people):
        Entry.objects.create(client_uuid=uuid.uuid4(), site=world.site_a, person=person, entered_at=entered,
                             temperature=Decimal("38.1" if i == 2 else "36.5"), decision="refuse" if i == 2 else
                             "admit", reason="fever" if i == 2 else "ok")
    jobs.count_admitted(now=COUNTED)  # the night of 1 to 2 March in Shanghai counts through 1 March
    client = Client()
    client.force_login(world.users[Role.COUNTY_OFFICER])

    with demo_clock(TODAY):
        body = client.get(reverse("resumption:unit", args=[world.unit_a.pk])).content.decode()

    assert "<td>2020-02-29</td><td class=\"num\">2</td><td class=\"num\">100</td>" in body  # fever: not admitted
    assert "<td>2020-02-28</td><td class=\"num\"><span class=\"muted\">—</span></td>" in body
    assert 'data-testid="workforce-gap"' in body and "超过申报人数的 30% 时向县区标出（本市的设置）" in body
    assert "-98%" in body  # 2 admitted against 100 declared


def test_the_county_officer_of_another_county_sees_neither_the_unit_nor_its_figures(world):
    declare(world, world.unit_a, returned=100)
    counted(world.site_a, {date(2020, 2, 28): 20})
    other = UserFactory.create(username="county-b", role=Role.COUNTY_OFFICER, region=world.unit_b.county)
    assert not selectors.units_overview(user=other, today=TODAY, show="gap").exists()
    client = Client()
    client.force_login(other)
    with demo_clock(TODAY):
        assert client.get(reverse("resumption:unit", args=[world.unit_a.pk])).status_code == 404
        listing = client.get(reverse("resumption:units") + "?show=gap").content.decode()
    assert world.unit_a.name not in listing and 'data-testid="workforce-gap"' not in listing


def test_the_flag_of_a_page_of_units_costs_no_query_per_unit(world, django_assert_max_num_queries, settings):
    admin = world.users[Role.CITY_ADMIN]
    client = Client()
    client.force_login(admin)
    url = reverse("resumption:units") + "?show=gap"
    settings.SESSION_TOUCH_SECONDS = 10**9  # the session's expiry is written once, by the first request
    client.get(url)

    def add_units(n: int) -> None:
        for _ in range(n):
            unit = UnitFactory(county=world.unit_a.county)
            declare(world, unit, returned=100)
            counted(SiteFactory(unit=unit), {date(2020, 2, 28): 10})
            counted(SiteFactory(unit=unit), {date(2020, 2, 28): 10, date(2020, 2, 27): 5})

    def queries() -> tuple[int, str]:
        with demo_clock(TODAY), CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        return len(captured), body

    add_units(2)
    few, body = queries()
    assert body.count('data-testid="workforce-gap"') == 2
    add_units(8)
    many, body = queries()
    assert body.count('data-testid="workforce-gap"') == 10 and many == few
    with demo_clock(TODAY), django_assert_max_num_queries(few):
        client.get(url)


def test_the_demo_counts_its_gate_sites_and_flags_the_park_whose_workers_could_not_all_return():
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from zhengtong.tests_support.demo import ANCHOR

    # The named sites at their full size (the declarations' figures are not scaled down with them).
    with demo_clock(ANCHOR):
        call_command("demo", "--units", "50", "--sites", "5", "--people", "30000", "--today", ANCHOR.isoformat(),
                     stdout=open("/dev/null", "w"))
        rows = {u.name: u for u in selectors.with_workforce(Unit.objects.all(), ANCHOR).filter(measured__isnull=False)}
    assert {"广铁工务大修段衡阳焊轨车间", "湖南中科光电有限公司", "特变电工集团南方智能电网科技产业园"} <= set(rows)
    flagged = {name for name, u in rows.items() if u.workforce_gap}
    assert "特变电工集团南方智能电网科技产业园" in flagged
    assert not {"广铁工务大修段衡阳焊轨车间", "湖南中科光电有限公司"} & flagged
    county = User.objects.get(username="county")  # 衡南县: one of its factories screens at its gate
    assert selectors.units_overview(user=county, today=ANCHOR).filter(measured__isnull=False).exists()
    # ... and declared about twice the people its gate admits: the county officer sees its gap flagged
    gaps = list(selectors.units_overview(user=county, today=ANCHOR, show="gap"))
    assert len(gaps) == 1 and gaps[0].county.code == "430422"
    assert gaps[0].measured < gaps[0].returned_declared * 0.6
    client = Client()
    client.force_login(county)
    with demo_clock(ANCHOR):
        body = client.get(reverse("resumption:units") + "?show=gap").content.decode()
    assert gaps[0].name in body and 'data-testid="workforce-gap"' in body
