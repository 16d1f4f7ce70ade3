"""Offline sync (screening.sync.entries_sync and POST /api/gate/entries/batch): the gate's decision is
stored as taken, the rules are checked again, a disagreement is flagged and alerted, invalid items are
rejected one by one, repeated client UUIDs write nothing, and the work is a few queries per batch."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.registry.models import SitePerson
from zhengtong.screening import services, sync
from zhengtong.screening.models import Alert, Area, Entry, GateDevice
from zhengtong.screening.passes import pass_code
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory, fill_entries

pytestmark = pytest.mark.django_db

def item(person=None, **kw) -> dict:
    kw.setdefault("client_uuid", str(uuid.uuid4()))
    kw.setdefault("temperature", "36.5")
    kw.setdefault("at", (timezone.now() - timedelta(minutes=30)).isoformat())
    kw.setdefault("gate_decision", "admit")
    if person is not None:
        kw.setdefault("person_id", person.pk)
    return kw


def post(device, items):
    return Api(token=device.key).post("/gate/entries/batch", {"items": items})


def statuses(results) -> list[str]:
    return [r["status"] if isinstance(r, dict) else r.status for r in results]


def errors_of(result) -> dict[str, str]:
    return {e["field"]: e["message"] for e in result["errors"]}


def test_a_mixed_batch_stores_the_valid_flags_the_disagreement_and_rejects_the_rest(world, device):
    manager = world.users[Role.SITE_MANAGER]
    services.site_set_state(user=manager, site=world.site_a,
                            data={"closed_since": "2020-01-26", "visitor_policy": "allowed", "reason": "防疫"})
    outsider_number = make_id_number()
    outsider = PersonFactory(site=world.site_b, id_number=outsider_number)  # known to the city, not to site A
    stored = services.entry_screen(actor=services.Actor(device=device), site=world.site_a, person=world.person_a,
                                   temperature="36.4", client_uuid=uuid.uuid4(), source=Entry.Source.API,
                                   at=timezone.now() - timedelta(hours=1))
    repeated = item(world.person_a)
    items = [
        item(world.person_a),  # 0 admitted, as the gate did
        item(code=outsider_number, gate_decision="admit"),  # 1 the rules refuse (closed): disagreement
        item(world.person_a, temperature=98.6),  # 2 °F
        item(world.person_a, temperature="50"),  # 3 not a body temperature
        item(person_id=world.person_a.pk + 100_000),  # 4 unknown person
        item(world.person_a, at=(timezone.now() + timedelta(hours=2)).isoformat()),  # 5 future
        item(world.person_a, client_uuid=str(stored.entry.client_uuid),  # 6 stored before
             at=stored.entry.entered_at.isoformat()),
        repeated,  # 7
        dict(repeated),  # 8 the same check-in twice in one batch
        "not an object",  # 9
        item(world.person_a, colour="red", gate_decision="maybe", client_uuid="nope", at="yesterday"),  # 10
        item(world.person_a, temperature="38.5", gate_decision="refuse"),  # 11 fever, refused by the gate too
    ]
    before = Entry.objects.count()
    response = post(device, items)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert statuses(results) == ["created", "created", "rejected", "rejected", "rejected", "rejected", "duplicate",
                                 "created", "duplicate", "rejected", "rejected", "created"]
    assert [r["client_uuid"] for r in results[:9]] == [i["client_uuid"] for i in items[:9]]
    assert results[0] == {"client_uuid": items[0]["client_uuid"], "status": "created", "decision": "admit",
                          "reason": "ok", "disagreement": False}
    assert results[1]["decision"] == "refuse" and results[1]["reason"] == "closed" and results[1]["disagreement"]
    assert "Fahrenheit" in errors_of(results[2])["temperature"]
    assert "cannot be a body temperature" in errors_of(results[3])["temperature"]
    assert errors_of(results[4]) == {"person_id": "No person with this id at this site."}
    assert "in the future" in errors_of(results[5])["at"]
    assert results[6]["decision"] == "admit" and "errors" not in results[6]
    assert results[8] == {**results[7], "status": "duplicate"}
    assert "client_uuid" not in results[9] and errors_of(results[9]).keys() == {""}
    assert errors_of(results[10]).keys() == {"colour", "gate_decision", "client_uuid", "at"}
    assert results[10]["client_uuid"] == "nope"
    assert (results[11]["decision"], results[11]["reason"], results[11]["disagreement"]) == ("refuse", "fever", False)

    assert Entry.objects.count() == before + 4
    flagged = Entry.objects.get(client_uuid=items[1]["client_uuid"])
    assert (flagged.gate_decision, flagged.decision, flagged.reason, flagged.disagreement) == (
        "admit", "refuse", "closed", True)
    assert flagged.source == "sync" and flagged.device_id == device.pk and flagged.person_id == outsider.pk
    assert flagged.entered_at == datetime.fromisoformat(items[1]["at"])
    disagreement = Alert.objects.filter(kind="disagreement")
    assert {a.recipient.username for a in disagreement} == {"manager", "county"}
    assert disagreement.first().person_id == outsider.pk
    assert "Admitted" in disagreement.first().message and "Refused" in disagreement.first().message
    assert {a.recipient.username for a in Alert.objects.filter(kind="fever")} == {"manager", "county"}

    # The same batch again, as a gate that never saw the answer would send it: nothing new.
    alerts = Alert.objects.count()
    again = post(device, items).json()["results"]
    assert statuses(again) == ["duplicate", "duplicate", "rejected", "rejected", "rejected", "rejected",
                               "duplicate", "duplicate", "duplicate", "rejected", "rejected", "duplicate"]
    assert again[1]["decision"] == "refuse" and again[1]["disagreement"] is True
    assert Entry.objects.count() == before + 4 and Alert.objects.count() == alerts


def test_several_disagreements_make_one_alert_per_batch_and_nothing_is_dropped(world, device):
    services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                            data={"visitor_policy": "none", "reason": "防疫"})
    device.site.refresh_from_db()
    numbers = [make_id_number() for _ in range(3)]
    for number in numbers:
        PersonFactory(site=world.site_b, id_number=number)
    items = [item(code=number, gate_decision="admit") for number in numbers]
    items.append(item(world.person_a, gate_decision="refuse"))  # the rules admit: a disagreement too
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=items)
    assert statuses(results) == ["created"] * 4 and all(r.disagreement for r in results)
    assert Entry.objects.filter(disagreement=True).count() == 4
    alerts = Alert.objects.filter(kind="disagreement")
    assert alerts.count() == 2  # one per recipient (manager, county)
    assert "4 decisions" in alerts.first().message and "3 admitted" in alerts.first().message


def test_passes_and_id_numbers_identify_people_as_a_single_check_in_does(world, device):
    number = make_id_number()
    visitor = PersonFactory(id_number=number)
    unknown = make_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    items = [
        item(code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)),
        item(code=number),
        item(code=pass_code(site_id=world.site_b.pk, person_id=world.person_b.pk)),
        item(code=pass_code(site_id=world.site_a.pk, person_id=world.person_b.pk)),
        item(code=unknown),
        item(code=wrong),
        item(code="ZTP1:forged"),
        item(code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk), person_id=world.person_a.pk),
    ]
    results = post(device, items).json()["results"]
    assert statuses(results) == ["created", "created"] + ["rejected"] * 6
    stored = dict(Entry.objects.values_list("client_uuid", "person_id"))
    assert stored[uuid.UUID(items[0]["client_uuid"])] == world.person_a.pk
    assert stored[uuid.UUID(items[1]["client_uuid"])] == visitor.pk
    for index in (2, 3, 6):
        assert errors_of(results[index]) == {"code": "This pass is not valid at this site."}
    assert "register them as a visitor" in errors_of(results[4])["code"]
    assert "last character is wrong" in errors_of(results[5])["code"]
    assert "not both" in errors_of(results[7])["person_id"]


def test_areas_appointments_and_site_thresholds(world, device):
    area = Area.objects.create(site=world.site_a, name="一号楼")
    other_area = Area.objects.create(site=world.site_b, name="二号楼")
    world.site_a.fever_threshold = Decimal("37.0")
    world.site_a.visitor_policy = "appointment"
    world.site_a.save()
    at = timezone.now() - timedelta(minutes=5)
    guest = PersonFactory(site=world.site_a, relation=SitePerson.Relation.VISITOR)
    SitePerson.objects.filter(person=guest).update(since=timezone.localdate(at))
    late = PersonFactory(site=world.site_a, relation=SitePerson.Relation.VISITOR)
    SitePerson.objects.filter(person=late).update(since=date(2020, 1, 1))
    items = [
        item(world.person_a, area_id=area.pk, at=at.isoformat()),
        item(world.person_a, area_id=other_area.pk),
        item(world.person_a, temperature="37.0", gate_decision="refuse"),
        item(person_id=guest.pk, at=at.isoformat()),
        item(person_id=late.pk, gate_decision="refuse"),
    ]
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=items)
    assert statuses(results) == ["created", "rejected", "created", "created", "created"]
    assert Entry.objects.get(client_uuid=items[0]["client_uuid"]).area_id == area.pk
    assert results[1].errors == [{"field": "area_id", "message": "This site has no such area."}]
    assert (results[2].reason, results[2].disagreement) == ("fever", False)
    assert (results[3].decision, results[4].reason) == ("admit", "appointment")


def test_isolation_orders_are_asked_once_per_batch(world, device, isolation, monkeypatch):
    # person_a is isolated throughout; released is isolated until an hour ago; brief is isolated for
    # twenty minutes inside the batch's span (seen neither at its first nor at its last time).
    released, brief = PersonFactory(site=world.site_a), PersonFactory(site=world.site_a)
    now = timezone.now()
    isolation.isolate(world.person_a, now - timedelta(days=3))
    isolation.isolate(released, now - timedelta(days=3), now - timedelta(hours=1))
    isolation.isolate(brief, now - timedelta(hours=2, minutes=30), now - timedelta(hours=2, minutes=10))

    copying = []
    copy = sync._copy

    def copy_watched(*args):
        copying.append(True)
        try:
            copy(*args)
        finally:
            copying.pop()

    def not_while_copying():
        # The outbreak app will query the database: never while the COPY holds the connection.
        assert not copying, "asked for isolation orders while the COPY runs"

    isolation.while_asked = not_while_copying
    monkeypatch.setattr(sync, "_copy", copy_watched)
    first, last = now - timedelta(hours=3), now - timedelta(minutes=1)
    items = [item(world.person_a, at=first.isoformat()), item(world.person_a, at=last.isoformat())]
    items += [item(released, at=(now - timedelta(hours=2, minutes=i)).isoformat()) for i in range(5)]
    items += [item(released, at=(now - timedelta(minutes=i + 2)).isoformat()) for i in range(5)]
    items += [item(brief, at=(now - timedelta(hours=2, minutes=20)).isoformat()),
              item(brief, at=(now - timedelta(hours=2, minutes=5)).isoformat())]
    results = sync.entries_sync(device=device, items=items)
    assert [r.reason for r in results] == ["isolation"] * 7 + ["ok"] * 5 + ["isolation", "ok"]
    assert all(r.disagreement for r in results[:7]) and not any(r.disagreement for r in results[7:12])
    # One question for the whole batch: its people over its whole span.
    assert len(isolation.calls) == 1
    people, start, end = isolation.calls[0]
    assert people == {world.person_a.pk, released.pk, brief.pk}
    assert (start, end) == (first, last)


def test_a_batch_too_large_is_a_400_naming_items(world, device):
    body = assert_error(post(device, [{}] * (sync.MAX_BATCH + 1)), 400, "items")
    assert "at most 5000" in body["detail"]
    assert post(device, []).json() == {"results": []}
    assert_error(Api(token=device.key).post("/gate/entries/batch", {"items": "x"}), 422, "items")


def test_a_revoked_device_cannot_sync(world, device):
    device.revoked_at = timezone.now()
    device.save()
    assert_error(post(device, [item(world.person_a)]), 401)
    with pytest.raises(PermissionDenied):
        sync.entries_sync(device=device, items=[item(world.person_a)])
    assert not Entry.objects.exists()


def test_a_uuid_used_for_another_check_in_is_rejected_not_overwritten(world, device):
    other = PersonFactory(site=world.site_a)
    first = item(world.person_a)
    assert statuses(sync.entries_sync(device=device, items=[first])) == ["created"]
    clash = item(other, client_uuid=first["client_uuid"], at=first["at"])
    in_batch = item(other)
    results = sync.entries_sync(device=device, items=[clash, in_batch, {**in_batch, "person_id": world.person_a.pk}])
    assert statuses(results) == ["rejected", "created", "rejected"]
    assert results[0].errors[0]["field"] == "client_uuid"
    assert Entry.objects.get(client_uuid=first["client_uuid"]).person_id == world.person_a.pk
    # A device of another site sending the same UUID learns nothing of the stored check-in.
    device_b, _key = GateDevice.issue(site=world.site_b, name="B")
    result = sync.entries_sync(device=device_b, items=[item(world.person_b, client_uuid=first["client_uuid"],
                                                             at=first["at"])])[0]
    assert result.status == "rejected" and result.decision is None


def test_a_check_in_sent_alone_then_in_a_batch_is_a_duplicate(world, device):
    key = str(uuid.uuid4())
    assert Api(token=device.key).post("/gate/entries", {"client_uuid": key, "person_id": world.person_a.pk,
                                                         "temperature": "36.5"}).status_code == 201
    results = sync.entries_sync(device=device, items=[item(world.person_a, client_uuid=key)])
    assert statuses(results) == ["duplicate"] and Entry.objects.count() == 1


def test_the_whole_batch_is_one_transaction(world, device, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("alert channel down")

    monkeypatch.setattr(sync.alerts, "notify", fail)
    with pytest.raises(RuntimeError):
        sync.entries_sync(device=device, items=[item(world.person_a), item(world.person_a, temperature="39.0")])
    assert not Entry.objects.exists()


def test_a_batch_costs_a_few_queries_whatever_its_size(world, device):
    people = [world.person_a] + [PersonFactory(site=world.site_a) for _ in range(9)]
    visitor_number = make_id_number()
    PersonFactory(id_number=visitor_number)
    area = Area.objects.create(site=world.site_a, name="食堂")

    def batch(n):
        base = timezone.now() - timedelta(hours=2)
        items = []
        for i in range(n):
            person = people[i % len(people)]
            extra = {"code": pass_code(site_id=world.site_a.pk, person_id=person.pk)} if i % 3 == 0 else \
                {"code": visitor_number} if i % 3 == 1 else {"person_id": person.pk}
            items.append(item(**extra, area_id=area.pk, at=(base + timedelta(seconds=i)).isoformat(),
                              gate_decision="refuse" if i % 50 == 0 else "admit"))
        return items

    counts = []
    for n in (20, 600):
        with CaptureQueriesContext(connection) as queries:
            results = sync.entries_sync(device=device, items=batch(n))
        assert statuses(results) == ["created"] * n
        counts.append(len([q for q in queries.captured_queries if 'INTO "screening_entry"' not in q["sql"]]))
    # Savepoints, stored UUIDs, people, areas, alert recipients and alerts, and on SQLite the re-read
    # after the insert; the inserts themselves (PostgreSQL: one COPY, which Django does not log).
    assert counts[0] == counts[1] <= 10, counts


def test_a_batch_of_the_largest_size_goes_in(world, device):
    base = timezone.now() - timedelta(hours=3)
    items = [item(world.person_a, at=(base + timedelta(seconds=i)).isoformat()) for i in range(sync.MAX_BATCH)]
    results = post(device, items).json()["results"]
    assert len(results) == sync.MAX_BATCH and set(statuses(results)) == {"created"}
    assert Entry.objects.count() == sync.MAX_BATCH
    assert set(statuses(post(device, items).json()["results"])) == {"duplicate"}
    assert Entry.objects.count() == sync.MAX_BATCH


def test_sync_refuses_something_other_than_a_list(world, device):
    with pytest.raises(DomainError) as e:
        sync.entries_sync(device=device, items={"a": 1})
    assert "items" in e.value.errors


def test_rows_a_concurrent_retry_stored_meanwhile_are_skipped_not_doubled(world, device, monkeypatch):
    """As if another request with the same check-ins committed between the look-up of stored UUIDs and
    the insert: the insert skips those rows (PostgreSQL: the COPY fails on the unique key and the rows
    go in again with ON CONFLICT DO NOTHING), stores the rest, and a re-read tells which are whose."""
    other = PersonFactory(site=world.site_a)
    first = [item(world.person_a), item(world.person_a, temperature="38.0", gate_decision="refuse")]
    assert statuses(sync.entries_sync(device=device, items=first)) == ["created", "created"]
    monkeypatch.setattr(sync, "_stored", lambda items: {})
    confirm, confirmed = sync._confirm, []
    monkeypatch.setattr(sync, "_confirm", lambda *args: confirmed.append(1) or confirm(*args))
    clash = item(other, client_uuid=first[0]["client_uuid"], at=first[0]["at"])  # another check-in, same key
    new = item(world.person_a)
    results = sync.entries_sync(device=device, items=[*first, new])
    assert statuses(results) == ["created", "created", "created"]
    assert Entry.objects.count() == 3 and confirmed == [1]  # the skipping insert and its re-read ran
    assert Alert.objects.filter(kind="fever").count() == 4  # sent again, as both requests would: none lost
    results = sync.entries_sync(device=device, items=[clash])
    assert statuses(results) == ["rejected"] and results[0].errors[0]["field"] == "client_uuid"
    assert Entry.objects.count() == 3
    assert Entry.objects.get(client_uuid=first[0]["client_uuid"]).person_id == world.person_a.pk


@pytest.mark.parametrize("field", sorted(sync.FIELDS - {"code"}))
@pytest.mark.parametrize("value", [{}, [], True, -1, 1.5, "\x00", "x" * 300])
def test_any_json_value_in_any_field_is_an_answer_never_a_server_error(world, device, field, value):
    sent = item(world.person_a, **{field: value})
    result = sync.entries_sync(device=device, items=[sent])[0]
    assert result.status == "rejected", result
    assert {e["field"] for e in result.errors} == {field}, result.errors


@pytest.mark.parametrize("state", [
    {"closed_since": date(2020, 1, 26), "visitor_policy": "allowed"},
    {"closed_since": None, "visitor_policy": "none"},
    {"closed_since": None, "visitor_policy": "appointment"},
    {"closed_since": None, "visitor_policy": "allowed", "is_active": False},
])
def test_a_batch_decides_as_a_single_check_in_does(world, device, state):
    """The batch gathers its facts in bulk; the decisions must be entry_screen's, case by case."""
    for field, value in state.items():
        setattr(world.site_a, field, value)
    world.site_a.save()
    today = timezone.localdate()
    ended = PersonFactory(site=world.site_a)
    SitePerson.objects.filter(person=ended).update(until=today - timedelta(days=1))
    ends_today = PersonFactory(site=world.site_a)
    SitePerson.objects.filter(person=ends_today).update(until=today)
    expected_visit = PersonFactory(site=world.site_a, relation=SitePerson.Relation.VISITOR)
    SitePerson.objects.filter(person=expected_visit).update(since=today)
    other_day = PersonFactory(site=world.site_a, relation=SitePerson.Relation.VISITOR)
    SitePerson.objects.filter(person=other_day).update(since=today - timedelta(days=3))
    stranger_number = make_id_number()
    stranger = PersonFactory(site=world.site_b, id_number=stranger_number)
    people = [world.person_a, ended, ends_today, expected_visit, other_day, stranger]
    at = timezone.now() - timedelta(minutes=1)
    cases = [(person, t) for person in people for t in ("36.5", "37.3")]
    single = []
    for person, t in cases:
        screened = services.entry_screen(actor=services.Actor(device=device), site=world.site_a, person=person,
                                         temperature=t, at=at, client_uuid=uuid.uuid4(), source=Entry.Source.API)
        single.append((screened.entry.decision, screened.entry.reason))
    results = sync.entries_sync(device=device, items=[
        item(person, temperature=t, at=at.isoformat()) if person is not stranger
        else item(code=stranger_number, temperature=t, at=at.isoformat()) for person, t in cases])
    assert [(r.decision, r.reason) for r in results] == single
    assert Entry.objects.filter(source="sync").count() == len(cases)
    if world.site_a.is_active:  # the ended worker is refused as former (or for a fever)
        assert single[2:4] == [("refuse", "former"), ("refuse", "fever")]


