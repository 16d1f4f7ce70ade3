"""Issue 15, scope escapes: a person is one identity across the city.

Registering an ID number at your site never tells you whether it is registered elsewhere: with a
name that does not match, what you typed is registered apart and held for the city; with the
right name the person gains a relation to your site, but their name and phone stay the city's
(or of a user who sees all their sites) and your view shows your relation and its history only."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry import selectors, services
from zhengtong.registry.models import Person, SitePerson
from zhengtong.tests_support.api import assert_error
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db

MANAGER, COUNTY, ADMIN = Role.SITE_MANAGER, Role.COUNTY_OFFICER, Role.CITY_ADMIN


@pytest.fixture
def known(world):
    """李四, registered at site_b (the other county) with a number of our own choosing."""
    number = make_id_number()
    return PersonFactory.create(site=world.site_b, id_number=number, name="李四"), number


def _register(world, role, name, number):
    return world.api(role).post("/people", {"site": world.site_a.pk, "name": name, "id_number": number,
                                            "relation": "worker"})


def _shape(body):
    """What an answer says, without the values that differ between two people."""
    return sorted(body), [sorted(m) for m in body["memberships"]], body["name"], body["id_number"][-4:]


@pytest.mark.parametrize("role", [MANAGER, COUNTY, Role.GATEKEEPER, Role.ENTERPRISE_CLERK])
def test_a_wrong_name_gets_the_answer_a_new_number_gets(world, known, role):
    person_b, number = known
    wrong = _register(world, role, "王五", number)
    new = _register(world, role, "王五", make_id_number())
    assert wrong.status_code == new.status_code == 201, wrong.content
    assert _shape(wrong.json())[:3] == _shape(new.json())[:3]
    assert wrong.json()["id"] != person_b.pk
    # The known person is untouched and still out of sight.
    person_b.refresh_from_db()
    assert person_b.name == "李四" and person_b.memberships.count() == 1
    assert world.api(role).get(f"/people/{person_b.pk}").status_code == 404
    # The site sees what it typed, found again by the number it typed.
    listed = world.api(role).get("/people", {"q": number}).json()["items"]
    assert [p["name"] for p in listed] == ["王五"]


def test_the_held_registration_waits_in_the_citys_queue(client, world, known):
    person_b, number = known
    held_id = _register(world, MANAGER, "王五", number).json()["id"]
    held = Person.objects.get(pk=held_id)
    assert held.is_held and held.id_number_hash is None
    rows = selectors.held_registrations(user=world.users[ADMIN])
    assert [(r.held.pk, r.identity.pk if r.identity else None, r.registered_by) for r in rows] == [
        (held_id, person_b.pk, "manager")]
    assert selectors.held_registrations(user=world.users[COUNTY]) == []
    client.force_login(world.users[ADMIN])
    page = client.get(reverse("registry:held_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "王五" in page and "李四" in page
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("registry:held_list") in home


@pytest.mark.parametrize("role", [COUNTY, MANAGER, Role.GATEKEEPER, Role.ENTERPRISE_CLERK, "none"])
def test_only_the_city_reaches_the_queue(client, world, known, role):
    client.force_login(world.users[role])
    assert client.get(reverse("registry:held_list")).status_code == 403


def test_the_same_wrong_name_again_is_the_same_held_registration(world, known):
    _person_b, number = known
    first = _register(world, MANAGER, "王五", number).json()["id"]
    again = _register(world, MANAGER, "王五", number)
    assert again.status_code == 201 and again.json()["id"] == first


def test_a_wrong_name_for_a_person_already_in_sight_is_still_told(world):
    """Nothing is revealed to a user who already sees the person: the clear 409 stays."""
    response = _register(world, MANAGER, "王五", world.id_number_a)
    assert_error(response, 409, "name")


def test_the_city_links_a_held_registration_and_its_records_move(client, world, known):
    person_b, number = known
    held_id = _register(world, MANAGER, "王五", number).json()["id"]
    client.force_login(world.users[ADMIN])
    response = client.post(reverse("registry:held_resolve", args=[held_id]), {"action": "link"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=held_id).exists()
    person_b.refresh_from_db()
    assert person_b.name == "李四"
    assert set(person_b.memberships.values_list("site_id", flat=True)) == {world.site_a.pk, world.site_b.pk}
    assert selectors.held_registrations(user=world.users[ADMIN]) == []


def test_the_city_takes_the_typed_name(world, known):
    person_b, number = known
    held = Person.objects.get(pk=_register(world, MANAGER, "王五", number).json()["id"])
    identity = services.identity_resolve(user=world.users[ADMIN], held=held, action="rename")
    assert identity.pk == person_b.pk and identity.name == "王五"


def test_the_gate_finds_what_the_site_typed(world, known):
    from zhengtong.screening import selectors as screening

    person_b, number = known
    held_id = _register(world, MANAGER, "王五", number).json()["id"]
    assert screening.person_identify(site=world.site_a, code=number).pk == held_id
    assert screening.person_identify(site=world.site_b, code=number).pk == person_b.pk


# The right name: a relation to your site, the identity stays the city's -----------------------


@pytest.fixture
def shared(world, known):
    """李四, now also a worker at site_a (registered there by its manager with the right name)."""
    person_b, number = known
    response = _register(world, MANAGER, "李四", number)
    assert response.status_code == 201 and response.json()["id"] == person_b.pk
    return person_b


def test_the_right_name_adds_a_relation_to_your_site(world, shared):
    body = world.api(MANAGER).get(f"/people/{shared.pk}").json()
    assert [m["site"] for m in body["memberships"]] == [world.site_a.pk]


@pytest.mark.parametrize("role", [MANAGER, COUNTY, Role.GATEKEEPER, Role.ENTERPRISE_CLERK])
def test_a_person_of_other_sites_too_is_renamed_by_the_city_only(world, shared, role):
    response = world.api(role).patch(f"/people/{shared.pk}", {"name": "改名"})
    assert_error(response, 403, "name")
    shared.refresh_from_db()
    assert shared.name == "李四"
    assert world.api(ADMIN).patch(f"/people/{shared.pk}", {"name": "李肆"}).json()["name"] == "李肆"


def test_the_edit_page_shows_why_the_fields_are_locked(client, world, shared):
    client.force_login(world.users[MANAGER])
    page = client.get(reverse("registry:person_edit", args=[shared.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="identity-locked"' in page.content.decode()
    client.post(reverse("registry:person_edit", args=[shared.pk]), {"name": "改名", "phone": ""})
    shared.refresh_from_db()
    assert shared.name == "李四"
    detail = client.get(reverse("registry:person_detail", args=[shared.pk])).content.decode()
    assert reverse("registry:person_edit", args=[shared.pk]) not in detail


def test_your_view_shows_your_relation_and_its_history_only(client, world, shared):
    admin = world.users[ADMIN]
    services.person_update(user=admin, person=shared, data={"phone": "13900000000"})
    SitePerson.objects.filter(site=world.site_b, person=shared).update(relation="staff")
    changes = selectors.person_changes(user=world.users[MANAGER], person=shared)
    assert changes and all(not any(label in ("phone", "电话", "Phone") for label, _o, _n in c.fields)
                           for c in changes)
    assert {c.who for c in changes} == {"manager"}
    client.force_login(world.users[MANAGER])
    page = client.get(reverse("registry:person_history", args=[shared.pk])).content.decode()
    assert "admin" not in page and "13900000000" not in page
    # The city reads the whole identity's history.
    assert "admin" in {c.who for c in selectors.person_changes(user=admin, person=shared)}


def test_a_user_who_sees_all_of_a_persons_sites_changes_them(world):
    """person_a is at site_a only: its manager keeps changing them, as before."""
    response = world.api(MANAGER).patch(f"/people/{world.person_a.pk}", {"name": "张叁"})
    assert response.status_code == 200 and response.json()["name"] == "张叁"


def test_a_registration_held_at_another_site_is_never_what_a_third_site_finds(world, known):
    """The single check-in and the batch rank alike (Person.id_number_rank): at a site that has
    neither, the number names its identity, not what another site typed."""
    from zhengtong.screening import selectors as screening
    from zhengtong.tests_support.factories import SiteFactory

    person_b, number = known
    _register(world, MANAGER, "王五", number)  # held at site_a
    third = SiteFactory.create(unit=world.unit_b, name="三号车间")
    assert screening.person_identify(site=third, code=number).pk == person_b.pk
    assert selectors.person_by_id_number(site=third, digest=Person.objects.get(pk=person_b.pk).id_number_hash,
                                         related_only=True) is None


def test_a_relation_says_who_registered_it_outside_a_request_too(world, known):
    """Services run outside requests (the demo, jobs): the relation's history names the user."""
    person_b, number = known
    services.person_register(user=world.users[MANAGER], site=world.site_a,
                             data={"name": "李四", "id_number": number, "relation": "worker"})
    changes = selectors.person_changes(user=world.users[MANAGER], person=person_b)
    assert [(c.kind, c.who) for c in changes] == [("+", "manager")]
