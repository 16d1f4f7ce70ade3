"""Issue 15, step 2: bad input on the screening pages never reaches a 500. Ids of pass cards, health
checks and areas are ASCII digits (``str.isdigit()`` takes "²", which ``int()`` and the databases
refuse); a time in the year 9999 is a wrong clock like one in the year 1; a NUL (which PostgreSQL
refuses, even in a query) or another control character in a search or a text is an answer, never a
server error, and a refusal names the field."""

import re

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Person
from zhengtong.screening.models import Area, Disinfection, Entry, HealthCheck
from zhengtong.tests_support.codes import make_id_number

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
OTHER_DIGITS = ["²", "٣", "１", "1²"]


def as_role(client, world, role):
    client.force_login(world.users[role])
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("person", [*OTHER_DIGITS, "99999999999999999999999", "a\x00b"])
def test_pass_cards_of_a_person_by_a_bad_id_are_an_empty_page(client, world, person):
    manager = as_role(client, world, Role.SITE_MANAGER)
    response = manager.get(reverse("screening:pass_cards", args=[world.site_a.pk]), {"person": person})
    assert response.status_code == 200
    assert world.person_a.name not in response.content.decode()


@pytest.mark.parametrize("person", [*OTHER_DIGITS, "99999999999999999999"])
def test_a_health_check_of_a_bad_person_id_is_not_found(client, world, person):
    manager = as_role(client, world, Role.SITE_MANAGER)
    response = manager.post(reverse("screening:health_check_record", args=[world.site_a.pk]),
                            {"person": person, "temperature": "36.5"})
    assert response.status_code == 404
    assert not HealthCheck.objects.exists()


@pytest.mark.parametrize("area", [*OTHER_DIGITS, "99999999999999999999"])
def test_a_gate_entrance_by_a_bad_id_is_an_input_error_naming_the_entrance(client, world, area):
    Area.objects.create(site=world.site_a, name="食堂")
    gate = as_role(client, world, Role.GATEKEEPER)
    response = gate.post(reverse("screening:gate_screen", args=[world.site_a.pk]),
                         {"code": "张三", "temperature": "36.5", "area": area}, **HTMX)
    assert response.status_code == 200
    assert re.search(r'class="answer answer-error"[^>]*data-focus="area"', response.content.decode())
    assert not Entry.objects.exists()


@pytest.mark.parametrize("visit_host", ["王\x01科长", "王\x7f"])
def test_a_visit_with_a_control_character_is_an_input_error_naming_it_and_registers_nobody(client, world,
                                                                                          visit_host):
    gate = as_role(client, world, Role.GATEKEEPER)
    people = Person.objects.count()
    response = gate.post(reverse("screening:gate_screen", args=[world.site_a.pk]), {
        "code": make_id_number(), "temperature": "36.5", "visitor_name": "访客乙", "visit_host": visit_host,
        "visit_purpose": "送货"}, **HTMX)
    assert response.status_code == 200
    assert re.search(r'class="answer answer-error"[^>]*data-focus="visit_host" data-visitor="full"',
                     response.content.decode())
    assert not Entry.objects.exists() and Person.objects.count() == people


@pytest.mark.parametrize("done_at", ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59"])
def test_a_disinfection_time_in_the_year_9999_is_a_form_error_naming_the_time(client, world, done_at):
    manager = as_role(client, world, Role.SITE_MANAGER)
    canteen = Area.objects.create(site=world.site_a, name="食堂")
    response = manager.post(reverse("screening:disinfection", args=[world.site_a.pk]),
                            {"area": canteen.pk, "agent": "含氯消毒液", "operator": "王师傅", "done_at": done_at})
    assert response.status_code == 400
    assert re.search(r'id="done_at-errors".*in the future', response.content.decode(), re.S)
    assert not Disinfection.objects.exists()


@pytest.mark.parametrize(("name", "params"), [
    ("screening:gate_home", {"q": "a\x00b"}),
    ("screening:site_list", {"q": "a\x00b", "county": "43\x0004"}),
    ("screening:alerts", {"open": "\x00"}),
])
def test_lists_answer_a_nul_in_their_filters(client, world, name, params):
    admin = as_role(client, world, Role.CITY_ADMIN)
    assert admin.get(reverse(name), params).status_code == 200


def test_the_health_check_list_answers_a_nul_in_its_search(client, world):
    manager = as_role(client, world, Role.SITE_MANAGER)
    response = manager.get(reverse("screening:health_checks", args=[world.site_a.pk]), {"q": "张\x00三"})
    assert response.status_code == 200
