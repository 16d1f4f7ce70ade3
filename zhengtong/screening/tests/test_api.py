"""The gate devices' API (/api/gate/…): a device key per gate, one check-in with its decision at once,
exits, the site's people for offline use, and every kind of bad input with its defined answer."""

import threading
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from zhengtong.accounts.models import ApiToken, Role
from zhengtong.registry.models import SitePerson
from zhengtong.screening import services
from zhengtong.screening.models import Alert, Area, Entry, GateDevice
from zhengtong.screening.passes import pass_code, read_pass_code
from zhengtong.tests_support.api import Api, assert_error, messages_for
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db

@pytest.fixture
def gate(device) -> Api:
    return Api(token=device.key)


def check_in(gate: Api, person=None, **body):
    body.setdefault("client_uuid", str(uuid.uuid4()))
    body.setdefault("temperature", "36.5")
    if person is not None:
        body.setdefault("person_id", person.pk)
    return gate.post("/gate/entries", body)


# Decisions ---------------------------------------------------------------------------------


def test_one_of_the_sites_people_is_admitted_and_the_entry_is_the_devices(gate, world, device):
    response = check_in(gate, world.person_a, at=(timezone.now() - timedelta(minutes=1)).isoformat())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["decision"] == "admit" and body["reason"] == "ok" and body["created"] is True
    assert body["reason_text"] == "Checks passed"
    entry = Entry.objects.get()
    assert entry.pk == body["entry_id"]
    assert (entry.site_id, entry.person_id, entry.device_id, entry.source) == (
        world.site_a.pk, world.person_a.pk, device.pk, "api")
    assert entry.recorded_by_id is None and entry.gate_decision == "" and not entry.disagreement


def test_a_fever_is_refused_and_alerts_the_manager_and_the_county(gate, world):
    response = check_in(gate, world.person_a, temperature=38.2)
    assert response.status_code == 201
    assert (response.json()["decision"], response.json()["reason"]) == ("refuse", "fever")
    alerts = Alert.objects.filter(kind="fever", person=world.person_a)
    assert {a.recipient.username for a in alerts} == {"manager", "county"}


def test_a_visitor_is_refused_under_closed_management(gate, world):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"closed_since": "2020-01-26", "visitor_policy": "allowed", "reason": "防疫"})
    number = make_id_number()
    visitor = PersonFactory(id_number=number)  # known to the city, with no relation to this site
    response = check_in(gate, code=number, visit_host="王科长", visit_purpose="送货")
    assert response.status_code == 201, response.content
    assert (response.json()["decision"], response.json()["reason"]) == ("refuse", "closed")
    entry = Entry.objects.get()
    assert entry.person_id == visitor.pk and entry.visit_host == "王科长" and entry.visit_purpose == "送货"
    # One of the site's own people is still admitted.
    assert check_in(gate, world.person_a).json()["decision"] == "admit"


@pytest.mark.parametrize(("closed", "policy", "reason"),
                         [("", "none", "no_visitors"), ("2020-01-26", "allowed", "closed")])
def test_a_site_refusing_visitors_says_so_at_identify_and_records_the_refusal_by_name(gate, world, closed, policy,
                                                                                      reason):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"closed_since": closed, "visitor_policy": policy, "reason": "防疫"})
    number = make_id_number()
    body = gate.post("/gate/identify", {"code": number}).json()
    assert body == {"person_id": None, "name": None, "id_number_masked": None, "relation": None,
                    "former_until": None, "registered": False, "refused": True, "reason": reason,
                    "reason_text": body["reason_text"]}
    assert body["reason_text"]
    response = check_in(gate, code=number)
    assert_error(response, 400, "name")
    assert not Entry.objects.exists()
    key = str(uuid.uuid4())
    response = check_in(gate, code=number, name="访客辛", client_uuid=key)
    assert response.status_code == 201, response.content
    assert (response.json()["decision"], response.json()["reason"]) == ("refuse", reason)
    entry = Entry.objects.get()
    assert (entry.person.name, entry.source) == ("访客辛", "api")
    assert not SitePerson.objects.filter(person=entry.person).exists()
    again = check_in(gate, code=number, name="访客辛", client_uuid=key)
    assert again.status_code == 200 and again.json()["created"] is False and Entry.objects.count() == 1
    # Known now: identify says refused (without the name: not one of the site's people), no name needed.
    body = gate.post("/gate/identify", {"code": number}).json()
    assert (body["registered"], body["refused"], body["name"], body["person_id"]) == (True, True, None,
                                                                                      entry.person_id)
    assert check_in(gate, code=number).json()["reason"] == reason
    # One of the site's own people is not refused on sight.
    body = gate.post("/gate/identify", {"person_id": world.person_a.pk}).json()
    assert (body["refused"], body["name"], body["relation"]) == (False, "张三", "worker")


