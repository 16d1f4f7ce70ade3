"""The home page: each role's assignments, figures and to-dos, composed from the domain apps'
``todo`` and ``figures`` selectors in a fixed order."""

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.dashboard import selectors as dashboard
from zhengtong.dashboard.selectors import home_panels
from zhengtong.outbreak import selectors as outbreak
from zhengtong.permits import selectors as permits
from zhengtong.registry import selectors as registry
from zhengtong.resumption import selectors as resumption
from zhengtong.screening import selectors as screening
from zhengtong.screening import services
from zhengtong.screening.models import Area
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db

MANAGER, GATE, CLERK = Role.SITE_MANAGER, Role.GATEKEEPER, Role.ENTERPRISE_CLERK


def fever(world):
    services.entry_screen(actor=services.Actor(user=world.users[GATE]), site=world.site_a, person=world.person_a,
                          temperature="38.5")


def test_the_home_page_lists_screening_to_dos(world):
    fever(world)
    Area.objects.create(site=world.site_a, name="食堂")
    texts = " ".join(t.text for t in home_panels(user=world.users[MANAGER])["todo"])
    assert "1 open alert" in texts or "1" in texts
    urls = {t.url for t in home_panels(user=world.users[MANAGER])["todo"]}
    assert reverse("screening:health_checks", args=[world.site_a.pk]) in urls
    assert reverse("screening:disinfection", args=[world.site_a.pk]) in urls
    assert reverse("screening:alerts") in urls
    gate_urls = {t.url for t in home_panels(user=world.users[GATE])["todo"]}
    assert reverse("screening:gate", args=[world.site_a.pk]) in gate_urls
    assert not any("screening" in t.url for t in home_panels(user=world.users[CLERK])["todo"])
    assert not any("screening" in t.url for t in home_panels(user=UserFactory(username="x"))["todo"])


def test_the_panels_come_from_the_registry_then_screening_then_outbreak_then_permits_then_resumption():
    assert dashboard.PANEL_SOURCES == (registry, screening, outbreak, permits, resumption)


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.COUNTY_OFFICER, MANAGER, GATE, CLERK])
def test_the_home_page_shows_each_apps_figures_and_to_dos_in_that_order(world, role):
    fever(world)
    user = world.users[role]
    today, now = timezone.localdate(), timezone.now()
    panels = home_panels(user=user)
    assert panels["todo"] == [t for app in dashboard.PANEL_SOURCES for t in app.todo(user=user, today=today)]
    assert panels["figures"] == [f for app in dashboard.PANEL_SOURCES for f in app.figures(user=user, now=now)]
    assert panels["has_role"]


def test_the_home_page_shows_the_figures_and_to_dos(client, world):
    fever(world)
    client.force_login(world.users[MANAGER])
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("registry:person_list")}"' in body  # the People figure
    assert f'href="{reverse("screening:health_checks", args=[world.site_a.pk])}"' in body
    assert 'data-testid="role"' in body


def test_a_user_without_a_role_is_asked_to_get_one(client, world):
    client.force_login(world.users["none"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not response.context["panels"]["has_role"]