def test_readings_typed_alike_or_not_give_the_same_temperature(world, device):
    """The batch remembers each typed reading once checked; every spelling still gets the rules' check."""
    typed = ["36.5", 36.5, " 36.5 ", "36,5", "36.5℃", "36.5°C", "36.50", "36.5", 36.5, "98.6", 98.6, "36.5"]
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=[item(world.person_a, temperature=t) for t in typed])
    assert statuses(results) == ["created"] * 9 + ["rejected", "rejected", "created"]
    assert {str(t) for t in Entry.objects.values_list("temperature", flat=True)} == {"36.5"}
    assert "Fahrenheit" in results[9].errors[0]["message"] and "Fahrenheit" in results[10].errors[0]["message"]


def test_times_in_any_iso_form_and_zone(world, device):
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    forms = [at.isoformat(), at.astimezone(timezone.get_current_timezone()).isoformat(),
             at.strftime("%Y-%m-%dT%H:%M:%SZ"), " " + at.isoformat() + " ", at.replace(tzinfo=None).isoformat()]
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=[item(world.person_a, at=f) for f in forms])
    assert statuses(results) == ["created"] * 4 + ["rejected"]
    assert "time zone" in results[4].errors[0]["message"]
    assert set(Entry.objects.values_list("entered_at", flat=True)) == {at}


