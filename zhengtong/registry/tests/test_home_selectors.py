"""The registry's part of the home page: ``todo`` and ``figures`` for each role, scoped."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zhengtong.accounts.models import Role
from zhengtong.core.panels import Figure, Todo
from zhengtong.registry import selectors

pytestmark = pytest.mark.django_db


def todo(world, role):
    with override("en"):
        return selectors.todo(user=world.users[role], today=timezone.localdate())


def figures(world, role):
    with override("en"):
        return selectors.figures(user=world.users[role], now=timezone.now())


def test_a_clerk_is_asked_to_complete_the_unit_and_check_its_registration(world):
    assert todo(world, Role.ENTERPRISE_CLERK) == [
        Todo(text="1 units lack an address, a legal representative or a contact phone.",
             url=reverse("registry:unit_list") + "?incomplete=1"),
        Todo(text=f"Check your unit's registration: {world.unit_a.name}.",
             url=reverse("registry:unit_detail", args=[world.unit_a.pk])),
    ]


def test_the_city_counts_incomplete_units_across_the_city(world):
    assert [t.text for t in todo(world, Role.CITY_ADMIN)] == [
        "2 units lack an address, a legal representative or a contact phone."]


def test_a_complete_unit_leaves_no_such_to_do(world):
    for unit in (world.unit_a, world.unit_b):
        unit.contact_phone, unit.legal_representative, unit.address = "0734-1234567", "王五", "衡南县一号路"
        unit.save()
    assert todo(world, Role.CITY_ADMIN) == []


def test_a_site_manager_is_sent_to_the_site_and_a_department_officer_gets_nothing(world):
    assert todo(world, Role.SITE_MANAGER) == [
        Todo(text=f"Open the page of your site {world.site_a.name}.",
             url=reverse("registry:site_detail", args=[world.site_a.pk]))]
    assert todo(world, Role.DEPARTMENT_OFFICER) == []
    assert todo(world, "none") == []


def test_figures_count_what_the_user_sees_and_people_only_for_who_may_see_them(world):
    units, sites, people = reverse("registry:unit_list"), reverse("registry:site_list"), reverse("registry:person_list")
    assert figures(world, Role.CITY_ADMIN) == [
        Figure("Units", 2, units), Figure("Sites", 2, sites), Figure("People", 2, people)]
    assert figures(world, Role.SITE_MANAGER) == [
        Figure("Units", 1, units), Figure("Sites", 1, sites), Figure("People", 1, people)]
    assert figures(world, Role.DEPARTMENT_OFFICER) == [Figure("Units", 1, units), Figure("Sites", 1, sites)]
    assert figures(world, "none") == [Figure("Units", 0, units), Figure("Sites", 0, sites)]