def test_an_unregistered_visitor_at_a_site_that_receives_visitors_is_still_a_404(gate, world):
    body = gate.post("/gate/identify", {"code": make_id_number()}).json()
    assert (body["registered"], body["refused"]) == (False, False)
    response = check_in(gate, code=make_id_number(), name="访客壬")
    assert_error(response, 404, "code")
    assert not Entry.objects.exists()


def test_a_former_member_is_refused_as_former_at_identify_and_entry(gate, world):
    ended = timezone.localdate() - timedelta(days=2)
    SitePerson.objects.filter(site=world.site_a, person=world.person_a).update(until=ended)
    body = gate.post("/gate/identify", {"person_id": world.person_a.pk}).json()
    assert (body["refused"], body["reason"], body["former_until"], body["name"], body["relation"]) == (
        True, "former", ended.isoformat(), "张三", None)
    body = check_in(gate, world.person_a).json()
    assert (body["decision"], body["reason"], body["reason_text"]) == (
        "refuse", "former", "No longer one of the site's people")


def test_a_person_under_an_isolation_order_is_refused(gate, world, isolation):
    isolation.isolate(world.person_a, timezone.now() - timedelta(days=3))
    response = check_in(gate, world.person_a)
    assert response.status_code == 201
    assert (response.json()["decision"], response.json()["reason"]) == ("refuse", "isolation")
    people = gate.get("/gate/people").json()["items"]
    assert [p["isolated"] for p in people if p["id"] == world.person_a.pk] == [True]


def test_a_pass_of_the_site_identifies_its_person(gate, world):
    response = check_in(gate, code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk))
    assert response.status_code == 201
    assert Entry.objects.get().person_id == world.person_a.pk


def test_an_area_of_the_site(gate, world):
    area = Area.objects.create(site=world.site_a, name="一号楼")
    other = Area.objects.create(site=world.site_b, name="二号楼")
    assert check_in(gate, world.person_a, area_id=area.pk).status_code == 201
    assert Entry.objects.get().area_id == area.pk
    assert_error(check_in(gate, world.person_a, area_id=other.pk), 400, "area_id")
    assert Entry.objects.count() == 1


# Retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("with_time", [True, False])
def test_a_repeated_client_uuid_answers_the_same_entry_and_writes_nothing(gate, world, with_time):
    body = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.6"}
    if with_time:
        body["at"] = (timezone.now() - timedelta(seconds=5)).isoformat()
    first = gate.post("/gate/entries", body)
    again = gate.post("/gate/entries", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert Entry.objects.count() == 1
    # A retry is answered from the stored row, even when it would now be decided otherwise.
    assert gate.post("/gate/entries", {**body, "temperature": "39.0"}).json()["decision"] == "admit"
    assert Entry.objects.count() == 1 and not Alert.objects.exists()


def test_a_check_in_sent_without_its_time_then_with_it_is_stored_once(gate, world):
    """The first copy was timed by the server on receipt; the retry carries the gate's own time."""
    key = str(uuid.uuid4())
    first = check_in(gate, world.person_a, client_uuid=key)
    assert first.status_code == 201
    recorded = (timezone.now() - timedelta(minutes=3)).isoformat()
    again = check_in(gate, world.person_a, client_uuid=key, at=recorded)
    assert again.status_code == 200 and again.json() == {**first.json(), "created": False}
    assert check_in(gate, world.person_a, client_uuid=key).status_code == 200
    assert Entry.objects.count() == 1


def test_a_client_uuid_sent_again_with_another_time_is_the_stored_check_in(gate, world):
    key = str(uuid.uuid4())
    at = timezone.now() - timedelta(hours=2)
    first = check_in(gate, world.person_a, client_uuid=key, at=at.isoformat())
    again = check_in(gate, world.person_a, client_uuid=key, at=(at + timedelta(hours=1)).isoformat())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["entry_id"] == first.json()["entry_id"]
    other = PersonFactory(site=world.site_a)
    assert_error(check_in(gate, other, client_uuid=key, at=at.isoformat()), 409, "client_uuid")
    assert Entry.objects.count() == 1


def test_a_client_uuid_used_for_another_person_is_a_409(gate, world):
    other = PersonFactory(site=world.site_a)
    key = str(uuid.uuid4())
    assert check_in(gate, world.person_a, client_uuid=key).status_code == 201
    body = assert_error(check_in(gate, other, client_uuid=key), 409, "client_uuid")
    assert "make a new one" in body["detail"]
    assert Entry.objects.count() == 1


def test_a_client_uuid_of_another_sites_entry_shows_nothing_of_it(gate, world):
    other_device, other_key = GateDevice.issue(site=world.site_b, name="B gate")
    key = str(uuid.uuid4())
    assert check_in(Api(token=other_key), world.person_b, client_uuid=key).status_code == 201
    body = assert_error(check_in(gate, world.person_a, client_uuid=key), 409, "client_uuid")
    assert "entry_id" not in body
    assert Entry.objects.count() == 1


# Bad input ---------------------------------------------------------------------------------


def test_a_time_in_the_future_beyond_the_clock_skew_is_a_400_naming_at(gate, world, settings):
    settings.CLOCK_SKEW_SECONDS = 300
    body = assert_error(check_in(gate, world.person_a, at=(timezone.now() + timedelta(minutes=10)).isoformat()),
                        400, "at")
    assert "in the future" in messages_for(body, "at")[0]
    within = check_in(gate, world.person_a, at=(timezone.now() + timedelta(seconds=60)).isoformat())
    assert within.status_code == 201
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("offset", ["+23:00", "-16:30"])
def test_a_time_in_any_zone_python_reads_is_stored_as_that_moment(gate, world, offset):
    """PostgreSQL reads offsets up to ±15:59 only: the time is stored as the moment it names, and a retry
    with the same text is the same check-in."""
    at = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    text = at.astimezone(datetime.fromisoformat("2020-01-01T00:00:00" + offset).tzinfo).isoformat()
    key = str(uuid.uuid4())
    assert check_in(gate, world.person_a, at=text, client_uuid=key).status_code == 201
    assert check_in(gate, world.person_a, at=text, client_uuid=key).status_code == 200
    assert Entry.objects.get().entered_at == at


def test_an_id_given_as_true_is_refused_in_the_callers_language(gate, world):
    body = assert_error(check_in(gate, person_id=True), 422, "person_id")
    assert messages_for(body, "person_id") == ["Give a whole number, not true or false."]
    zh = gate.post("/gate/entries", {"client_uuid": str(uuid.uuid4()), "temperature": "36.5", "person_id": True},
                   headers={"Accept-Language": "zh-hans"})
    assert messages_for(assert_error(zh, 422, "person_id"), "person_id") == ["请填写整数，而不是 true 或 false。"]


FAR_FUTURE = ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59+00:00", "9999-12-31T16:00:00Z"]


@pytest.mark.parametrize("at", FAR_FUTURE)
def test_a_time_near_the_year_9999_is_a_400_naming_at_not_a_server_error(gate, world, at):
    """Its moment in the city's time zone (or in UTC) lies past the year 9999, which Python cannot hold:
    it is refused as a wrong clock, like any time in the future, and nothing is stored."""
    body = assert_error(check_in(gate, world.person_a, at=at), 400, "at")
    assert "in the future" in messages_for(body, "at")[0] and at[:10] in messages_for(body, "at")[0]
    assert not Entry.objects.exists()


@pytest.mark.parametrize("at", FAR_FUTURE)
def test_an_exit_at_a_time_near_the_year_9999_is_a_400_naming_at(gate, world, at):
    assert check_in(gate, world.person_a).status_code == 201
    body = assert_error(gate.post("/gate/exits", {"person_id": world.person_a.pk, "at": at}), 400, "at")
    assert "in the future" in messages_for(body, "at")[0]
    assert Entry.objects.get().left_at is None


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "0001-01-01T12:00:00Z", "1970-01-01T00:00:00Z"])
def test_a_time_from_a_reset_clock_is_a_400_naming_at(gate, world, at, settings):
    body = assert_error(check_in(gate, world.person_a, at=at), 400, "at")
    assert f"more than {settings.OLDEST_TIME_DAYS} days ago" in messages_for(body, "at")[0]
    assert not Entry.objects.exists()