def test_a_uuid_in_any_spelling_is_one_check_in(world, device):
    key = uuid.uuid4()
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    spellings = [str(key), str(key).upper(), key.hex, "{" + str(key) + "}", key.urn]
    results = sync.entries_sync(device=device, items=[item(world.person_a, client_uuid=s, at=at) for s in spellings])
    assert statuses(results) == ["created"] + ["duplicate"] * 4
    assert [r.client_uuid for r in results] == spellings  # given back as sent
    assert statuses(sync.entries_sync(device=device, items=[item(world.person_a, client_uuid=key.hex, at=at)])) \
        == ["duplicate"]
    assert list(Entry.objects.values_list("client_uuid", flat=True)) == [key]


@pytest.mark.parametrize("form", ["+23:00", "-15:30", "+05:30:15", "+08:00 7 digits"])
def test_any_offset_python_reads_is_stored_as_that_moment(world, device, form):
    """PostgreSQL reads offsets up to ±15:59 only: a time is written as the moment Python read."""
    at = (timezone.now() - timedelta(hours=30)).replace(microsecond=123456)
    offset, _space, digits = form.partition(" ")
    text = at.astimezone(datetime.fromisoformat("2020-01-01T00:00:00" + offset).tzinfo).isoformat()
    if digits:
        text = text.replace(".123456", ".1234567")
    results = sync.entries_sync(device=device, items=[item(world.person_a, at=text)])
    assert statuses(results) == ["created"]
    assert Entry.objects.get().entered_at == at
    assert statuses(sync.entries_sync(device=device, items=[item(world.person_a, at=text,
                                                                 client_uuid=Entry.objects.get().client_uuid.hex)])) \
        == ["duplicate"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_look_up_of_stored_uuids_probes_the_index_whatever_the_tables_size(world, device):
    """With many rows in the batch's time span, the look-up still reads the unique index (client_uuid,
    entered_at) once per UUID rather than every row of the span."""
    fill_entries(30000, site_id=world.site_a.pk, person_ids=[world.person_a.pk], days=0.3)
    batch = [item(world.person_a, at=(timezone.now() - timedelta(minutes=i)).isoformat()) for i in range(300)]
    with CaptureQueriesContext(connection) as queries:
        assert set(statuses(sync.entries_sync(device=device, items=batch))) == {"created"}
    [look_up] = [q["sql"] for q in queries.captured_queries if "unnest" in q["sql"] and "client_uuid" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + look_up)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on screening_entry" not in plan, plan
    # One probe per UUID: a nested loop over the UUIDs, each an index condition on the UUID itself.
    assert "Nested Loop" in plan and "Function Scan on unnest" in plan, plan
    assert "Index Cond: ((client_uuid = k.u)" in plan, plan


def test_a_retry_by_pass_or_id_number_is_a_duplicate_only_for_the_same_person(world, device):
    number = make_id_number()
    visitor = PersonFactory(id_number=number)
    other_number = make_id_number()
    PersonFactory(id_number=other_number)
    by_pass = item(code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk))
    by_number = item(code=number)
    assert statuses(sync.entries_sync(device=device, items=[by_pass, by_number])) == ["created", "created"]
    assert Entry.objects.get(client_uuid=by_number["client_uuid"]).person_id == visitor.pk
    results = sync.entries_sync(device=device, items=[
        by_pass, by_number,  # the same check-ins again
        {**by_pass, "person_id": None, "code": other_number},  # the UUIDs reused for someone else
        {**by_number, "code": pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)},
    ])
    assert statuses(results) == ["duplicate", "duplicate", "rejected", "rejected"]
    assert {e["field"] for r in results[2:] for e in r.errors} == {"client_uuid"}
    assert Entry.objects.count() == 2


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "0001-01-01T12:00:00Z", "1970-01-01T00:00:00Z"])
def test_a_time_from_a_reset_clock_is_rejected_by_name(world, device, at):
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=[item(world.person_a, at=at), item(world.person_a)])
    assert statuses(results) == ["rejected", "created"]
    assert "days ago" in errors_of({"errors": results[0].errors})["at"]


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59+00:00"])
def test_an_item_near_the_year_9999_is_rejected_alone_by_name(world, device, at):
    """A gate whose clock jumped to the year 9999 must not sink its batch: the good items go in, the bad
    one is rejected by its client UUID, naming ``at``, and a retry of the batch syncs."""
    items = [item(world.person_a) for _ in range(4)]
    items.insert(2, item(world.person_a, at=at))
    response = post(device, items)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert statuses(results) == ["created", "created", "rejected", "created", "created"]
    assert results[2]["client_uuid"] == items[2]["client_uuid"]
    assert "in the future" in errors_of(results[2])["at"]
    assert Entry.objects.count() == 4
    assert statuses(post(device, items).json()["results"]) == ["duplicate", "duplicate", "rejected", "duplicate",
                                                               "duplicate"]


