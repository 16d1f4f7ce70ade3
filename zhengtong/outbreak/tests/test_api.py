"""The outbreak API (issue 18, step 4): cases and their moves, a case's contacts, isolation orders for
one person or many, release — over the same services as the pages, under the same scopes, each view
in the access log, and every refusal naming its field."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import isolation, services
from zhengtong.outbreak.models import Case, CaseMove, IsolationOrder
from zhengtong.outbreak.tests.test_tracing import scenario  # noqa: F401 (a fixture)
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import PersonFactory, token_for

pytestmark = pytest.mark.django_db
COUNTY = Role.COUNTY_OFFICER


def as_(world, role) -> Api:
    return Api(token=token_for(world.users[role]))


def report(world, **data):
    body = {"person_id": world.person_a.pk, "onset_date": str(timezone.localdate() - timedelta(days=1)),
            "site_id": world.site_a.pk, **data}
    return as_(world, COUNTY).post("/outbreak/cases", body)


def test_report_read_and_move_a_case(world):
    r = report(world, symptoms="发热")
    assert r.status_code == 201, r.content
    case = r.json()
    assert (case["status"], case["person_id"], case["site_id"], case["county"]) == (
        "suspected", world.person_a.pk, world.site_a.pk, world.site_a.county.code)
    api = as_(world, COUNTY)
    moved = api.post(f"/outbreak/cases/{case['id']}/moves", {"action": "confirm", "reason": "核酸阳性"})
    assert (moved.status_code, moved.json()["status"]) == (201, "confirmed")
    history = api.get(f"/outbreak/cases/{case['id']}/moves").json()
    assert [(m["action"], m["from_status"], m["to_status"]) for m in history] == [
        ("report", None, "suspected"), ("confirm", "suspected", "confirmed")]
    assert api.get("/outbreak/cases", {"status": "confirmed"}).json()["count"] == 1
    assert api.get("/outbreak/cases", {"status": "suspected"}).json()["count"] == 0
    assert AccessRecord.objects.filter(kind="case").count() == 3  # the list (twice) is one each; the history one
    assert api.get(f"/outbreak/cases/{case['id']}").status_code == 200


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"person_id": 987654}, 400, "person_id"),                                    # an unknown person
    ({"onset_date": str(timezone.localdate() + timedelta(days=2))}, 400, "onset_date"),  # in the future
    ({"onset_date": None}, 400, "onset_date"),                                    # neither onset nor sample
    ({"onset_date": 0}, 422, "onset_date"),                       # a number is no date (not 1970-01-01)
    ({"onset_date": "2020-02-01T00:00:00"}, 422, "onset_date"),   # nor a date-time
    ({"status": "recovered"}, 422, "status"),
    ({"county": "999999", "site_id": None}, 400, "county"),
    ({"symptoms": "x" * 501}, 422, "symptoms"),
])
def test_bad_reports_name_their_field_and_save_nothing(world, change, status, field):
    assert_error(report(world, **change), status, field)
    assert not Case.objects.exists()


def test_a_second_open_case_and_a_move_without_reason(world):
    first = report(world).json()
    body = assert_error(report(world), 409, "person")
    assert str(first["id"]) in body["detail"]
    api = as_(world, COUNTY)
    assert_error(api.post(f"/outbreak/cases/{first['id']}/moves", {"action": "confirm", "reason": ""}), 422, "reason")
    assert_error(api.post(f"/outbreak/cases/{first['id']}/moves", {"action": "recover", "reason": "x"}), 409)
    assert CaseMove.objects.count() == 1  # the report only


def test_cases_outside_the_scope_answer_404_and_only_the_county_decides(world):
    case = report(world).json()
    for role in (Role.ENTERPRISE_CLERK, Role.GATEKEEPER, Role.DEPARTMENT_OFFICER):
        api = as_(world, role)
        assert_error(api.get(f"/outbreak/cases/{case['id']}"), 404)
        assert_error(api.get(f"/outbreak/cases/{case['id']}/contacts"), 404)
        assert api.get("/outbreak/cases").json()["count"] == 0
    manager = as_(world, Role.SITE_MANAGER)  # sees the case found at the site, may not decide or trace
    assert manager.get(f"/outbreak/cases/{case['id']}").status_code == 200
    assert_error(manager.post(f"/outbreak/cases/{case['id']}/moves", {"action": "confirm", "reason": "x"}), 403)
    assert_error(manager.get(f"/outbreak/cases/{case['id']}/contacts"), 403)
    assert_error(Api().get("/outbreak/cases"), 401)


def test_contacts_as_the_trace_page_finds_them(scenario):  # noqa: F811
    world, case, p, sites = scenario
    api = as_(world, COUNTY)
    r = api.get(f"/outbreak/cases/{case.pk}/contacts")
    assert r.status_code == 200, r.content
    body = r.json()
    by = {c["person_id"]: c for c in body["contacts"]}
    names = {v.pk: k for k, v in p.items()}
    assert [names[c["person_id"]] for c in body["contacts"]] == list("FBEM")
    assert (by[p["F"].pk]["overlap_minutes"], by[p["F"].pk]["estimated"]) == (180, True)
    assert sorted(s["minutes"] for s in by[p["B"].pk]["sites"]) == [30, 60]
    assert {s["site_name"] for s in by[p["B"].pk]["sites"]} == {sites["s1"].name, sites["s2"].name}
    assert (body["lookback_days"], body["min_overlap_minutes"], body["degree"]) == (2, 15, 1)
    second = api.get(f"/outbreak/cases/{case.pk}/contacts", {"degree": 2, "min_overlap_minutes": 30}).json()
    k = next(c for c in second["contacts"] if c["person_id"] == p["K"].pk)
    assert (k["degree"], k["via_person_id"]) == (2, p["B"].pk)
    assert all(c["overlap_minutes"] >= 30 for c in second["contacts"])
    assert AccessRecord.objects.filter(kind="trace").count() == 2
    assert_error(api.get(f"/outbreak/cases/{case.pk}/contacts", {"degree": 3}), 422, "degree")


def test_a_trace_through_the_api_is_four_statements(scenario, django_assert_num_queries):  # noqa: F811
    """The token with its user and their roles (one statement), the case, the trace (the case's
    isolation, its stays, the stays that meet them and their people's names, in one statement) and the
    access record (issue 18's performance goal: a trace's API answer within 3× of the bare query)."""
    world, case, p, _sites = scenario
    api = as_(world, COUNTY)
    api.get(f"/outbreak/cases/{case.pk}/contacts")  # the token's first use writes its time
    with django_assert_num_queries(4):
        body = api.get(f"/outbreak/cases/{case.pk}/contacts").json()
    assert [c["person_id"] for c in body["contacts"]] == [p[n].pk for n in "FBEM"]
    record = AccessRecord.objects.filter(kind="trace").order_by("pk").last()
    assert record is not None and (record.username, record.subject_id) == ("county", case.pk)
    assert record.route.startswith("GET api/outbreak/cases/") and record.route.endswith("/contacts")
    assert "degree=1" in record.detail


def test_a_trace_compiles_its_statements_once_per_scope(scenario, monkeypatch):  # noqa: F811
    """The case's read (selectors.case_to_trace) and the people the caller sees (tracing._seen) are
    compiled once per scope: a second trace by the same officer compiles neither, and each other scope
    compiles its own, answering as that scope says (404 outside it, 403 to a manager, all to the city)."""
    from zhengtong.outbreak import selectors, tracing
    from zhengtong.screening import selectors as screening

    world, case, p, _sites = scenario
    compiled = {"case": 0, "seen": 0}

    def counted(name, function):
        def call(*args, **kwargs):
            compiled[name] += 1
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(selectors, "_CASE_STATEMENTS", {})
    monkeypatch.setattr(tracing, "_SEEN", {})
    monkeypatch.setattr(selectors, "_case_statement", counted("case", selectors._case_statement))
    monkeypatch.setattr(screening, "people_among", counted("seen", screening.people_among))
    api = as_(world, COUNTY)
    for _ in range(2):
        body = api.get(f"/outbreak/cases/{case.pk}/contacts").json()
        assert [c["person_id"] for c in body["contacts"]] == [p[n].pk for n in "FBEM"]
    assert compiled == {"case": 1, "seen": 1}
    assert_error(as_(world, Role.SITE_MANAGER).get(f"/outbreak/cases/{case.pk}/contacts"), 403)
    assert_error(as_(world, Role.GATEKEEPER).get(f"/outbreak/cases/{case.pk}/contacts"), 404)
    assert as_(world, Role.CITY_ADMIN).get(f"/outbreak/cases/{case.pk}/contacts").json()["contacts"] == body["contacts"]
    assert compiled == {"case": 4, "seen": 1}  # the city administrator sees everyone: no seen people to compile


def test_a_window_past_the_retention_is_refused(scenario, settings):  # noqa: F811
    world, case, _p, _sites = scenario
    settings.ENTRY_RETENTION_DAYS = 4
    assert_error(as_(world, COUNTY).get(f"/outbreak/cases/{case.pk}/contacts", {"lookback_days": 5}),
                 400, "lookback_days")


def test_isolation_for_many_one_refusal_sinks_no_other(world):
    isolated, third = PersonFactory(site=world.site_a), PersonFactory(site=world.site_a)
    isolation.isolation_order(user=world.users[COUNTY], person=isolated,
                              data={"reason": "close_contact", "place": "home", "place_note": "某小区"})
    api = as_(world, COUNTY)
    # world.person_b is of another county: not among those the officer sees, like an unknown id
    r = api.post("/outbreak/isolations", {"person_ids": [world.person_a.pk, isolated.pk, third.pk, 987654,
                                                         world.person_b.pk],
                                          "reason": "close_contact", "place": "site", "site_id": world.site_a.pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["ordered"], body["refused"]) == (2, 3)
    assert [x["status"] for x in body["results"]] == [201, 409, 201, 404, 404]
    assert body["results"][1]["errors"][0]["field"] == "person"
    assert IsolationOrder.objects.filter(status="active").count() == 3
    listed = api.get("/outbreak/isolations", {"status": "active"}).json()
    assert listed["count"] == 3
    assert api.get(f"/outbreak/isolations/{body['results'][0]['order']['id']}").json()["reason"] == "close_contact"


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"person_ids": []}, 422, "person_ids"),
    ({"reason": "holiday"}, 422, "reason"),
    ({"place": "site", "site_id": None}, 400, "site"),
    ({"place": "hotel", "place_note": ""}, 400, "place_note"),
    ({"planned_end": "2000-01-01"}, 400, "planned_end"),
    ({"case_id": 987654}, 400, "case"),
    ({"county": "999999"}, 400, "county"),
])
def test_bad_orders_are_refused_whole_naming_the_field(world, change, status, field):
    body = {"person_ids": [world.person_a.pk], "reason": "close_contact", "place": "site",
            "site_id": world.site_a.pk, **change}
    assert_error(as_(world, COUNTY).post("/outbreak/isolations", body), status, field)
    assert not IsolationOrder.objects.exists()


def test_who_orders_and_releases_through_the_api(world):
    body = {"person_ids": [world.person_a.pk], "reason": "close_contact", "place": "site", "site_id": world.site_a.pk}
    for role in (Role.ENTERPRISE_CLERK, Role.GATEKEEPER):
        r = as_(world, role).post("/outbreak/isolations", body)
        assert r.status_code in (403, 200) and not IsolationOrder.objects.exists(), r.content
    r = as_(world, COUNTY).post("/outbreak/isolations", body).json()
    order_id = r["results"][0]["order"]["id"]
    # before the planned end: 409, each blocker on "release"
    blocked = assert_error(as_(world, COUNTY).post(f"/outbreak/isolations/{order_id}/release", {}), 409, "release")
    assert len([e for e in blocked["errors"] if e["field"] == "release"]) == 2  # the end; no check after it
    assert_error(as_(world, Role.SITE_MANAGER).post(f"/outbreak/isolations/{order_id}/release", {}), 403)
    assert_error(as_(world, Role.ENTERPRISE_CLERK).post(f"/outbreak/isolations/{order_id}/release", {}), 404)
    o = IsolationOrder.objects.get(pk=order_id)
    o.start -= timedelta(days=15)
    o.planned_end -= timedelta(days=15)
    o.save()
    isolation.isolation_check_record(user=world.users[COUNTY], order=o, data={"temperature": "36.4"})
    r = as_(world, COUNTY).post(f"/outbreak/isolations/{order_id}/release", {"note": "期满"})
    assert (r.status_code, r.json()["status"]) == (200, "released")
    assert_error(as_(world, COUNTY).post(f"/outbreak/isolations/{order_id}/release", {}), 409, "release")


def test_the_api_and_the_service_agree_on_the_state_table(world):
    case = services.case_report(user=world.users[COUNTY], person=world.person_a,
                                data={"site": world.site_a.pk, "onset_date": str(timezone.localdate())})
    api = as_(world, COUNTY)
    assert_error(api.post(f"/outbreak/cases/{case.pk}/moves", {"action": "fly", "reason": "x"}), 422, "action")
    for action in ("exclude", "correct", "confirm", "recover"):
        assert api.post(f"/outbreak/cases/{case.pk}/moves", {"action": action, "reason": "x"}).status_code == 201
    assert_error(api.post(f"/outbreak/cases/{case.pk}/moves", {"action": "die", "reason": "x"}), 409)


def test_the_trace_answer_written_without_validation_is_what_its_schema_writes(scenario):  # noqa: F811
    """case_contacts writes its dict with the API's renderer, skipping TraceOut's validation: the bytes must
    be those the validated answer gives, for the first and the second degree (places, no area, via)."""
    import json

    from django.test import RequestFactory
    from ninja.responses import NinjaJSONEncoder

    from zhengtong.api.api import api
    from zhengtong.outbreak import tracing
    from zhengtong.outbreak.api import TraceOut, trace_body, trace_response

    world, case, _p, _sites = scenario
    for asked in ({}, {"degree": 2, "min_overlap_minutes": 30}):
        read = tracing.params_read({"degree": 1, "min_overlap_minutes": 15, "lookback_days": 2, **asked})
        result = tracing.case_trace(user=world.users[COUNTY], case=case, params=read)
        body = trace_body(case, read, result)
        assert body["contacts"] and any(c["sites"] for c in body["contacts"])
        written = json.dumps(body, cls=NinjaJSONEncoder)
        assert written == json.dumps(TraceOut.model_validate(body).model_dump(), cls=NinjaJSONEncoder)
        # and as the API writes a validated answer: its renderer, its content type
        request = RequestFactory().get("/")
        ours = trace_response(request, body)
        theirs = api.create_response(request, TraceOut.model_validate(body).model_dump(), status=200)
        assert (ours.content, ours["Content-Type"]) == (theirs.content, theirs["Content-Type"])
    assert any(c["via_person_id"] for c in body["contacts"])
    response = as_(world, COUNTY).get(f"/outbreak/cases/{case.pk}/contacts")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert list(response.json()) == list(TraceOut.model_fields)
