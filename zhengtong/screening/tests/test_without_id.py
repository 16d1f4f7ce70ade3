"""A visitor without their ID card, registered at the gate by name and phone where the site allows it
(Site.visitors_without_id): an unverified person with no ID number, one per registration."""

import re

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.registry import services as registry
from zhengtong.registry.models import Person, SitePerson
from zhengtong.screening import services
from zhengtong.screening.models import Entry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def gate(client, world):
    client.force_login(world.users[Role.GATEKEEPER])
    client.cookies["django_language"] = "en"
    return client


def allow(world, allowed=True):
    registry.site_update(user=world.users[Role.CITY_ADMIN], site=world.site_a,
                         data={"visitors_without_id": allowed})
    world.site_a.refresh_from_db()


def identify(client, site, code):
    html = client.post(reverse("screening:gate_identify", args=[site.pk]), {"code": code}).content.decode()
    return re.search(r'data-state="(\w+)"', html).group(1), html


def screen(client, site, **data):
    html = client.post(reverse("screening:gate_screen", args=[site.pk]), data, **HTMX).content.decode()
    box = re.search(r'<div class="answer answer-(\w+)"[^>]*>', html, re.S)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', box.group(0)))


def test_the_setting_is_off_by_default_and_an_id_number_stays_required(world, gate):
    assert world.site_a.visitors_without_id is False
    with pytest.raises(DomainError) as e:
        registry.person_register_without_id(user=world.users[Role.GATEKEEPER], site=world.site_a,
                                            data={"name": "无证甲", "phone": "13800000000"})
    assert "id_number" in e.value.errors
    state, html = identify(gate, world.site_a, "无证甲")
    assert state == "error" and "Nobody of this site has this name" in html
    with pytest.raises(DomainError) as e:  # everywhere else an ID number is required, as before
        registry.person_register(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                                 data={"name": "无证甲", "phone": "13800000000", "relation": "visitor"})
    assert "id_number" in e.value.errors


def test_the_site_form_edits_the_setting_with_history(world, client):
    client.force_login(world.users[Role.CITY_ADMIN])
    site = world.site_a
    response = client.post(reverse("registry:site_edit", args=[site.pk]), {
        "name": site.name, "kind": site.kind, "county": site.county.code, "address": site.address,
        "capacity": "", "is_active": "on", "visitors_without_id": "on"})
    assert response.status_code == 302, response.content.decode()
    site.refresh_from_db()
    assert site.visitors_without_id is True
    assert [h.visitors_without_id for h in site.history.order_by("history_date")][-1] is True
    page = client.get(reverse("registry:site_detail", args=[site.pk])).content.decode()
    assert 'data-testid="visitors-without-id"' in page


def test_each_registration_is_a_new_unverified_person_never_merged(world):
    allow(world)
    user = world.users[Role.GATEKEEPER]
    with pytest.raises(DomainError) as e:
        registry.person_register_without_id(user=user, site=world.site_a, data={"name": "无证乙"})
    assert "phone" in e.value.errors
    data = {"name": "无证乙", "phone": "13800000002"}
    first = registry.person_register_without_id(user=user, site=world.site_a, data=data)
    second = registry.person_register_without_id(user=user, site=world.site_a, data=data)
    assert first.pk != second.pk
    for person in (first, second):
        assert (person.unverified, person.id_number_hash, person.id_number_masked, person.claimed_hash) == (
            True, None, "", "")
        assert SitePerson.objects.get(person=person).relation == "visitor"


def test_a_visitor_without_an_id_card_is_registered_at_the_gate_and_admitted(world, gate):
    allow(world)
    state, html = identify(gate, world.site_a, "无证丙")
    assert state == "visitor" and 'data-testid="without-id"' in html and 'data-name="无证丙"' in html
    a = screen(gate, world.site_a, code="无证丙", temperature="36.5")
    assert (a["result"], a["visitor"]) == ("error", "full")
    a = screen(gate, world.site_a, code="无证丙", visitor_name="无证丙", temperature="36.5")
    assert (a["result"], a["focus"]) == ("error", "visitor_phone")
    assert not Entry.objects.exists() and not Person.objects.filter(unverified=True).exists()
    a = screen(gate, world.site_a, code="无证丙", visitor_name="无证丙", visitor_phone="13800000003",
               visit_host="王科长", temperature="36.5")
    assert (a["result"], a["reason"]) == ("admit", "ok")
    entry = Entry.objects.get()
    assert entry.person.unverified and entry.person.phone == "13800000003" and entry.visit_host == "王科长"
    # Known at the site now: identified by name, shown as unverified.
    state, html = identify(gate, world.site_a, "无证丙")
    assert state == "person" and 'data-testid="unverified"' in html
    # The person's pages say unverified, with no ID number.
    manager = world.users[Role.SITE_MANAGER]
    gate.force_login(manager)
    detail = gate.get(reverse("registry:person_detail", args=[entry.person.pk])).content.decode()
    assert 'data-testid="unverified"' in detail and 'data-testid="id-number"' not in detail
    listing = gate.get(reverse("registry:person_list"), {"site": world.site_a.pk}).content.decode()
    assert listing.count('data-testid="unverified"') == 1


def test_a_visitor_without_an_id_card_refused_on_sight_is_recorded_without_a_relation(world, gate):
    allow(world)
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"visitor_policy": "none", "reason": "谢绝探访"})
    state, html = identify(gate, world.site_a, "无证丁")
    assert state == "refused" and 'data-visitor="name"' in html and 'data-name="无证丁"' in html
    a = screen(gate, world.site_a, code="无证丁", visitor_name="无证丁", visitor_phone="13800000004",
               temperature="36.5")
    assert (a["result"], a["reason"]) == ("refuse", "no_visitors")
    person = Entry.objects.get().person
    assert person.unverified and not person.memberships.exists()