def test_a_batch_accepts_the_times_a_single_check_in_accepts(world, device, settings):
    """The batch's own quick bounds on a time and services._check_time are one rule."""
    settings.CLOCK_SKEW_SECONDS, settings.OLDEST_TIME_DAYS = 300, 30
    now = timezone.now()
    offsets = [timedelta(seconds=250), timedelta(seconds=350), -timedelta(days=29, hours=23),
               -timedelta(days=30, hours=1), -timedelta(days=400)]
    forms = [lambda t: t.isoformat(), lambda t: t.astimezone(datetime.fromisoformat("2020-01-01T00:00+14:00").tzinfo)
             .isoformat(), lambda t: t.strftime("%Y-%m-%d %H:%M:%S+00:00")]  # the last goes the full way
    single, batch = [], []
    for offset in offsets:
        for form in forms:
            text = form(now + offset)
            try:
                services.entry_screen(actor=services.Actor(device=device), site=world.site_a, person=world.person_a,
                                      temperature="36.5", at=datetime.fromisoformat(text), client_uuid=uuid.uuid4())
                single.append("created")
            except DomainError as e:
                assert "at" in e.errors
                single.append("rejected")
            batch.append(item(world.person_a, at=text))
    for text in ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999+14:00", "0001-01-01T00:00:00+14:00"]:
        with pytest.raises(DomainError) as refused:  # the far future and the far past: a wrong clock
            services.entry_screen(actor=services.Actor(device=device), site=world.site_a, person=world.person_a,
                                  temperature="36.5", at=datetime.fromisoformat(text), client_uuid=uuid.uuid4())
        assert "at" in refused.value.errors
        single.append("rejected")
        batch.append(item(world.person_a, at=text))
    assert statuses(sync.entries_sync(device=device, items=batch)) == single
    assert single.count("created") == 2 * len(forms)