def test_a_time_without_its_zone_is_a_400_naming_at(gate, world):
    body = assert_error(check_in(gate, world.person_a, at="2020-02-20T08:30:00"), 400, "at")
    assert "time zone" in messages_for(body, "at")[0]


def test_a_fahrenheit_temperature_is_a_400_with_the_hint(gate, world):
    for typed in (98.6, "98.6"):
        body = assert_error(check_in(gate, world.person_a, temperature=typed), 400, "temperature")
        message = messages_for(body, "temperature")[0]
        assert "Fahrenheit" in message and "°C" in message
    assert not Entry.objects.exists()


@pytest.mark.parametrize("typed", [50, "50", "33.9", "43.1", "abc", "", "NaN", "Infinity"])
def test_a_temperature_that_cannot_be_a_body_temperature_is_a_400(gate, world, typed):
    assert_error(check_in(gate, world.person_a, temperature=typed), 400, "temperature")
    assert not Entry.objects.exists()


def test_an_unknown_person_is_a_404_naming_the_field(gate, world):
    body = assert_error(check_in(gate, person_id=world.person_a.pk + 10_000), 404, "person_id")
    assert body["detail"] == "No person with this id at this site."
    # A person the city knows but this site does not: the same answer, so ids cannot be probed.
    body = assert_error(check_in(gate, person_id=world.person_b.pk), 404, "person_id")
    assert body["detail"] == "No person with this id at this site."
    body = assert_error(check_in(gate, code=make_id_number()), 404, "code")
    assert "register them as a visitor" in body["detail"]
    assert not Entry.objects.exists()


def test_a_mistyped_id_number_is_a_400_naming_code(gate, world):
    number = make_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    body = assert_error(check_in(gate, code=wrong), 400, "code")
    assert "last character is wrong" in body["detail"]


@pytest.mark.parametrize("body", [
    {},
    {"person_id": 1, "code": "430422199001019901"},
])
def test_person_id_or_code_exactly_one(gate, world, body):
    if "person_id" in body:
        body["person_id"] = world.person_a.pk
    assert_error(check_in(gate, **body), 400, "person_id")


def test_a_pass_of_another_site_is_refused(gate, world):
    """A device of site A cannot post for site B's people with site B's pass codes."""
    body = assert_error(check_in(gate, code=pass_code(site_id=world.site_b.pk, person_id=world.person_b.pk)),
                        400, "code")
    assert body["detail"] == "This pass is not valid at this site."
    # Nor with a pass made for site A but naming one of site B's people (a forged or stale card).
    assert_error(check_in(gate, code=pass_code(site_id=world.site_a.pk, person_id=world.person_b.pk)), 400, "code")
    assert_error(check_in(gate, code="ZTP1:forged"), 400, "code")
    assert not Entry.objects.exists()


def test_type_errors_are_ninjas_422_in_the_one_shape(gate, world):
    assert_error(check_in(gate, world.person_a, client_uuid="not-a-uuid"), 422, "client_uuid")
    assert_error(check_in(gate, world.person_a, unknown=1), 422, "unknown")
    assert_error(check_in(gate, person_id=2**70), 422, "person_id")
    assert_error(gate.post("/gate/entries", "not json"), 400)


def test_visit_texts_too_long_are_a_400(gate, world):
    assert_error(check_in(gate, world.person_a, visit_purpose="x" * 201), 400, "visit_purpose")


