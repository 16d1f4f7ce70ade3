"""The permits' read API (/api/permits/…): a unit's class, its applications and its permits, each
for exactly the callers the permit pages show it to; anything else is the same 404 as a missing id."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from zhengtong.accounts.tests.test_permission_matrix import (
    ADMIN,
    CLERK,
    COUNTY,
    DEPT,
    GATE,
    MANAGER,
    ONLY_ADMIN,
    REVIEWER,
    ROLES,
    WITH_ROLE,
    allowed,
)
from zhengtong.permits import selectors, services
from zhengtong.permits.models import Application, CatalogueEntry, FixedSource, UnitFacts
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import token_for

pytestmark = pytest.mark.django_db

PERMIT_WORK = allowed(ADMIN, COUNTY, CLERK, REVIEWER)  # the application pages' rule
CEMENT_KEY = {"has_boiler": False, "has_furnace": False, "has_surface_treatment": False,
              "has_water_treatment": False, "on_key_list": False, "cement_clinker": True}


def api(world, role) -> Api:
    return Api(token=token_for(world.users[role]))


@pytest.fixture
def permits(world):
    """unit_a classified and holding a permit and an application under review; unit_b a permit."""
    services.unit_classify(unit=world.unit_a)
    permit_a = issued_permit(world)
    source = FixedSource.objects.create(unit=world.unit_a, sequence=2)
    accepted = Application.objects.create(
        fixed_source=source, management_class="key", status="accepted", received_on=date(2020, 3, 10),
        accepted_on=date(2020, 3, 10), created_by=world.users[CLERK])
    permit_b = issued_permit(world, unit=world.unit_b)
    services.unit_classify(unit=world.unit_b)
    return {"permit_a": permit_a, "application_a": permit_a.application, "accepted": accepted,
            "permit_b": permit_b, "application_b": permit_b.application}


# Who sees what ---------------------------------------------------------------------------

# (path, which record, expected status per role): the same rules as the permit pages.
READS = [
    ("/permits/units/{}/classification", "unit_a", WITH_ROLE),
    ("/permits/units/{}/classification", "unit_b", ONLY_ADMIN),
    ("/permits/units/{}/permits", "unit_a", WITH_ROLE),
    ("/permits/units/{}/permits", "unit_b", ONLY_ADMIN),
    ("/permits/permits/{}", "permit_a", WITH_ROLE),
    ("/permits/permits/{}", "permit_b", ONLY_ADMIN),
    ("/permits/units/{}/applications", "unit_a", PERMIT_WORK),
    ("/permits/units/{}/applications", "unit_b", ONLY_ADMIN),
    ("/permits/applications/{}", "application_a", PERMIT_WORK),
    ("/permits/applications/{}", "accepted", PERMIT_WORK),
    ("/permits/applications/{}", "application_b", ONLY_ADMIN),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_the_pages_scope_allows(world, permits, role):
    caller = api(world, role)
    wrong = []
    for template, record, expected in READS:
        obj = permits.get(record) or getattr(world, record)
        response = caller.get(template.format(obj.pk))
        if response.status_code != expected[role]:
            wrong.append(f"{template} {record}: {response.status_code} != {expected[role]}")
        elif response.status_code == 404:
            assert_error(response, 404)
    assert not wrong, "\n".join(wrong)


def test_outside_the_scope_answers_exactly_like_a_missing_id(world, permits):
    clerk = api(world, CLERK)
    for template, record in [("/permits/permits/{}", "permit_b"), ("/permits/applications/{}", "application_b"),
                             ("/permits/units/{}/permits", "unit_b")]:
        obj = permits.get(record) or getattr(world, record)
        outside, missing = clerk.get(template.format(obj.pk)), clerk.get(template.format(10**9))
        assert (outside.status_code, outside.json()) == (missing.status_code, missing.json()) == (
            404, {"detail": "Not found", "errors": []})


@pytest.mark.parametrize("role", [GATE, MANAGER, DEPT])
def test_a_role_that_sees_the_unit_but_not_its_applications_gets_404_not_an_empty_list(world, permits, role):
    assert_error(api(world, role).get(f"/permits/units/{world.unit_a.pk}/applications"), 404)
    assert api(world, role).get(f"/permits/units/{world.unit_a.pk}/permits").json()["count"] == 1


def test_without_credentials_every_endpoint_is_401(world, permits):
    for template, record, _expected in READS:
        obj = permits.get(record) or getattr(world, record)
        assert_error(Api().get(template.format(obj.pk)), 401)


@pytest.mark.parametrize("path", ["/permits/permits/0", "/permits/applications/true",
                                  f"/permits/units/{2**63}/classification", "/permits/units/x/permits"])
def test_an_id_that_is_not_one_is_a_422_naming_it(world, path):
    body = assert_error(api(world, ADMIN).get(path), 422)
    assert body["errors"][0]["field"].endswith("_id")


# Classification --------------------------------------------------------------------------


def test_the_class_names_the_deciding_row_as_printed(world):
    UnitFacts.objects.create(unit=world.unit_a, facts=CEMENT_KEY)
    classification = services.unit_classify(unit=world.unit_a)
    body = api(world, GATE).get(f"/permits/units/{world.unit_a.pk}/classification").json()
    entry = CatalogueEntry.objects.get(version="2019", row=63)
    assert body["unit"] == world.unit_a.pk and body["management_class"] == "key"
    assert body["deciding_row"] == {"row": 63, "section": entry.section, "industry": entry.industry_text,
                                    "text": entry.key_text}
    assert body["missing_facts"] == [] and body["at_least"] is None and body["catalogue_edition"] == "2019"
    assert abs(datetime.fromisoformat(body["classified_at"]) - classification.classified_at) < timedelta(seconds=1)


def test_an_undetermined_class_lists_the_keys_of_the_missing_facts_and_no_fact_values(world):
    UnitFacts.objects.create(unit=world.unit_a, facts={"has_boiler": True, "boiler_total_tph": 12.345})
    classification = services.unit_classify(unit=world.unit_a)
    assert classification.management_class == "undetermined" and classification.missing
    response = api(world, CLERK).get(f"/permits/units/{world.unit_a.pk}/classification")
    body = response.json()
    assert body["management_class"] == "undetermined"
    assert body["missing_facts"] == classification.missing
    assert "12.345" not in response.content.decode() and "boiler_total_tph" not in body["missing_facts"]


def test_a_unit_not_classified_yet_is_a_404(world):
    assert_error(api(world, ADMIN).get(f"/permits/units/{world.unit_a.pk}/classification"), 404)


# Applications ----------------------------------------------------------------------------


def test_a_units_applications_with_status_kind_dates_and_the_pages_clock(world, permits):
    body = api(world, REVIEWER).get(f"/permits/units/{world.unit_a.pk}/applications").json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["items"]}
    accepted = rows[permits["accepted"].pk]
    assert (accepted["status"], accepted["kind"], accepted["fixed_source"], accepted["accepted_on"]) == (
        "accepted", "first", "002", "2020-03-10")
    page_clock = selectors.application_clock(permits["accepted"], timezone.localdate())
    assert accepted["clock"]["kind"] == "decision"
    assert accepted["clock"]["due"] == page_clock["state"].due.isoformat()
    assert accepted["clock"]["status"] == page_clock["status"] == "overdue"
    issued = rows[permits["application_a"].pk]
    assert issued["status"] == "issued" and issued["permit"] == permits["permit_a"].pk and issued["clock"] is None


def test_one_application_for_the_units_clerk(world, permits):
    response = api(world, CLERK).get(f"/permits/applications/{permits['accepted'].pk}")
    assert response.status_code == 200
    assert response.json()["unit"] == world.unit_a.pk and response.json()["renews"] is None


def test_a_superseded_version_is_left_out_of_the_list(world, permits):
    permits["accepted"].status = "superseded"
    permits["accepted"].save()
    body = api(world, CLERK).get(f"/permits/units/{world.unit_a.pk}/applications").json()
    assert [row["id"] for row in body["items"]] == [permits["application_a"].pk]


# Permits ---------------------------------------------------------------------------------


def test_a_permit_with_its_numbers_class_and_validity(world, permits):
    permit = permits["permit_a"]
    permit.national_number = "91430422MA4L00001X001P"
    permit.save()
    body = api(world, GATE).get(f"/permits/permits/{permit.pk}").json()
    assert body == {
        "id": permit.pk, "unit": world.unit_a.pk, "unit_name": world.unit_a.name, "fixed_source": "001",
        "number": permit.number, "national_number": "91430422MA4L00001X001P", "management_class": "key",
        "status": "valid", "decided_on": "2020-04-01", "valid_from": "2020-04-01", "valid_until": "2023-03-31",
        "validity_basis": "办法2018 第二十一条", "ended_on": None,
    }


def test_a_units_permits_are_paginated(world, permits):
    body = api(world, COUNTY).get(f"/permits/units/{world.unit_a.pk}/permits", {"limit": 1, "offset": 0}).json()
    assert body["count"] == 1 and [p["number"] for p in body["items"]] == [permits["permit_a"].number]
    assert_error(api(world, COUNTY).get(f"/permits/units/{world.unit_a.pk}/permits", {"limit": 501}), 422, "limit")


def test_the_permit_endpoints_are_in_the_schema_with_their_answers(world):
    spec = Api().client.get("/api/openapi.json").json()
    for path in ("/api/permits/units/{unit_id}/classification", "/api/permits/units/{unit_id}/applications",
                 "/api/permits/applications/{application_id}", "/api/permits/units/{unit_id}/permits",
                 "/api/permits/permits/{permit_id}"):
        operation = spec["paths"][path]["get"]
        assert operation["tags"] == ["permits"] and operation["summary"]
        assert {"200", "401", "404", "422"} <= set(operation["responses"]), path
