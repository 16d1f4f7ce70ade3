"""Issue 15, scope escapes: a site's county is changed by the city administrator only (else its
people and health pages would move to another county's officers and leave its own county's
sight), and a new site lies inside its creator's scope."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Site
from zhengtong.tests_support.api import assert_error
from zhengtong.tests_support.codes import HENGNAN, HENGYANG_COUNTY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.ENTERPRISE_CLERK])
def test_no_one_but_the_city_moves_a_site_to_another_county_over_the_api(world, role):
    response = world.api(role).patch(f"/sites/{world.site_a.pk}", {"county": HENGYANG_COUNTY})
    assert_error(response, 400, "county")
    assert Site.objects.get(pk=world.site_a.pk).county.code == HENGNAN


def test_the_city_moves_a_site(world):
    response = world.api(Role.CITY_ADMIN).patch(f"/sites/{world.site_a.pk}", {"county": HENGYANG_COUNTY})
    assert response.status_code == 200 and response.json()["county"] == HENGYANG_COUNTY


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.ENTERPRISE_CLERK])
def test_the_site_edit_page_keeps_the_county_for_everyone_but_the_city(client, world, role):
    client.force_login(world.users[role])
    url = reverse("registry:site_edit", args=[world.site_a.pk])
    page = client.get(url).content.decode()
    assert 'name="county"' in page and "disabled" in page.split('name="county"')[1].split(">")[0]
    response = client.post(url, {"name": "一号车间", "kind": world.site_a.kind, "county": HENGYANG_COUNTY,
                                 "address": "新地址", "capacity": ""})
    assert response.status_code == 302
    site = Site.objects.get(pk=world.site_a.pk)
    assert site.county.code == HENGNAN and site.address == "新地址"


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK])
def test_a_new_site_outside_the_creators_county_is_refused(world, role):
    response = world.api(role).post("/sites", {"unit": world.unit_a.pk, "name": "外县仓库", "kind": "factory",
                                                   "county": HENGYANG_COUNTY})
    assert_error(response, 400, "county")
    assert not Site.objects.filter(name="外县仓库").exists()


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK])
def test_a_new_site_inside_the_creators_scope_is_added(world, role):
    response = world.api(role).post("/sites", {"unit": world.unit_a.pk, "name": "新仓库", "kind": "factory",
                                                   "county": HENGNAN})
    assert response.status_code == 201, response.content


def test_the_city_places_a_new_site_in_any_county(world):
    response = world.api(Role.CITY_ADMIN).post("/sites", {"unit": world.unit_a.pk, "name": "外县仓库",
                                                               "kind": "factory", "county": HENGYANG_COUNTY})
    assert response.status_code == 201


def test_a_clerks_new_site_form_lies_in_the_units_county(client, world):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("registry:site_create", args=[world.unit_a.pk])
    response = client.post(url, {"name": "新仓库", "kind": "factory", "county": HENGYANG_COUNTY, "capacity": ""})
    assert response.status_code == 302
    assert Site.objects.get(name="新仓库").county.code == HENGNAN


def test_the_clerk_of_a_unit_the_city_regulates_directly_places_its_sites_in_a_county(world):
    from zhengtong.registry.models import Region

    unit = world.unit_a
    unit.county = Region.objects.get(code="430400")
    unit.save()
    response = world.api(Role.ENTERPRISE_CLERK).post("/sites", {"unit": unit.pk, "name": "外县车间", "kind": "factory",
                                                                "county": HENGYANG_COUNTY})
    assert response.status_code == 201, response.content
