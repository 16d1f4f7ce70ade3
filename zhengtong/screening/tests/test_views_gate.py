"""The gate screen and the pass cards, through the web client: who may open them, and the
screening flow (admit, fever, visitor under closed management, input error, exit)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Person, SitePerson
from zhengtong.screening import services
from zhengtong.screening.models import Alert, Area, Entry
from zhengtong.screening.passes import pass_code
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(client, world, role):
    client.force_login(world.users[role])
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def gate(client, world):
    return client_for(client, world, Role.GATEKEEPER)


def screen(client, site, **data):
    return client.post(reverse("screening:gate_screen", args=[site.pk]), data, **HTMX)


def answer(response) -> dict:
    """The data-* attributes and the title of the big answer."""
    html = response.content.decode()
    box = re.search(r'<div class="answer answer-(\w+)"[^>]*>', html, re.S)
    assert box, html
    attrs = dict(re.findall(r'data-([\w-]+)="([^"]*)"', box.group(0)))
    title = re.search(r'<div class="answer-title">(.*?)</div>', html, re.S).group(1).strip()
    return {"class": box.group(1), "title": title, **attrs}


def close_site(world, policy="none"):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"closed_since": "2020-01-26", "visitor_policy": policy, "reason": "防疫"})
    world.site_a.refresh_from_db()


# Who may open the gate -----------------------------------------------------------------------

GATE_ACCESS = {
    Role.CITY_ADMIN: 200, Role.COUNTY_OFFICER: 200, Role.SITE_MANAGER: 200, Role.GATEKEEPER: 200,
    Role.DEPARTMENT_OFFICER: 404, Role.ENTERPRISE_CLERK: 404, Role.PERMIT_REVIEWER: 404, "none": 404,
}


@pytest.mark.parametrize(("role", "status"), GATE_ACCESS.items())
def test_the_gate_of_a_site_opens_for_those_who_screen_there(client, world, role, status):
    client_for(client, world, role)
    assert client.get(reverse("screening:gate", args=[world.site_a.pk])).status_code == status
    assert client.post(reverse("screening:gate_identify", args=[world.site_a.pk]),
                       {"code": "张三"}).status_code == status
    response = screen(client, world.site_a, code=world.person_a.name, temperature="36.5")
    assert response.status_code == (200 if status == 200 else 404)


@pytest.mark.parametrize("role", [Role.GATEKEEPER, Role.SITE_MANAGER, Role.COUNTY_OFFICER])
def test_the_gate_of_another_county_site_is_not_found(client, world, role):
    client_for(client, world, role)
    assert client.get(reverse("screening:gate", args=[world.site_b.pk])).status_code == 404
    assert screen(client, world.site_b, code=world.person_b.name, temperature="36.5").status_code == 404
    assert not Entry.objects.exists()


def test_the_city_may_screen_anywhere(client, world):
    client_for(client, world, Role.CITY_ADMIN)
    assert answer(screen(client, world.site_b, code="李四", temperature="36.5"))["result"] == "admit"


def test_the_gate_home_sends_a_gatekeeper_to_the_gate_and_refuses_others(client, world):
    gate = client_for(client, world, Role.GATEKEEPER)
    response = gate.get(reverse("screening:gate_home"))
    assert response.status_code == 302 and response.url == reverse("screening:gate", args=[world.site_a.pk])
    for role in (Role.ENTERPRISE_CLERK, Role.DEPARTMENT_OFFICER, "none"):
        client.logout()
        client_for(client, world, role)
        assert client.get(reverse("screening:gate_home")).status_code == 403
    client.logout()
    client_for(client, world, Role.CITY_ADMIN)
    response = client.get(reverse("screening:gate_home"))
    assert response.status_code == 200
    assert world.site_a.name in response.content.decode() and world.site_b.name in response.content.decode()


def test_the_gate_page_shows_the_state_the_areas_and_keyboard_first_boxes(gate, world):
    close_site(world)
    Area.objects.create(site=world.site_a, name="二号宿舍")
    html = gate.get(reverse("screening:gate", args=[world.site_a.pk])).content.decode()
    assert 'data-state="closed"' in html and "二号宿舍" in html
    assert re.search(r'<input id="gate-code" name="code"[^>]*autofocus', html)
    assert 'name="mode" value="exit"' in html and 'name="client_uuid"' in html


# Identify ------------------------------------------------------------------------------------


def identify(client, site, **params):
    html = client.post(reverse("screening:gate_identify", args=[site.pk]), params).content.decode()
    return re.search(r'data-state="(\w+)"', html).group(1), html


def test_identify_by_pass_id_number_and_name(gate, world):
    state, html = identify(gate, world.site_a, code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk))
    assert state == "person" and "张三" in html and world.person_a.id_number_masked in html
    number = make_id_number()
    person = PersonFactory(site=world.site_a, name="王五", id_number=number)
    state, html = identify(gate, world.site_a, code=number)
    assert state == "person" and "王五" in html
    assert number not in html  # the gate shows the masked number only
    state, html = identify(gate, world.site_a, code="王五")
    assert state == "person" and f'name="person" value="{person.pk}"' in html


def test_identify_offers_a_choice_a_visitor_registration_or_says_what_is_wrong(gate, world):
    PersonFactory(site=world.site_a, name="张三丰")
    state, html = identify(gate, world.site_a, code="张三")
    assert state == "choose" and html.count("data-person=") == 2
    state, _ = identify(gate, world.site_a, code="张三", person=world.person_a.pk)
    assert state == "person"
    assert identify(gate, world.site_a, code=make_id_number())[0] == "visitor"
    assert identify(gate, world.site_a, code=make_id_number(county="430421"))[0] == "visitor"
    bad = make_id_number()
    state, html = identify(gate, world.site_a, code=bad[:-1] + ("1" if bad[-1] != "1" else "2"))
    assert state == "error" and "should be" in html
    assert identify(gate, world.site_a, code="无此人")[0] == "error"
    assert identify(gate, world.site_a, code="李四")[0] == "error"  # another site's person by name


def test_a_person_known_elsewhere_is_a_visitor_here_and_their_name_is_not_shown(gate, world):
    number = make_id_number()
    PersonFactory(site=world.site_b, name="赵六", id_number=number)
    state, html = identify(gate, world.site_a, code=number)
    assert state == "visitor" and "赵六" not in html


# Screening -----------------------------------------------------------------------------------


def test_a_person_of_the_site_is_admitted_by_pass(gate, world):
    code = pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)
    a = answer(screen(gate, world.site_a, code=code, temperature="36.5"))
    assert (a["class"], a["result"], a["reason"], a["title"]) == ("admit", "admit", "ok", "Admit")
    entry = Entry.objects.get()
    assert (entry.person, entry.decision, str(entry.temperature)) == (world.person_a, "admit", "36.5")
    assert entry.recorded_by == world.users[Role.GATEKEEPER] and entry.source == "page"
    assert a["next-uuid"] and a["next-uuid"] != str(entry.client_uuid)


def test_admitted_by_id_number_and_by_name(gate, world):
    number = make_id_number()
    PersonFactory(site=world.site_a, name="王五", id_number=number)
    assert answer(screen(gate, world.site_a, code=number, temperature="36.6"))["result"] == "admit"
    assert answer(screen(gate, world.site_a, code="王五", temperature="36.6"))["result"] == "admit"
    assert Entry.objects.filter(decision="admit").count() == 2


def test_a_fever_is_refused_shown_with_the_typed_temperature_and_alerts_the_manager_and_county(gate, world):
    response = screen(gate, world.site_a, code=world.person_a.name, temperature="38.2")
    a = answer(response)
    assert (a["class"], a["reason"], a["title"]) == ("refuse", "fever", "Refuse")
    assert "38.2 °C" in response.content.decode()  # the temperature the gatekeeper just typed
    entry = Entry.objects.get()
    assert (entry.decision, entry.reason) == ("refuse", "fever")
    alerts = Alert.objects.filter(kind="fever", site=world.site_a)
    recipients = set(alerts.values_list("recipient__username", flat=True))
    assert recipients == {"manager", "county"}


def test_a_site_fever_threshold_is_applied(gate, world):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"fever_threshold": "37.0", "reason": "stricter"})
    assert answer(screen(gate, world.site_a, code="张三", temperature="37.1"))["reason"] == "fever"


def test_a_visitor_registered_at_the_gate_is_refused_under_closed_management(gate, world):
    close_site(world)
    number = make_id_number()
    a = answer(screen(gate, world.site_a, code=number, visitor_name="访客甲", visitor_phone="13800000000",
                      visit_host="李主任", visit_purpose="探视", temperature="36.4"))
    assert (a["class"], a["reason"]) == ("refuse", "closed")
    entry = Entry.objects.get()
    assert (entry.decision, entry.reason) == ("refuse", "closed")
    assert (entry.visit_host, entry.visit_purpose) == ("李主任", "探视")
    # A refused visitor is a person with an entry, and no relation to the site.
    assert not SitePerson.objects.filter(person=entry.person).exists()
    assert entry.person.name == "访客甲" and entry.person.phone == "13800000000"


# A site that refuses visitors says so as soon as the visitor is identified -----------------------


@pytest.mark.parametrize(("closed", "policy", "reason"), [(False, "none", "no_visitors"), (True, "allowed", "closed")])
def test_a_visitor_nobody_registered_is_refused_on_sight_and_only_their_name_is_asked(gate, world, closed, policy,
                                                                                      reason):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a, data={
        "closed_since": "2020-01-26" if closed else "", "visitor_policy": policy, "reason": "防疫"})
    number = make_id_number()
    state, html = identify(gate, world.site_a, code=number)
    assert state == "refused" and 'data-visitor="name"' in html and f'data-reason="{reason}"' in html
    # Without a name nothing is recorded, and the gate asks for the name only (not whom and why).
    a = answer(screen(gate, world.site_a, code=number, temperature="36.5"))
    assert (a["class"], a["visitor"], a["focus"]) == ("error", "name", "visitor_name")
    assert not Entry.objects.exists() and Person.objects.count() == 2
    a = answer(screen(gate, world.site_a, code=number, visitor_name="访客庚", visitor_phone="13800000001",
                      temperature="36.5"))
    assert (a["class"], a["reason"]) == ("refuse", reason)
    entry = Entry.objects.get()
    assert (entry.decision, entry.reason, entry.person.name) == ("refuse", reason, "访客庚")
    assert not SitePerson.objects.filter(person=entry.person).exists()
    # Reached through the site's entries, not listed among the site's people.
    manager = client_for(Client(), world, Role.SITE_MANAGER)
    people = manager.get(reverse("registry:person_list"), {"site": world.site_a.pk}).content.decode()
    assert "访客庚" not in people and "张三" in people
    assert Entry.objects.filter(site=world.site_a, person__name="访客庚").exists()
    # Identified again, the same person: refused on sight, no name asked, and still no relation.
    state, html = identify(gate, world.site_a, code=number)
    assert state == "refused" and 'data-visitor=""' in html and "访客庚" not in html
    a = answer(screen(gate, world.site_a, code=number, temperature="36.6"))
    assert (a["class"], a["reason"]) == ("refuse", reason)
    assert Person.objects.count() == 3 and not SitePerson.objects.filter(person=entry.person).exists()


def test_a_person_known_elsewhere_is_refused_on_sight_without_their_name_shown(gate, world):
    close_site(world)
    number = make_id_number()
    other = PersonFactory(site=world.site_b, name="赵六", id_number=number)
    state, html = identify(gate, world.site_a, code=number)
    assert state == "refused" and "赵六" not in html and 'data-reason="closed"' in html
    a = answer(screen(gate, world.site_a, code=number, temperature="36.5"))
    assert (a["class"], a["reason"]) == ("refuse", "closed")
    assert Entry.objects.get().person == other
    assert list(SitePerson.objects.filter(person=other).values_list("site", flat=True)) == [world.site_b.pk]


def test_the_sites_own_people_are_not_refused_on_sight(gate, world):
    close_site(world)
    state, html = identify(gate, world.site_a, code=world.person_a.name)
    assert state == "person"
    assert answer(screen(gate, world.site_a, code="张三", temperature="36.5"))["result"] == "admit"


def test_a_visitor_at_an_open_site_is_admitted_with_whom_they_visit(gate, world):
    response = screen(gate, world.site_a, code=make_id_number(), visitor_name="访客乙", visit_host="王科长",
                      temperature="36.4")
    a = answer(response)
    assert a["result"] == "admit" and "王科长" in response.content.decode()


def test_an_unregistered_visitor_must_be_registered_first_and_nothing_is_recorded(gate, world):
    a = answer(screen(gate, world.site_a, code=make_id_number(), temperature="36.4"))
    assert (a["class"], a["visitor"], a["focus"]) == ("error", "full", "visitor_name")
    assert not Entry.objects.exists() and Person.objects.count() == 2


@pytest.mark.parametrize("typed", ["98.6", "50", "", "abc", "36.5.1"])
def test_an_input_error_says_type_it_again_and_records_nothing(gate, world, typed):
    a = answer(screen(gate, world.site_a, code="张三", temperature=typed))
    assert (a["class"], a["result"], a["title"], a["focus"]) == ("error", "error", "Type it again", "temperature")
    assert not Entry.objects.exists() and not Alert.objects.exists()


def test_a_fahrenheit_reading_gets_a_hint(gate, world):
    response = screen(gate, world.site_a, code="张三", temperature="98.6")
    assert "Fahrenheit" in response.content.decode()


def test_an_input_error_of_a_visitor_registers_nobody(gate, world):
    a = answer(screen(gate, world.site_a, code=make_id_number(), visitor_name="访客丙", temperature="98.6"))
    assert a["focus"] == "temperature"
    assert not Entry.objects.exists() and Person.objects.count() == 2
    a = answer(screen(gate, world.site_a, code=make_id_number(), visitor_name="访客丙", visitor_phone="abc",
                      temperature="36.5"))
    assert (a["result"], a["focus"], a["visitor"]) == ("error", "visitor_phone", "full")
    assert Person.objects.count() == 2


def test_an_input_error_keeps_the_client_uuid_and_a_decision_gets_a_new_one(gate, world):
    key = str(uuid.uuid4())
    assert answer(screen(gate, world.site_a, code="张三", temperature="98.6", client_uuid=key))["next-uuid"] == key
    a = answer(screen(gate, world.site_a, code="张三", temperature="36.6", client_uuid=key))
    assert a["result"] == "admit" and a["next-uuid"] != key
    assert str(Entry.objects.get().client_uuid) == key


def test_a_retried_screening_is_recorded_once(gate, world):
    key = str(uuid.uuid4())
    screen(gate, world.site_a, code="张三", temperature="36.6", client_uuid=key)
    a = answer(screen(gate, world.site_a, code="张三", temperature="36.6", client_uuid=key))
    assert a["result"] == "admit" and Entry.objects.count() == 1


def test_a_client_uuid_of_another_site_shows_nothing_of_it(client, world):
    admin = client_for(client, world, Role.CITY_ADMIN)
    key = str(uuid.uuid4())
    screen(admin, world.site_b, code="李四", temperature="38.9", client_uuid=key)
    client.logout()
    gate = client_for(client, world, Role.GATEKEEPER)
    response = screen(gate, world.site_a, code="张三", temperature="36.6", client_uuid=key)
    a = answer(response)
    assert a["result"] == "error" and a["next-uuid"] != key
    assert "李四" not in response.content.decode() and "38.9" not in response.content.decode()
    assert Entry.objects.count() == 1


def test_a_pass_of_another_site_is_refused_and_records_nothing(gate, world):
    other = pass_code(site_id=world.site_b.pk, person_id=world.person_b.pk)
    a = answer(screen(gate, world.site_a, code=other, temperature="36.5"))
    assert (a["result"], a["focus"]) == ("error", "code")
    forged = pass_code(site_id=world.site_a.pk, person_id=world.person_b.pk)  # not one of the site's people
    assert answer(screen(gate, world.site_a, code=forged, temperature="36.5"))["result"] == "error"
    tampered = pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)[:-2] + "xx"
    assert answer(screen(gate, world.site_a, code=tampered, temperature="36.5"))["result"] == "error"
    assert not Entry.objects.exists()


def test_an_entry_at_an_area_and_an_area_of_another_site(gate, world):
    area = Area.objects.create(site=world.site_a, name="食堂")
    other = Area.objects.create(site=world.site_b, name="车间")
    assert answer(screen(gate, world.site_a, code="张三", temperature="36.5", area=area.pk))["result"] == "admit"
    assert Entry.objects.get().area == area
    a = answer(screen(gate, world.site_a, code="张三", temperature="36.5", area=other.pk))
    assert (a["result"], a["focus"]) == ("error", "area")
    assert Entry.objects.count() == 1


def test_an_exit_by_mode_and_by_prefix(gate, world):
    screen(gate, world.site_a, code="张三", temperature="36.5")
    a = answer(screen(gate, world.site_a, code="张三", mode="exit"))
    assert (a["class"], a["result"], a["title"]) == ("exit", "exit", "Exit recorded")
    assert Entry.objects.get().left_at is not None
    Entry.objects.update(left_at=None)
    number = make_id_number()
    PersonFactory(site=world.site_a, name="王五", id_number=number)
    screen(gate, world.site_a, code=number, temperature="36.5")
    code = pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)
    assert answer(screen(gate, world.site_a, code="-" + code))["result"] == "exit"
    assert answer(screen(gate, world.site_a, code="-" + number, temperature=""))["result"] == "exit"
    assert not Entry.objects.filter(left_at__isnull=True).exists()


def test_an_exit_without_an_entry_is_an_input_error(gate, world):
    a = answer(screen(gate, world.site_a, code="张三", mode="exit"))
    assert (a["result"], a["focus"]) == ("error", "code")
    assert answer(screen(gate, world.site_a, code="-" + make_id_number()))["result"] == "error"


def test_without_javascript_the_gate_answers_with_the_whole_page(gate, world):
    response = gate.post(reverse("screening:gate_screen", args=[world.site_a.pk]),
                         {"code": "张三", "temperature": "36.5"})
    assert response.status_code == 200 and 'id="gate-form"' in response.content.decode()
    assert answer(response)["result"] == "admit"
    response = gate.post(reverse("screening:gate_screen", args=[world.site_a.pk]),
                         {"code": "张三", "temperature": "98.6"})
    assert response.status_code == 400 and answer(response)["result"] == "error"
    assert 'value="张三"' in response.content.decode()  # what was typed stays, to be corrected


def test_the_gatekeeper_sees_no_list_of_temperatures(gate, world):
    screen(gate, world.site_a, code="张三", temperature="38.4")
    for url in (reverse("screening:gate", args=[world.site_a.pk]), reverse("screening:site", args=[world.site_a.pk])):
        html = gate.get(url).content.decode()
        assert "38.4" not in html


# Pass cards ----------------------------------------------------------------------------------

PASS_ACCESS = {
    Role.CITY_ADMIN: 200, Role.COUNTY_OFFICER: 200, Role.SITE_MANAGER: 200, Role.GATEKEEPER: 403,
    Role.DEPARTMENT_OFFICER: 404, Role.ENTERPRISE_CLERK: 404, Role.PERMIT_REVIEWER: 404, "none": 404,
}


@pytest.mark.parametrize(("role", "status"), PASS_ACCESS.items())
def test_pass_cards_are_for_site_managers(client, world, role, status):
    client_for(client, world, role)
    response = client.get(reverse("screening:pass_cards", args=[world.site_a.pk]))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "<svg" in html and "张三" in html and world.person_a.id_number_masked in html


def test_pass_cards_list_the_sites_own_people_only_and_one_card_on_request(client, world):
    manager = client_for(client, world, Role.SITE_MANAGER)
    visitor = PersonFactory(site=world.site_a, relation="visitor", name="访客丁")
    worker = PersonFactory(site=world.site_a, name="王五")
    html = manager.get(reverse("screening:pass_cards", args=[world.site_a.pk])).content.decode()
    assert html.count('class="pass-card"') == 2 and visitor.name not in html
    html = manager.get(reverse("screening:pass_cards", args=[world.site_a.pk]), {"person": worker.pk}).content.decode()
    assert html.count('class="pass-card"') == 1 and "王五" in html
    assert manager.get(reverse("screening:pass_cards", args=[world.site_b.pk])).status_code == 404



def test_visitor_fields_never_turn_one_of_the_sites_people_into_a_visitor(gate, world):
    from zhengtong.registry.identity import decrypt_id_number

    number = decrypt_id_number(world.person_a.id_number_encrypted)
    a = answer(screen(gate, world.site_a, code=number, visitor_name="张三", visit_host="x", temperature="36.5"))
    assert a["result"] == "admit"
    assert SitePerson.objects.get(site=world.site_a, person=world.person_a).relation == "worker"
    assert Entry.objects.get().visit_host == ""  # a worker visits nobody


def test_a_walk_in_visitor_is_refused_when_visits_are_by_appointment_only(gate, world):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"closed_since": "", "visitor_policy": "appointment", "reason": "开放，预约探视"})
    a = answer(screen(gate, world.site_a, code=make_id_number(), visitor_name="访客戊", temperature="36.5"))
    assert (a["result"], a["reason"]) == ("refuse", "appointment")


def test_a_visitor_with_an_appointment_is_admitted_on_its_day_only_and_keeps_it(gate, world):
    from django.utils import timezone

    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"visitor_policy": "appointment", "reason": "预约探视"})
    today = timezone.localdate()
    booked = PersonFactory(site=world.site_a, relation="visitor", name="预约甲")
    later = PersonFactory(site=world.site_a, relation="visitor", name="预约乙")
    SitePerson.objects.filter(person=booked).update(since=today)
    SitePerson.objects.filter(person=later).update(since=today + timedelta(days=3))
    a = answer(screen(gate, world.site_a, code="预约甲", visit_host="王主任", temperature="36.5"))
    assert a["result"] == "admit"
    a = answer(screen(gate, world.site_a, code="预约乙", visit_host="王主任", temperature="36.5"))
    assert (a["result"], a["reason"]) == ("refuse", "appointment")
    assert SitePerson.objects.get(person=later).since == today + timedelta(days=3)  # not overwritten
    assert Entry.objects.get(person=booked).visit_host == "王主任"


# Former members ---------------------------------------------------------------------------------


def test_a_former_member_is_shown_as_former_with_the_end_date_and_refused_as_such(gate, world):
    ended = timezone.localdate() - timedelta(days=3)
    SitePerson.objects.filter(site=world.site_a, person=world.person_a).update(until=ended)
    for code in (world.person_a.name, pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)):
        state, html = identify(gate, world.site_a, code=code)
        assert state == "refused" and 'data-reason="former"' in html and 'data-visitor=""' in html
        assert "张三" in html and f"Former, until {ended.isoformat()}" in html
    response = screen(gate, world.site_a, code="张三", temperature="36.5")
    a = answer(response)
    assert (a["class"], a["reason"]) == ("refuse", "former")
    assert f"ended on {ended.isoformat()}" in response.content.decode()
    entry = Entry.objects.get()
    assert (entry.person, entry.decision, entry.reason) == (world.person_a, "refuse", "former")


def test_the_sites_people_list_hides_former_members_by_default_and_says_so(client, world):
    manager = client_for(client, world, Role.SITE_MANAGER)
    former = PersonFactory(site=world.site_a, name="离职甲")
    ended = timezone.localdate() - timedelta(days=10)
    SitePerson.objects.filter(person=former).update(until=ended)
    url = reverse("registry:person_list")
    html = manager.get(url, {"site": world.site_a.pk}).content.decode()
    assert "张三" in html and "离职甲" not in html and 'data-testid="former-note"' in html
    html = manager.get(url, {"site": world.site_a.pk, "former": "all"}).content.decode()
    assert "张三" in html and "离职甲" in html and f"Former, until {ended.isoformat()}" in html
    assert html.count('data-former="1"') == 1 and 'data-testid="former-note"' not in html
    html = manager.get(url, {"site": world.site_a.pk, "former": "only"}).content.decode()
    assert "离职甲" in html and "张三" not in html
    site_page = manager.get(reverse("registry:site_detail", args=[world.site_a.pk])).content.decode()
    assert "(1)" in site_page  # the site's current people
    detail = manager.get(reverse("registry:person_detail", args=[former.pk])).content.decode()
    assert f"Former, until {ended.isoformat()}" in detail
