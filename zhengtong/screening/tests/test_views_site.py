"""Site pages for screening through the web client: who sees which page, the state with its
history, areas, daily health checks, disinfection, the figures, alerts and the navigation."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Site
from zhengtong.screening import selectors, services
from zhengtong.screening.models import Alert, Area, Disinfection, Entry, HealthCheck
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}
CITY, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER,
    Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER,
)
ALL = [CITY, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER, "none"]


def as_role(client, world, role):
    client.force_login(world.users[role])
    client.cookies["django_language"] = "en"
    return client


def actor(world, role=GATE):
    return services.Actor(user=world.users[role])


def figure(html: str, name: str) -> int:
    """A figure of the site page (``data-figure`` card) or of a row of the overview."""
    return int(re.search(rf'data-figure="{name}"[^>]*>(?:<div class="muted">[^<]*</div><div class="stat">)?(\d+)',
                         html).group(1))


# Who sees which page -------------------------------------------------------------------------

IN_SCOPE = {CITY, COUNTY, MANAGER, GATE}
MANAGES = {CITY, COUNTY, MANAGER}

PAGES = {
    # page: (url name, status for those in scope who do not manage the site)
    "site": ("screening:site", 200),
    "areas": ("screening:areas", 200),
    "disinfection": ("screening:disinfection", 200),
    "state": ("screening:site_state", 403),
    "health": ("screening:health_checks", 403),
    "passes": ("screening:pass_cards", 403),
}


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("page", PAGES)
def test_site_pages_follow_the_scopes(client, world, role, page):
    name, not_managing = PAGES[page]
    as_role(client, world, role)
    expected = 200 if role in MANAGES else not_managing if role in IN_SCOPE else 404
    assert client.get(reverse(name, args=[world.site_a.pk])).status_code == expected
    # another county's site is out of everyone's scope but the city's
    assert client.get(reverse(name, args=[world.site_b.pk])).status_code == (200 if role == CITY else 404)


@pytest.mark.parametrize("role", ALL)
def test_the_overview_and_the_alerts_list(client, world, role):
    as_role(client, world, role)
    response = client.get(reverse("screening:site_list"))
    assert response.status_code == (200 if role in IN_SCOPE else 403)
    if response.status_code == 200:
        html = response.content.decode()
        assert world.site_a.name in html
        assert (world.site_b.name in html) == (role == CITY)
    assert client.get(reverse("screening:alerts")).status_code == 200  # everyone has their own list


@pytest.mark.parametrize("role", [GATE, CLERK, DEPT])
def test_those_who_do_not_manage_cannot_post_changes(client, world, role):
    as_role(client, world, role)
    status = 403 if role == GATE else 404
    area = Area.objects.create(site=world.site_a, name="食堂")
    posts = {
        "screening:site_state": {"state": "closed", "visitor_policy": "none", "reason": "x"},
        "screening:areas": {"name": "新区域"},
        "screening:disinfection": {"area": area.pk, "agent": "酒精", "operator": "王"},
        "screening:health_check_record": {"person": world.person_a.pk, "temperature": "36.5"},
    }
    for name, data in posts.items():
        assert client.post(reverse(name, args=[world.site_a.pk]), data).status_code == status, name
    world.site_a.refresh_from_db()
    assert world.site_a.closed_since is None and Area.objects.count() == 1
    assert not Disinfection.objects.exists() and not HealthCheck.objects.exists()


def test_ids_out_of_range_are_not_found(client, world):
    as_role(client, world, CITY)
    assert client.get(f"/screening/sites/{2**63}/").status_code == 404
    assert client.post(f"/screening/alerts/{2**63}/acknowledge/").status_code == 404


# State ---------------------------------------------------------------------------------------


def test_closed_management_with_a_reason_and_its_history(client, world):
    manager = as_role(client, world, MANAGER)
    url = reverse("screening:site_state", args=[world.site_a.pk])
    response = manager.post(url, {"state": "closed", "closed_since": "2020-01-26", "visitor_policy": "none",
                                  "fever_threshold": "", "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    world.site_a.refresh_from_db()
    assert world.site_a.closed_since is None
    response = manager.post(url, {"state": "closed", "closed_since": "2020-01-26", "visitor_policy": "none",
                                  "fever_threshold": "37.2", "reason": "疫情防控：封闭式管理"})
    assert response.status_code == 302
    world.site_a.refresh_from_db()
    assert (str(world.site_a.closed_since), world.site_a.visitor_policy, str(world.site_a.fever_threshold)) == (
        "2020-01-26", "none", "37.2")
    history = manager.get(url).content.decode()
    assert "疫情防控：封闭式管理" in history and "manager" in history and "2020-01-26" in history
    # open again, for another reason; the page shows both changes with who and why
    manager.post(url, {"state": "open", "closed_since": "2020-01-26", "visitor_policy": "appointment",
                       "reason": "解除封闭"})
    world.site_a.refresh_from_db()
    assert world.site_a.closed_since is None and world.site_a.visitor_policy == "appointment"
    changes = selectors.site_state_history(site=world.site_a)
    assert [c.reason for c in changes] == ["解除封闭", "疫情防控：封闭式管理"]
    assert all(c.who == "manager" for c in changes)


def test_closing_without_a_date_closes_from_today_and_a_bad_threshold_is_named(client, world):
    manager = as_role(client, world, MANAGER)
    url = reverse("screening:site_state", args=[world.site_a.pk])
    response = manager.post(url, {"state": "closed", "visitor_policy": "none", "fever_threshold": "39.5",
                                  "reason": "x"})
    assert response.status_code == 400 and 'data-field="fever_threshold"' in response.content.decode()
    assert "37.0 and 38.5" in response.content.decode()
    manager.post(url, {"state": "closed", "visitor_policy": "none", "reason": "x"})
    world.site_a.refresh_from_db()
    assert world.site_a.closed_since == timezone.localdate()


# Areas ---------------------------------------------------------------------------------------


def test_areas_are_listed_and_added_once(client, world):
    manager = as_role(client, world, MANAGER)
    url = reverse("screening:areas", args=[world.site_a.pk])
    assert manager.post(url, {"name": "二号宿舍"}).status_code == 302
    assert manager.post(url, {"name": "二号宿舍"}).status_code == 400
    assert manager.post(url, {"name": ""}).status_code == 400
    assert list(Area.objects.values_list("name", flat=True)) == ["二号宿舍"]
    client.force_login(world.users[GATE])
    html = client.get(url).content.decode()
    assert "二号宿舍" in html and 'name="name"' not in html  # the gatekeeper sees, does not add


# Daily health checks -------------------------------------------------------------------------


def test_health_checks_take_one_temperature_after_another(client, world):
    manager = as_role(client, world, MANAGER)
    other = PersonFactory(site=world.site_a, name="王五", relation="inmate")
    PersonFactory(site=world.site_a, name="访客", relation="visitor")
    page = reverse("screening:health_checks", args=[world.site_a.pk])
    record = reverse("screening:health_check_record", args=[world.site_a.pk])
    html = manager.get(page).content.decode()
    assert f'data-person="{world.person_a.pk}"' in html and f'data-person="{other.pk}"' in html
    assert "访客" not in html  # visitors are not checked daily
    response = manager.post(record, {"person": world.person_a.pk, "temperature": "36.5"}, **HTMX)
    assert response.status_code == 200 and 'data-testid="hc-result"' in response.content.decode()
    response = manager.post(record, {"person": other.pk, "temperature": "98.6"}, **HTMX)
    assert "Fahrenheit" in response.content.decode() and 'name="temperature"' in response.content.decode()
    assert HealthCheck.objects.count() == 1
    response = manager.post(record, {"person": other.pk, "temperature": "38.1"}, **HTMX)
    assert "fever" in response.content.decode()
    assert set(Alert.objects.filter(kind="health_fever").values_list("recipient__username", flat=True)) == {
        "manager", "county"}
    html = manager.get(page).content.decode()
    assert f'data-person="{world.person_a.pk}"' not in html.split('data-testid="checked"')[0]
    assert "Everyone has been checked today." in html and "38.1" in html  # the manager sees temperatures


def test_a_health_check_of_someone_not_of_the_site_is_not_found(client, world):
    manager = as_role(client, world, MANAGER)
    visitor = PersonFactory(site=world.site_a, relation="visitor")
    record = reverse("screening:health_check_record", args=[world.site_a.pk])
    for person in (world.person_b, visitor):
        assert manager.post(record, {"person": person.pk, "temperature": "36.5"}).status_code == 404
    assert not HealthCheck.objects.exists()


def test_without_javascript_a_health_check_returns_to_the_list(client, world):
    manager = as_role(client, world, MANAGER)
    response = manager.post(reverse("screening:health_check_record", args=[world.site_a.pk]),
                            {"person": world.person_a.pk, "temperature": "37.6"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("screening:health_checks", args=[world.site_a.pk])
    assert "has a fever" in response.content.decode()


# Disinfection --------------------------------------------------------------------------------


def test_disinfection_is_logged_and_overdue_areas_are_flagged(client, world):
    manager = as_role(client, world, MANAGER)
    canteen = Area.objects.create(site=world.site_a, name="食堂")
    dorm = Area.objects.create(site=world.site_a, name="宿舍")
    url = reverse("screening:disinfection", args=[world.site_a.pk])
    html = manager.get(reverse("screening:site", args=[world.site_a.pk])).content.decode()
    assert figure(html, "overdue_areas") == 2  # never disinfected
    response = manager.post(url, {"area": canteen.pk, "agent": "含氯消毒液", "operator": "王师傅",
                                  "done_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    Disinfection.objects.create(site=world.site_a, area=dorm, agent="75%酒精", operator="李师傅",
                                done_at=timezone.now() - timedelta(hours=30))
    html = manager.get(url).content.decode()
    assert re.search(rf'data-area="{canteen.pk}" class="" data-overdue="0"', html)
    assert re.search(rf'data-area="{dorm.pk}" class="overdue" data-overdue="1"', html)
    html = manager.get(reverse("screening:site", args=[world.site_a.pk])).content.decode()
    assert figure(html, "overdue_areas") == 1
    Site.objects.filter(pk=world.site_a.pk).update(disinfection_interval_hours=48)
    html = manager.get(reverse("screening:site", args=[world.site_a.pk])).content.decode()
    assert figure(html, "overdue_areas") == 0


def test_a_disinfection_needs_its_fields_and_an_area_of_the_site(client, world):
    manager = as_role(client, world, MANAGER)
    Area.objects.create(site=world.site_a, name="食堂")
    other = Area.objects.create(site=world.site_b, name="车间")
    url = reverse("screening:disinfection", args=[world.site_a.pk])
    response = manager.post(url, {"area": other.pk, "agent": "", "operator": ""})
    assert response.status_code == 400
    assert not Disinfection.objects.exists()


@pytest.mark.parametrize("done_at", ["0001-01-01T00:00", "1970-01-01T08:00"])
def test_a_disinfection_time_from_a_wrong_clock_is_a_form_error(client, world, done_at):
    manager = as_role(client, world, MANAGER)
    canteen = Area.objects.create(site=world.site_a, name="食堂")
    response = manager.post(reverse("screening:disinfection", args=[world.site_a.pk]),
                            {"area": canteen.pk, "agent": "含氯消毒液", "operator": "王师傅", "done_at": done_at})
    assert response.status_code == 400
    html = response.content.decode()
    assert "days ago; check the device" in html or "天前：请检查设备时钟" in html
    assert not Disinfection.objects.exists()


# Figures -------------------------------------------------------------------------------------


def test_the_site_page_figures(client, world):
    gate = actor(world)
    visitor = PersonFactory(site=world.site_a, relation="visitor")
    services.entry_screen(actor=gate, site=world.site_a, person=world.person_a, temperature="36.5")
    services.entry_screen(actor=gate, site=world.site_a, person=visitor, temperature="38.0")
    worker = PersonFactory(site=world.site_a, name="王五")
    services.entry_screen(actor=gate, site=world.site_a, person=worker, temperature="36.6")
    services.exit_record(actor=gate, site=world.site_a, person=worker)
    # an admission yesterday without an exit is no longer inside (maximum stay), nor today's
    Entry.objects.create(client_uuid="00000000-0000-0000-0000-000000000001", site=world.site_a,
                         person=PersonFactory(site=world.site_a), entered_at=timezone.now() - timedelta(days=1),
                         temperature="36.5", decision="admit", reason="ok")
    services.health_check_record(user=world.users[MANAGER], site=world.site_a, person=world.person_a,
                                 temperature="36.4")
    manager = as_role(client, world, MANAGER)
    html = manager.get(reverse("screening:site", args=[world.site_a.pk])).content.decode()
    assert figure(html, "inside_now") == 1
    assert figure(html, "admitted_today") == 2
    assert figure(html, "refused_today") == 1
    assert figure(html, "unchecked_today") == 2  # 王五 and the one from yesterday; not the visitor
    assert figure(html, "open_alerts") == 1  # the manager's own fever alert
    assert "张三" in html.split('data-testid="inside-now"')[1]


def test_the_county_officer_sees_the_county_figures_in_a_constant_number_of_queries(
        client, world, django_assert_max_num_queries, settings):
    county = as_role(client, world, COUNTY)
    url = reverse("screening:site_list")
    settings.SESSION_TOUCH_SECONDS = 10**9  # the session's expiry is written once, by the first request
    county.get(url)
    with django_assert_max_num_queries(40) as few:
        county.get(url)
    baseline = len(few.captured_queries)
    for i in range(12):
        site = SiteFactory(name=f"衡南场所{i}")
        person = PersonFactory(site=site)
        services.entry_screen(actor=actor(world, COUNTY), site=site, person=person,
                              temperature="38.5" if i % 3 else "36.5")
        Area.objects.create(site=site, name="车间")
    with django_assert_max_num_queries(baseline) as many:
        html = county.get(url).content.decode()
    assert len(many.captured_queries) == baseline
    totals = html.split('data-testid="totals"')[1].split("</tr>")[0]
    assert figure(totals, "refused_today") == 8 and figure(totals, "admitted_today") == 4
    assert figure(totals, "overdue_areas") == 12 and figure(totals, "open_alerts") == 8
    assert world.site_b.name not in html


def test_the_overview_filters_and_the_city_sees_every_county(client, world):
    services.site_set_state(user=world.users[CITY], site=world.site_b, data={"closed_since": "2020-01-26",
                                                                             "reason": "x"})
    city = as_role(client, world, CITY)
    html = city.get(reverse("screening:site_list")).content.decode()
    assert world.site_a.name in html and world.site_b.name in html
    html = city.get(reverse("screening:site_list"), {"closed": "on"}).content.decode()
    assert world.site_a.name not in html and world.site_b.name in html
    html = city.get(reverse("screening:site_list"), {"county": "430422"}).content.decode()
    assert world.site_a.name in html and world.site_b.name not in html


# Alerts and navigation -----------------------------------------------------------------------


def test_alerts_are_listed_and_acknowledged_by_their_recipient_only(client, world):
    services.entry_screen(actor=actor(world), site=world.site_a, person=world.person_a, temperature="38.5")
    mine = Alert.objects.get(recipient=world.users[MANAGER])
    theirs = Alert.objects.get(recipient=world.users[COUNTY])
    manager = as_role(client, world, MANAGER)
    html = manager.get(reverse("screening:alerts")).content.decode()
    assert f'data-alert="{mine.pk}"' in html and f'data-alert="{theirs.pk}"' not in html
    nav = re.search(r'<a href="/screening/alerts/"[^>]*data-nav="alerts">([^<]*)</a>', html).group(1)
    assert nav == "Alerts (1)"
    assert manager.post(reverse("screening:alert_acknowledge", args=[theirs.pk])).status_code == 404
    assert manager.get(reverse("screening:alert_acknowledge", args=[mine.pk])).status_code == 405
    assert manager.post(reverse("screening:alert_acknowledge", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.acknowledged_at is not None and theirs.acknowledged_at is None
    html = manager.get(reverse("screening:alerts") + "?open=1").content.decode()
    assert f'data-alert="{mine.pk}"' not in html
    assert re.search(r'data-nav="alerts">Alerts</a>', html)


def test_the_navigation_per_role(client, world):
    expected = {
        CITY: {"gate", "screening", "alerts"}, COUNTY: {"screening", "alerts"},
        MANAGER: {"gate", "screening", "alerts"}, GATE: {"gate", "screening"},
        CLERK: set(), DEPT: set(), REVIEWER: set(), "none": set(),
    }
    for role, keys in expected.items():
        as_role(client, world, role)
        html = client.get("/").content.decode()
        found = set(re.findall(r'data-nav="(gate|screening|alerts)"', html))
        assert found == keys, role


def test_a_site_without_history_rows_shows_its_page_and_its_state_page(client, world):
    site = world.site_a
    site.history.all().delete()  # as the demo's and an import's sites: written without history
    as_role(client, world, CITY)
    assert client.get(reverse("screening:site", args=[site.pk])).status_code == 200
    assert client.get(reverse("screening:site_state", args=[site.pk])).status_code == 200
    assert selectors.site_state_history(site=site) == []