def test_a_batch_by_id_number_finds_what_the_site_typed_for_a_held_registration(world, device):
    """Issue 15: a registration held for the city (its name did not match the number's person)
    is the one the site's gate finds by that number, in a batch as in a single check-in."""
    from zhengtong.registry import services as registry

    number = make_id_number()
    known = PersonFactory(site=world.site_b, id_number=number, name="李四")
    held = registry.person_register(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                                    data={"name": "王五", "id_number": number, "relation": "worker"})
    assert held.pk != known.pk and held.is_held
    results = sync.entries_sync(device=device, items=[item(code=number)])
    assert statuses(results) == ["created"], results
    assert Entry.objects.get(site=world.site_a).person_id == held.pk


def test_a_batch_at_a_third_site_finds_the_identity_not_another_sites_held_registration(world, device):
    from zhengtong.registry import services as registry
    from zhengtong.tests_support.factories import SiteFactory

    number = make_id_number()
    known = PersonFactory(site=world.site_b, id_number=number, name="李四")
    registry.person_register(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                             data={"name": "王五", "id_number": number, "relation": "worker"})
    third = SiteFactory.create(unit=world.unit_a, name="三号车间")
    people = sync._people(third, [])  # nothing asked: nothing found
    assert people.by_hash == {}
    device.site = third
    device.save()
    sync.entries_sync(device=device, items=[item(code=number)])
    assert Entry.objects.get(site=third).person_id == known.pk


