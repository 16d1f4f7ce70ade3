"""Issue 15, the access log: an ID number shown whole, on the person's page or in an API answer, writes
one access record (who, whose, where, from which address); a masked one writes none."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import ApiToken, Role
from zhengtong.core.models import AccessRecord
from zhengtong.tests_support.access import only_record
from zhengtong.tests_support.codes import make_id_number

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, MANAGER, GATE, CLERK = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER, Role.ENTERPRISE_CLERK)




@pytest.mark.parametrize("role", [ADMIN, COUNTY, MANAGER])
def test_the_person_page_with_the_whole_id_number_writes_one_record(client, world, role):
    client.force_login(world.users[role])
    url = reverse("registry:person_detail", args=[world.person_a.pk])
    response = client.get(url, REMOTE_ADDR="10.20.30.40")
    assert world.id_number_a in response.content.decode()
    only_record(user=world.users[role], username=world.users[role].username, kind="id_number",
                subject_type="person", subject_id=world.person_a.pk, subject=str(world.person_a), path=url,
                route="GET registry/people/<int:pk>/", address="10.20.30.40", via="")


@pytest.mark.parametrize("role", [GATE, CLERK])
def test_the_person_page_with_a_masked_id_number_writes_none(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("registry:person_detail", args=[world.person_a.pk]))
    assert response.status_code == 200 and world.id_number_a not in response.content.decode()
    assert not AccessRecord.objects.exists()


def test_pages_that_show_no_whole_id_number_write_none(client, world):
    client.force_login(world.users[ADMIN])
    for name in ("person_history", "person_edit"):
        assert client.get(reverse(f"registry:{name}", args=[world.person_a.pk])).status_code == 200
    assert client.get(reverse("registry:person_list")).status_code == 200
    assert not AccessRecord.objects.exists()


def test_the_api_answering_a_whole_id_number_writes_one_record_naming_the_token(world):
    api = world.api(MANAGER)
    body = api.get(f"/people/{world.person_a.pk}").json()
    assert body["id_number"] == world.id_number_a
    token = ApiToken.objects.get(user=world.users[MANAGER])
    only_record(user=world.users[MANAGER], username="manager", via=str(token), kind="id_number",
                subject_type="person", subject_id=world.person_a.pk, path=f"/api/people/{world.person_a.pk}",
                route="GET api/people/<person_id>", address="127.0.0.1")


def test_a_change_answered_with_the_whole_id_number_writes_one_record(world):
    response = world.api(COUNTY).patch(f"/people/{world.person_a.pk}", {"phone": "13600000000"})
    assert response.json()["id_number"] == world.id_number_a
    only_record(user=world.users[COUNTY], kind="id_number", subject_id=world.person_a.pk,
                route="PATCH api/people/<person_id>")


def test_a_registration_answered_with_the_whole_id_number_writes_one_record(world):
    response = world.api(MANAGER).post("/people", {"site": world.site_a.pk, "name": "王五",
                                                   "id_number": make_id_number(), "relation": "staff"})
    assert response.status_code == 201, response.content
    only_record(user=world.users[MANAGER], kind="id_number", subject_id=response.json()["id"],
                route="POST api/people", path="/api/people")


@pytest.mark.parametrize("role", [GATE, CLERK])
def test_the_api_answering_a_masked_id_number_writes_none(world, role):
    api = world.api(role)
    assert api.get(f"/people/{world.person_a.pk}").json()["id_number"] != world.id_number_a
    assert api.get("/people").status_code == 200
    assert not AccessRecord.objects.exists()
