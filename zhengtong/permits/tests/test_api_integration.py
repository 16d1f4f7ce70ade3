"""The permits' integration API (issue 17 §7): declaring facts, an application from draft to
submission with its outlets and limits, registrations and the public search, compliance reports filed
and read, enforcement cases read — under the pages' scopes, each refusal naming its field."""

from datetime import date, timedelta

import pytest

from zhengtong.accounts.models import Role
from zhengtong.permits import compliance
from zhengtong.permits.models import Application, ComplianceReport, EnforcementCase
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.permits.tests.test_api import CEMENT_KEY
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import token_for

pytestmark = pytest.mark.django_db
CLERK, REVIEWER, GATE = Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER, Role.GATEKEEPER


def api(world, role) -> Api:
    return Api(token=token_for(world.users[role]))


def test_the_clerk_declares_facts_and_the_class_follows(world):
    clerk = api(world, CLERK)
    r = clerk.post(f"/permits/units/{world.unit_a.pk}/facts", {"facts": CEMENT_KEY})
    assert r.status_code == 200, r.content
    assert (r.json()["management_class"], r.json()["deciding_row"]["row"]) == ("key", 63)
    assert_error(clerk.post(f"/permits/units/{world.unit_a.pk}/facts", {"facts": {"no_such_fact": True}}), 400,
                 "no_such_fact")
    assert_error(api(world, GATE).post(f"/permits/units/{world.unit_a.pk}/facts", {"facts": CEMENT_KEY}), 403)
    assert_error(clerk.post(f"/permits/units/{world.unit_b.pk}/facts", {"facts": CEMENT_KEY}), 404)


def test_an_application_from_draft_to_submission(world):
    clerk = api(world, CLERK)
    clerk.post(f"/permits/units/{world.unit_a.pk}/facts", {"facts": CEMENT_KEY})
    r = clerk.post(f"/permits/units/{world.unit_a.pk}/applications", {})
    assert r.status_code == 201, r.content
    draft = r.json()
    assert (draft["status"], draft["management_class"], draft["fixed_source"]) == ("draft", "key", "001")
    assert_error(clerk.post(f"/permits/units/{world.unit_a.pk}/applications", {}), 409, "kind")
    bad = clerk.patch(f"/permits/applications/{draft['id']}", {"outlets": [
        {"code": "DX01", "name": "总排口", "limits": [{"pollutant": "化学需氧量", "concentration": "100"}]}]})
    body = assert_error(bad, 400, "outlets[0].code")
    assert "outlets[0].limits[0].concentration_unit" in {e["field"] for e in body["errors"]}
    outlets = [{"code": "DW001", "name": "总排口", "destination": "湘江", "limits": [
        {"pollutant": "化学需氧量", "concentration": "100", "concentration_unit": "mg/L", "annual_quantity": "10"}]},
        {"code": "DA001", "name": "窑尾排气筒", "limits": [
            {"pollutant": "颗粒物", "concentration": "30", "concentration_unit": "mg/m³"}]}]
    ok = clerk.patch(f"/permits/applications/{draft['id']}", {"outlets": outlets, "monitoring_plan": "自动监测"})
    assert ok.status_code == 200, ok.content
    application = Application.objects.get(pk=draft["id"])
    assert sorted(application.outlets.values_list("code", flat=True)) == ["DA001", "DW001"]
    missing = assert_error(clerk.post(f"/permits/applications/{draft['id']}/submit", {}), 400)
    assert {"facilities", "production_description", "public_notice_from"} <= {e["field"] for e in missing["errors"]}
    today = date.today()
    r = clerk.patch(f"/permits/applications/{draft['id']}", {
        "facilities": [{"name": "回转窑", "kind": "生产设施", "capacity": "4000 t/d"}],
        "production_description": "水泥熟料生产", "contact_name": "王五", "contact_phone": "0734-1234567",
        "legal_representative": "张三", "address": "衡南县工业园",
        "public_notice_from": str(today - timedelta(days=20)), "public_notice_to": str(today - timedelta(days=1))})
    assert r.status_code == 200, r.content
    submitted = clerk.post(f"/permits/applications/{draft['id']}/submit", {})
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted"), submitted.content
    assert_error(clerk.patch(f"/permits/applications/{draft['id']}", {"monitoring_plan": "x"}), 409, "status")
    assert_error(api(world, REVIEWER).patch(f"/permits/applications/{draft['id']}", {"monitoring_plan": "x"}), 403)


def test_registrations_and_the_public_search(world):
    permit = issued_permit(world)
    r = Api().get("/permits/public", {"q": world.unit_a.name[:3]})
    assert r.status_code == 200
    assert [x["number"] for x in r.json()["items"]] == [permit.number]
    assert api(world, GATE).get(f"/permits/units/{world.unit_a.pk}/registrations").json()["count"] == 0


def test_reports_are_filed_by_the_clerk_and_read_by_the_permit_work(world):
    permit = issued_permit(world)
    clerk = api(world, CLERK)
    body = {"kind": "quarterly", "period_start": "2020-04-01",
            "values": [{"outlet_code": "DW001", "pollutant": "化学需氧量", "concentration": "120",
                        "concentration_unit": "mg/L", "quantity": "2"}]}
    r = clerk.post(f"/permits/permits/{permit.pk}/reports", body)
    assert r.status_code == 201, r.content
    assert r.json()["exceedances"] and r.json()["values"][0]["pollutant"] == "化学需氧量"
    assert_error(clerk.post(f"/permits/permits/{permit.pk}/reports", {**body, "period_start": "2099-01-01"}), 400,
                 "period_start")
    assert_error(clerk.post(f"/permits/permits/{permit.pk}/reports", {**body, "period_start": 0}), 422,
                 "period_start")  # a number is no date (pydantic alone would read 1970-01-01)
    assert_error(clerk.post(f"/permits/permits/{permit.pk}/reports", {**body, "values": [
        {"outlet_code": "DW009", "pollutant": "氨氮"}]}), 400, "values[0].pollutant")
    assert_error(api(world, REVIEWER).post(f"/permits/permits/{permit.pk}/reports", body), 403)
    listed = api(world, REVIEWER).get(f"/permits/permits/{permit.pk}/reports").json()
    assert listed["count"] == 1 == ComplianceReport.objects.count()
    assert_error(api(world, GATE).get(f"/permits/reports/{listed['items'][0]['id']}"), 404)


def test_enforcement_cases_read_with_their_documents(world):
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="x",
                                          violation_date=date(2020, 4, 21))
    compliance.case_decide(user=world.users[REVIEWER], case=case, basis="water83", measures=["order_correction"],
                           fine="100000", on=date(2020, 5, 1), deadline="2020-06-01")
    reviewer = api(world, REVIEWER)
    body = reviewer.get(f"/permits/cases/{case.pk}").json()
    assert (body["status"], body["basis"], body["rectification_deadline"]) == (
        "decided", "水污染防治法 第八十三条", "2020-06-01")
    assert reviewer.get("/permits/cases", {"county": world.unit_a.county.code}).json()["count"] == 1
    assert reviewer.get("/permits/cases", {"county": "999999"}).json()["count"] == 0
    assert reviewer.get("/permits/cases", {"basis": "air99"}).json()["count"] == 0
    assert_error(api(world, GATE).get(f"/permits/cases/{case.pk}"), 404)