# Who may call ------------------------------------------------------------------------------


def test_a_revoked_device_key_is_a_401(gate, world, device):
    assert check_in(gate, world.person_a).status_code == 201
    device.revoked_at = timezone.now()
    device.save()
    response = check_in(gate, world.person_a)
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_error(gate.get("/gate/people"), 401)
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("header", ["", "Bearer ztg_wrong", "Bearer zt_wrong", "Token {key}"])
def test_no_or_a_wrong_key_is_a_401(device, header):
    response = Client().post("/api/gate/entries", "{}", content_type="application/json",
                             headers={"Authorization": header.format(key=device.key)} if header else {})
    assert_error(response, 401)


def test_a_users_token_does_not_open_the_gate_and_a_device_key_opens_nothing_else(world, device):
    user_key = ApiToken.issue(user=world.users[Role.GATEKEEPER], name="phone")[1]
    assert_error(check_in(Api(token=user_key), world.person_a), 401)
    assert_error(Api(token=device.key).get("/units"), 401)
    assert_error(Api(token=device.key).get("/me"), 401)
    assert_error(Api(user=world.users[Role.GATEKEEPER]).get("/gate/people"), 401)


# Exits -------------------------------------------------------------------------------------


def test_an_exit_closes_the_stay_once(gate, world):
    entered = check_in(gate, world.person_a).json()
    response = gate.post("/gate/exits", {"person_id": world.person_a.pk})
    assert response.status_code == 200, response.content
    assert response.json()["entry_id"] == entered["entry_id"]
    left = response.json()["left_at"]
    assert gate.post("/gate/exits", {"person_id": world.person_a.pk}).json()["left_at"] == left
    assert Entry.objects.get().left_at is not None


def test_an_exit_without_an_entry_or_of_an_unknown_person(gate, world):
    body = assert_error(gate.post("/gate/exits", {"person_id": world.person_a.pk}), 400, "person_id")
    assert "has not entered" in body["detail"]
    code = pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)
    assert_error(gate.post("/gate/exits", {"code": code}), 400, "code")
    assert_error(gate.post("/gate/exits", {"person_id": 10**12}), 404, "person_id")
    assert_error(gate.post("/gate/exits", {"person_id": world.person_a.pk,
                                           "at": (timezone.now() + timedelta(hours=1)).isoformat()}), 400, "at")


# The site's people and state, for offline use ----------------------------------------------


def test_the_people_of_the_devices_own_site_only_paged(gate, world):
    visitor = PersonFactory(site=world.site_a, relation=SitePerson.Relation.VISITOR)
    gone = PersonFactory(site=world.site_a)
    SitePerson.objects.filter(person=gone).update(until=date(2020, 1, 1))
    for _ in range(3):
        PersonFactory(site=world.site_a)
    first = gate.get("/gate/people", {"limit": 2}).json()
    assert first["count"] == 5 and len(first["items"]) == 2
    rest = gate.get("/gate/people", {"limit": 2, "offset": 2}).json()["items"] + \
        gate.get("/gate/people", {"limit": 2, "offset": 4}).json()["items"]
    people = {p["id"]: p for p in first["items"] + rest}
    assert len(people) == 5
    assert world.person_b.pk not in people and gone.pk not in people
    mine = people[world.person_a.pk]
    assert mine["name"] == "张三" and "*" in mine["id_number_masked"] and mine["relation"] == "worker"
    assert read_pass_code(mine["pass_code"]) == (world.site_a.pk, world.person_a.pk)
    assert people[visitor.pk]["pass_code"] is None and people[visitor.pk]["relation"] == "visitor"
    assert set(mine) == {"id", "name", "id_number_masked", "relation", "since", "until", "pass_code", "isolated",
                         "on_duty"}
    assert_error(gate.get("/gate/people", {"limit": 5000}), 422, "limit")


def test_the_site_and_its_screening_settings(gate, world, settings):
    body = gate.get("/gate/site").json()
    assert body["id"] == world.site_a.pk and body["fever_threshold"] == "37.3"
    assert body["max_batch"] == 5000 and body["clock_skew_seconds"] == settings.CLOCK_SKEW_SECONDS