# What an offline gate admitted is a stay ---------------------------------------------------------


def test_an_offline_admission_the_rules_refuse_is_a_stay_inside_leaving_and_counted_as_admitted(world, device):
    from zhengtong.screening import selectors

    now = timezone.now()
    since_midnight = now - timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    at = now - min(timedelta(minutes=30), since_midnight / 2)  # today, even just after midnight
    fever = PersonFactory(site=world.site_a, name="发热甲")
    with translation.override("en"):
        results = sync.entries_sync(device=device, items=[
            item(fever, temperature="38.4", at=at.isoformat()),  # admitted offline; the rules say fever
            item(world.person_a, temperature="38.6", at=at.isoformat(), gate_decision="refuse"),  # refused alike
        ])
    assert [(r.decision, r.reason, r.disagreement) for r in results] == [
        ("refuse", "fever", True), ("refuse", "fever", False)]
    stay = Entry.objects.get(person=fever)
    assert (stay.decision, stay.gate_decision, stay.disagreement, stay.is_stay) == ("refuse", "admit", True, True)
    # Inside, and counted as admitted (the one refused alike is refused).
    manager = world.users[Role.SITE_MANAGER]
    assert [e.person_id for e in selectors.inside_now(site=world.site_a)] == [fever.pk]
    figures = selectors.site_figures(user=manager, site=world.site_a)
    assert (figures.inside_now, figures.admitted_today, figures.refused_today) == (1, 1, 1)
    totals = selectors.figure_totals(selectors.screening_sites(user=manager), user=manager)
    assert (totals["inside_now"], totals["admitted_today"], totals["refused_today"]) == (1, 1, 1)
    # The fever alert says the person was admitted, by the offline gate; the disagreement is flagged too.
    fever_alerts = Alert.objects.filter(kind="fever", recipient=manager)
    texts = {a.person_id: a.message for a in fever_alerts}
    assert "offline gate" in texts[fever.pk] and "refused" not in texts[fever.pk]
    assert "refused" in texts[world.person_a.pk]
    assert Alert.objects.filter(kind="disagreement", recipient=manager, person=fever).exists()
    # The person can leave: the exit closes that stay.
    left = services.exit_record(actor=services.Actor(device=device), site=world.site_a, person=fever)
    assert left.pk == stay.pk and left.left_at is not None and not left.left_estimated
    assert list(selectors.inside_now(site=world.site_a)) == []
    with pytest.raises(DomainError):  # the one refused alike never went in
        services.exit_record(actor=services.Actor(device=device), site=world.site_a, person=world.person_a)


def test_the_overdue_stay_job_closes_an_offline_admission_the_rules_refuse(world, device, settings):
    at = timezone.now() - timedelta(hours=settings.MAX_STAY_HOURS + 2)
    sync.entries_sync(device=device, items=[item(world.person_a, temperature="38.4", at=at.isoformat())])
    assert services.stays_close_overdue() == 1
    stay = Entry.objects.get()
    assert stay.left_estimated and stay.left_at == stay.entered_at + timedelta(hours=settings.MAX_STAY_HOURS)


def test_fevers_past_the_named_ones_say_how_many_the_offline_gate_admitted(world, device):
    people = [PersonFactory(site=world.site_a) for _ in range(sync.FEVER_ALERTS_NAMED + 3)]
    items = [item(p, temperature="38.2", gate_decision="admit" if i % 2 else "refuse") for i, p in enumerate(people)]
    with translation.override("en"):
        sync.entries_sync(device=device, items=items)
    rest = Alert.objects.filter(kind="fever", person__isnull=True, recipient=world.users[Role.SITE_MANAGER]).get()
    assert "3 more people" in rest.message and "1 of them admitted by the offline gate" in rest.message  # the 12th
