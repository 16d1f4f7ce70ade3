"""Issue 15, the access log: a page that shows an entry log (who is inside a site), temperatures and
health checks, or alerts naming a person writes one access record per view, however many rows it
shows; so do the admin's pages of entries, health checks and alerts."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.models import AccessRecord
from zhengtong.screening import services
from zhengtong.screening.models import Alert, Entry, HealthCheck
from zhengtong.tests_support.access import only_record
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, MANAGER, GATE, CLERK = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER, Role.ENTERPRISE_CLERK)




def screen_in(world, people, temperature="36.5"):
    gate = services.Actor(user=world.users[GATE])
    for person in people:
        services.entry_screen(actor=gate, site=world.site_a, person=person, temperature=temperature)


@pytest.mark.parametrize("role", [ADMIN, COUNTY, MANAGER, GATE])
def test_the_site_page_showing_who_is_inside_writes_one_record(client, world, role):
    screen_in(world, [world.person_a])
    client.force_login(world.users[role])
    url = reverse("screening:site", args=[world.site_a.pk])
    response = client.get(url, REMOTE_ADDR="10.1.1.7")
    assert world.person_a.name in response.content.decode()
    only_record(user=world.users[role], username=world.users[role].username, kind="entries",
                subject_type="site", subject_id=world.site_a.pk, subject="一号车间", path=url,
                route="GET screening/sites/<int:pk>/", address="10.1.1.7")


def test_a_list_of_many_rows_is_one_record(client, world):
    people = [world.person_a, *(PersonFactory(site=world.site_a, relation="inmate") for _ in range(30))]
    screen_in(world, people)
    for person in people:
        services.health_check_record(user=world.users[MANAGER], site=world.site_a, person=person, temperature="36.6")
    client.force_login(world.users[MANAGER])
    html = client.get(reverse("screening:site", args=[world.site_a.pk])).content.decode()
    assert all(p.name in html for p in people)
    assert AccessRecord.objects.count() == 1
    html = client.get(reverse("screening:health_checks", args=[world.site_a.pk])).content.decode()
    assert html.count("36.6") >= len(people)
    assert AccessRecord.objects.count() == 2


@pytest.mark.parametrize("role", [ADMIN, COUNTY, MANAGER])
def test_the_health_checks_page_writes_one_record_with_its_filter(client, world, role):
    services.health_check_record(user=world.users[MANAGER], site=world.site_a, person=world.person_a,
                                 temperature="36.9")
    client.force_login(world.users[role])
    url = reverse("screening:health_checks", args=[world.site_a.pk])
    response = client.get(url, {"q": "王", "page": "1"}, REMOTE_ADDR="10.1.1.8")
    assert "36.9" in response.content.decode()
    only_record(user=world.users[role], kind="health", subject_type="site", subject_id=world.site_a.pk,
                subject="一号车间", detail="q=王; page=1", path=url, route="GET screening/sites/<int:pk>/health/",
                address="10.1.1.8")


def test_a_page_refused_writes_no_record(client, world):
    client.force_login(world.users[GATE])
    assert client.get(reverse("screening:health_checks", args=[world.site_a.pk])).status_code == 403
    client.force_login(world.users[CLERK])
    assert client.get(reverse("screening:site", args=[world.site_a.pk])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_alerts_naming_a_person_with_a_temperature_write_one_record(client, world):
    screen_in(world, [world.person_a, PersonFactory(site=world.site_a, name="王五")], temperature="38.4")
    client.force_login(world.users[MANAGER])
    response = client.get(reverse("screening:alerts"), {"open": "1"})
    assert "38.4" in response.content.decode()
    only_record(user=world.users[MANAGER], kind="health", subject_type="list", subject_id=None,
                subject="王五, 张三", detail="open=1", path=reverse("screening:alerts"))


def test_an_empty_alert_list_writes_no_record(client, world):
    client.force_login(world.users[GATE])
    assert client.get(reverse("screening:alerts")).status_code == 200
    assert not AccessRecord.objects.exists()


@pytest.fixture
def superuser(client, world):
    user = world.users[ADMIN]
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def test_the_admins_entry_pages_write_one_record_each(client, world, superuser):
    screen_in(world, [world.person_a])
    entry = Entry.objects.get()
    assert client.get(reverse("admin:screening_entry_changelist"), {"decision__exact": "admit"}).status_code == 200
    only_record(user=superuser, kind="entries", subject_type="list", subject="进入人员登记",
                detail="decision__exact=admit")
    AccessRecord.objects.all().delete()
    assert client.get(reverse("admin:screening_entry_change", args=[entry.pk])).status_code == 200
    only_record(user=superuser, kind="entries", subject_type="person", subject_id=world.person_a.pk)


def test_the_admins_health_check_and_alert_pages_write_one_record_each(client, world, superuser):
    check = services.health_check_record(user=world.users[MANAGER], site=world.site_a, person=world.person_a,
                                         temperature="38.2")
    assert client.get(reverse("admin:screening_healthcheck_changelist")).status_code == 200
    assert client.get(reverse("admin:screening_healthcheck_change", args=[check.pk])).status_code == 200
    assert list(AccessRecord.objects.order_by("pk").values_list("kind", "subject_type", "subject_id")) == [
        ("health", "list", None), ("health", "person", world.person_a.pk)]
    AccessRecord.objects.all().delete()
    alert = Alert.objects.filter(recipient=world.users[MANAGER]).get()
    assert client.get(reverse("admin:screening_alert_changelist")).status_code == 200  # shows no temperature
    assert not AccessRecord.objects.exists()
    assert client.get(reverse("admin:screening_alert_change", args=[alert.pk])).status_code == 200
    only_record(user=superuser, kind="health", subject_type="person", subject_id=world.person_a.pk)
    assert HealthCheck.objects.count() == 1