# Documentation and the command that issues keys ---------------------------------------------


def test_the_gate_endpoints_are_documented_with_examples():
    spec = Client().get("/api/openapi.json").json()
    paths = {"/api/gate/entries", "/api/gate/entries/batch", "/api/gate/exits", "/api/gate/people",
             "/api/gate/site"}
    assert paths <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["GateDeviceAuth"]["scheme"] == "bearer"
    post = spec["paths"]["/api/gate/entries"]["post"]
    assert post["security"] == [{"GateDeviceAuth": []}]
    assert {"200", "201", "400", "401", "404", "409"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    for name in ("GateEntryIn", "GateEntryOut", "GateBatchIn", "GateBatchOut"):
        assert schemas[name]["examples"], name
    check_in, exit_, anything_else = schemas["GateBatchIn"]["properties"]["items"]["items"]["anyOf"]
    assert set(check_in["required"]) == {"client_uuid", "temperature", "at", "gate_decision"}
    # An exit has its own shape, and the document gives its matching rule.
    assert set(exit_["required"]) == {"kind", "client_uuid", "at"} and exit_["properties"]["kind"]["enum"] == ["exit"]
    assert "MAX_STAY_HOURS" in exit_["description"] and "unmatched" in exit_["description"]
    batch_out = schemas["GateBatchItemOut"]["properties"]
    assert "unmatched" in batch_out["status"]["enum"] and "entry_id" in batch_out
    # Any other item is taken too, and answered rejected (one bad item sinks nothing): the document says so.
    assert set(anything_else) == {"description"}


def test_a_batch_item_that_is_not_a_check_in_is_rejected_alone_as_the_document_says(gate, world):
    good = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.5",
            "at": timezone.now().isoformat(), "gate_decision": "admit"}
    response = gate.post("/gate/entries/batch", {"items": [[None, None], good]})
    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["results"]] == ["rejected", "created"]


def test_a_temperature_may_be_a_number_but_a_code_is_text(gate, world):
    response = check_in(gate, world.person_a, temperature=36.6)
    assert response.status_code == 201, response.content
    assert Entry.objects.get(pk=response.json()["entry_id"]).temperature == Decimal("36.6")
    assert_error(check_in(gate, code=int(world.id_number_a[:17] + "0")), 422, "code")


def test_the_command_issues_a_key_shown_once(world):
    out, err = StringIO(), StringIO()
    call_command("issue_gate_token", str(world.site_a.pk), "--name", "South gate", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("ztg_") and "\n" not in key
    device = GateDevice.objects.get(name="South gate")
    assert device.site_id == world.site_a.pk and device.key_hash == GateDevice.hash_key(key)
    assert key not in str(GateDevice.objects.values_list())
    assert check_in(Api(token=key), world.person_a).status_code == 201
    with pytest.raises(CommandError):
        call_command("issue_gate_token", "999999", "--name", "x", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_time", [True, False])
def test_concurrent_retries_of_one_check_in_store_it_once(world, with_time):
    """Gates that time out retry while the first request still runs: the requests wait for each other
    (PostgreSQL: an advisory lock on the UUID; SQLite: one writing transaction at a time), so only one
    row is stored even when the server times the check-in (no ``at``, so no unique key to clash on).

    Not on SQLite here: its test database lives in memory with a shared cache, where a second writer
    fails at once ("table is locked") instead of waiting as on the database file the product uses.
    test_crash.py runs concurrent retries against a real server on a SQLite file as well."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database cannot take concurrent writers; see test_crash.py")
    _device, key = GateDevice.issue(site=world.site_a, name="retrying gate")
    body = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.5"}
    if with_time:
        body["at"] = (timezone.now() - timedelta(seconds=3)).isoformat()
    barrier = threading.Barrier(6)
    answers = []

    def post():
        client = Api(token=key)
        barrier.wait()
        response = client.post("/gate/entries", body)
        answers.append((response.status_code, response.json()))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _body in answers) == [200] * 5 + [201], answers
    assert len({body["entry_id"] for _status, body in answers}) == 1
    assert Entry.objects.filter(client_uuid=body["client_uuid"]).count() == 1
