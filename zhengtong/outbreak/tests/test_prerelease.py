"""Pre-release isolation in prisons (issue 18, step 5): an inmate's release date, the site page's list
of inmates due without a completed pre-release isolation, and the registry refusing a release until
it is complete, through the port the registry declares (registry.ports) and the outbreak app
registers with."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import isolation, prerelease
from zhengtong.outbreak.models import IsolationCheck, IsolationOrder
from zhengtong.registry import ports, selectors, services
from zhengtong.registry.models import SitePerson
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db
COUNTY, MANAGER = Role.COUNTY_OFFICER, Role.SITE_MANAGER


@pytest.fixture
def prison(world):
    site = world.site_a
    site.kind = site.Kind.PRISON
    site.save()
    return site


@pytest.fixture
def inmate(prison):
    person = PersonFactory.create(site=prison, relation="inmate", name="王五")
    membership = SitePerson.objects.get(site=prison, person=person)
    membership.release_date = timezone.localdate() + timedelta(days=3)
    membership.save()
    return membership


def isolate(w, membership, *, days_ago=14, release=True):
    """A pre-release order at the prison, begun ``days_ago`` days ago, checked daily and (with
    ``release``) released by the county officer at its planned end."""
    o = isolation.isolation_order(user=w.users[COUNTY], person=membership.person, data={
        "reason": "pre_release", "place": "site", "site": membership.site_id})
    o.start -= timedelta(days=days_ago)
    o.planned_end = timezone.localdate()
    o.save()
    isolation.isolation_check_record(user=w.users[COUNTY], order=o, data={"temperature": "36.5"})
    if release:
        isolation.isolation_release(user=w.users[COUNTY], order=o)
    return o


def release(w, membership, role=MANAGER, **data):
    return services.inmate_release(user=w.users[role], site=membership.site, person=membership.person, data=data)


def test_a_release_without_pre_release_isolation_is_refused_naming_the_field(world, inmate):
    with pytest.raises(DomainError) as e:
        release(world, inmate)
    assert e.value.status == 409 and "released_on" in e.value.errors
    assert "pre-release" in e.value.errors["released_on"][0].lower() or "刑释前" in e.value.errors["released_on"][0]
    inmate.refresh_from_db()
    assert inmate.until is None


def test_a_release_during_pre_release_isolation_is_refused_until_the_order_is_released(world, inmate):
    order = isolate(world, inmate, release=False)
    with pytest.raises(DomainError) as e:
        release(world, inmate)
    assert str(order.pk) in e.value.errors["released_on"][0]
    isolation.isolation_release(user=world.users[COUNTY], order=order)
    membership = release(world, inmate)
    assert membership.until == timezone.localdate()
    assert membership.history.first().history_change_reason == "release"


def test_a_release_is_allowed_after_completed_pre_release_isolation(world, inmate):
    isolate(world, inmate)
    assert release(world, inmate).until == timezone.localdate()


@override_settings(PRE_RELEASE_VALID_DAYS=3)
def test_an_isolation_completed_long_before_the_release_does_not_clear_it(world, inmate):
    order = isolate(world, inmate)
    IsolationOrder.objects.filter(pk=order.pk).update(released_at=timezone.now() - timedelta(days=5))
    with pytest.raises(DomainError) as e:
        release(world, inmate)
    assert "released_on" in e.value.errors


def test_ending_an_inmate_relation_through_the_registration_form_is_the_same_release(world, inmate):
    data = {"relation": "inmate", "until": timezone.localdate().isoformat(), "name": "王五", "id_number": ""}
    person = inmate.person
    from zhengtong.registry.identity import decrypt_id_number

    data["id_number"] = decrypt_id_number(person.id_number_encrypted)
    with pytest.raises(DomainError) as e:
        services.person_register(user=world.users[MANAGER], site=inmate.site, data=data)
    assert "until" in e.value.errors
    with pytest.raises(DomainError) as e:
        services.person_register(user=world.users[MANAGER], site=inmate.site, data={**data, "until": "",
                                                                                    "relation": "worker"})
    assert "relation" in e.value.errors
    isolate(world, inmate)
    services.person_register(user=world.users[MANAGER], site=inmate.site, data=data)
    inmate.refresh_from_db()
    assert inmate.until == timezone.localdate()


def test_until_a_check_registers_the_registry_refuses_no_release(world, inmate):
    ports.unregister_release_check(prerelease.CHECK)
    try:
        assert release(world, inmate).until == timezone.localdate()
    finally:
        prerelease.register_with_registry()


def test_a_release_is_never_recorded_in_advance(world, inmate):
    isolate(world, inmate)
    with pytest.raises(DomainError) as e:
        release(world, inmate, released_on=(timezone.localdate() + timedelta(days=1)).isoformat())
    assert "released_on" in e.value.errors


@pytest.mark.parametrize("role", [Role.GATEKEEPER, Role.ENTERPRISE_CLERK])
def test_a_gatekeeper_or_a_clerk_does_not_release_inmates(world, inmate, role):
    isolate(world, inmate)
    with pytest.raises(PermissionDenied):
        release(world, inmate, role=role)


def test_another_countys_officer_does_not_release_them(world, inmate):
    other = PersonFactory.create(site=world.site_b, relation="inmate")
    with pytest.raises(PermissionDenied):
        services.inmate_release(user=world.users[COUNTY], site=world.site_b, person=other, data={})


def test_the_release_date_is_recorded_and_ends_nothing(world, inmate):
    day = timezone.localdate() + timedelta(days=10)
    m = services.inmate_release_date_set(user=world.users[MANAGER], site=inmate.site, person=inmate.person,
                                         data={"release_date": day.isoformat()})
    assert (m.release_date, m.until) == (day, None)
    with pytest.raises(DomainError) as e:
        services.inmate_release_date_set(user=world.users[MANAGER], site=inmate.site, person=inmate.person,
                                         data={"release_date": "soon"})
    assert "release_date" in e.value.errors


@override_settings(RELEASE_DUE_DAYS=14)
def test_the_site_lists_inmates_due_within_the_window_without_completed_isolation(world, prison, inmate):
    today = timezone.localdate()
    later = PersonFactory.create(site=prison, relation="inmate", name="远期")
    SitePerson.objects.filter(person=later).update(release_date=today + timedelta(days=20))
    overdue = PersonFactory.create(site=prison, relation="inmate", name="逾期")
    SitePerson.objects.filter(person=overdue).update(release_date=today - timedelta(days=1))
    done = PersonFactory.create(site=prison, relation="inmate", name="已隔离")
    SitePerson.objects.filter(person=done).update(release_date=today)
    isolate(world, SitePerson.objects.get(person=done))
    assert [r.membership.person.name for r in selectors.inmates_due(site=prison)] == ["逾期", "王五"]
    assert {r.membership.person.name for r in selectors.inmates_due(site=prison, cleared=True)} == {
        "逾期", "王五", "已隔离"}


def test_the_prison_page_lists_them_for_its_manager_and_logs_the_view(client, world, prison, inmate):
    client.force_login(world.users[MANAGER])
    page = client.get(reverse("registry:site_detail", args=[prison.pk]))
    assert page.status_code == 200 and "王五" in page.content.decode()
    assert AccessRecord.objects.filter(kind="isolation", user=world.users[MANAGER]).exists()
    client.force_login(world.users[Role.GATEKEEPER])
    page = client.get(reverse("registry:site_detail", args=[prison.pk]))
    assert page.status_code == 200 and 'data-testid="releases-due"' not in page.content.decode()


def test_the_release_page_refuses_then_records_the_release(client, world, prison, inmate):
    client.force_login(world.users[MANAGER])
    url = reverse("registry:inmate_release", args=[prison.pk, inmate.pk])
    page = client.post(url, {"action": "release", "released_on": ""})
    assert page.status_code == 400 and 'id="released_on-errors"' in page.content.decode()
    isolate(world, inmate)
    page = client.post(url, {"action": "release", "released_on": ""})
    assert page.status_code == 302
    inmate.refresh_from_db()
    assert inmate.until == timezone.localdate()


def test_the_release_page_sets_the_release_date(client, world, prison, inmate):
    client.force_login(world.users[MANAGER])
    url = reverse("registry:inmate_release", args=[prison.pk, inmate.pk])
    day = timezone.localdate() + timedelta(days=7)
    assert client.post(url, {"action": "date", "release_date": day.isoformat()}).status_code == 302
    inmate.refresh_from_db()
    assert inmate.release_date == day


@pytest.mark.parametrize(("role", "status"), [(Role.GATEKEEPER, 403), (Role.ENTERPRISE_CLERK, 403)])
def test_the_release_page_is_for_those_who_release(client, world, prison, inmate, role, status):
    client.force_login(world.users[role])
    assert client.get(reverse("registry:inmate_release", args=[prison.pk, inmate.pk])).status_code == status


def test_another_countys_officer_cannot_see_the_release_page(client, world, inmate):
    other = PersonFactory.create(site=world.site_b, relation="inmate")
    membership = SitePerson.objects.get(person=other)
    client.force_login(world.users[COUNTY])
    assert client.get(reverse("registry:inmate_release", args=[world.site_b.pk, membership.pk])).status_code == 404


def test_a_fever_in_isolation_keeps_the_inmate_inside(world, inmate):
    order = isolate(world, inmate, release=False)
    IsolationCheck.objects.create(order=order, checked_on=timezone.localdate(), temperature="38.0", is_fever=True)
    with pytest.raises(DomainError):
        isolation.isolation_release(user=world.users[COUNTY], order=order)
    with pytest.raises(DomainError):
        release(world, inmate)
