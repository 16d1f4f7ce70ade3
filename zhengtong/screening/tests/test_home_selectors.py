"""Screening's part of the home page: ``todo`` and ``figures`` for each role."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zhengtong.accounts.models import Role
from zhengtong.core.panels import Todo
from zhengtong.screening import selectors, services
from zhengtong.screening.models import Area

pytestmark = pytest.mark.django_db


def todo(world, role):
    with override("en"):
        return selectors.todo(user=world.users[role], today=timezone.localdate())


@pytest.fixture
def fever(world):
    """A refused fever at site_a's gate (an alert to its manager and county officer) and an area
    never disinfected."""
    services.entry_screen(actor=services.Actor(user=world.users[Role.GATEKEEPER]), site=world.site_a,
                          person=world.person_a, temperature="38.5")
    Area.objects.create(site=world.site_a, name="食堂")


def test_a_site_manager_sees_alerts_unchecked_people_and_areas_overdue(world, fever):
    site = world.site_a
    assert todo(world, Role.SITE_MANAGER) == [
        Todo(text="1 open alert to acknowledge.", url=reverse("screening:alerts")),
        Todo(text=f"{site.name}: 1 person not checked today.", url=reverse("screening:health_checks", args=[site.pk])),
        Todo(text=f"{site.name}: 1 area overdue for disinfection.",
             url=reverse("screening:disinfection", args=[site.pk])),
    ]


def test_a_gatekeeper_is_sent_to_the_gate(world, fever):
    assert todo(world, Role.GATEKEEPER) == [
        Todo(text=f"Open the gate screen of {world.site_a.name}.",
             url=reverse("screening:gate", args=[world.site_a.pk]))]


def test_a_county_officer_sees_the_alert_and_the_overview(world, fever):
    assert [t.url for t in todo(world, Role.COUNTY_OFFICER)] == [
        reverse("screening:alerts"), reverse("screening:site_list")]


@pytest.mark.parametrize("role", [Role.ENTERPRISE_CLERK, Role.DEPARTMENT_OFFICER, Role.PERMIT_REVIEWER, "none"])
def test_roles_without_screening_get_no_screening_to_do(world, fever, role):
    assert todo(world, role) == []


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.SITE_MANAGER, Role.GATEKEEPER])
def test_the_home_page_shows_no_screening_figures(world, fever, role):
    assert selectors.figures(user=world.users[role], now=timezone.now()) == []
