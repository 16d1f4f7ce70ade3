"""Offline gates record exits too (issue 18): an exit in a batch ends the person's stay at the site and
area it matches (the latest stay begun at most the maximum stay before it); an exit with no open
entry is answered ``unmatched``, one before its entry ``rejected`` (on ``at``), each alone; a batch
sent again answers ``duplicate`` and writes nothing."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.screening import selectors, services, sync
from zhengtong.screening.models import Area, Entry
from zhengtong.screening.passes import pass_code
from zhengtong.tests_support.factories import PersonFactory

from .test_sync import item, post, statuses

pytestmark = pytest.mark.django_db


def exit_item(person=None, at=None, **kw) -> dict:
    kw = {"kind": "exit", "client_uuid": str(uuid.uuid4()), **kw}
    if person is not None:
        kw.setdefault("person_id", person.pk)
    kw["at"] = (at or timezone.now()).isoformat()
    return kw


def ago(**kw):
    return timezone.now() - timedelta(**kw)


def stay_of(person, **filters) -> Entry:
    return Entry.objects.get(person=person, **filters)


def test_an_exit_ends_its_entry_in_the_same_batch_and_the_stay_has_a_real_end(world, device):
    entered, left = ago(hours=3), ago(hours=1)
    response = post(device, [item(world.person_a, at=entered.isoformat()), exit_item(world.person_a, at=left)])
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert statuses(results) == ["created", "created"]
    stay = stay_of(world.person_a)
    assert results[1]["entry_id"] == stay.pk and "decision" not in results[1]
    assert (stay.entered_at, stay.left_at, stay.left_estimated) == (entered, left, False)
    # What tracing reads: a stay with its recorded end, not estimated.
    [read] = selectors.person_stays(person_id=world.person_a.pk, start=ago(days=1), end=timezone.now())
    assert (read.end, read.estimated) == (left, False)


def test_an_exit_ends_a_stay_recorded_before_and_replaces_an_estimated_end(world, device):
    actor = services.Actor(device=device)
    online = services.entry_screen(actor=actor, site=world.site_a, person=world.person_a, temperature="36.5",
                                   at=ago(hours=30), client_uuid=uuid.uuid4()).entry
    services.stays_close_overdue()  # ended at the maximum stay, estimated
    online.refresh_from_db()
    assert online.left_estimated
    other = PersonFactory(site=world.site_a)
    open_stay = services.entry_screen(actor=actor, site=world.site_a, person=other, temperature="36.5",
                                      at=ago(hours=2), client_uuid=uuid.uuid4()).entry
    left = online.entered_at + timedelta(hours=3)
    results = post(device, [exit_item(world.person_a, at=left), exit_item(other, at=ago(minutes=5))]).json()["results"]
    assert statuses(results) == ["created", "created"]
    online.refresh_from_db()
    open_stay.refresh_from_db()
    assert (online.left_at, online.left_estimated) == (left, False)
    assert open_stay.left_at is not None and not open_stay.left_estimated


def test_a_batch_sent_again_answers_duplicate_and_writes_nothing(world, device):
    batch = [item(world.person_a, at=ago(hours=4).isoformat()), exit_item(world.person_a, at=ago(hours=3)),
             item(world.person_a, at=ago(hours=2).isoformat()), exit_item(world.person_a, at=ago(hours=1))]
    first = post(device, batch).json()["results"]
    assert statuses(first) == ["created"] * 4
    before = sorted(Entry.objects.values_list("pk", "entered_at", "left_at", "left_estimated"))
    again = post(device, batch).json()["results"]
    assert statuses(again) == ["duplicate"] * 4
    assert [r.get("entry_id") for r in again] == [r.get("entry_id") for r in first]
    assert sorted(Entry.objects.values_list("pk", "entered_at", "left_at", "left_estimated")) == before
    # Each exit ended its own entry: the two stays are [4 h, 3 h) and [2 h, 1 h) ago.
    assert first[1]["entry_id"] != first[3]["entry_id"]


def test_an_exit_with_no_open_entry_is_unmatched_and_sinks_nothing(world, device):
    stranger_here = PersonFactory(site=world.site_a)
    items = [
        exit_item(stranger_here, at=ago(minutes=10)),  # 0 never entered
        item(world.person_a, at=ago(hours=2).isoformat()),  # 1
        exit_item(world.person_a, at=ago(hours=1)),  # 2 ends 1
        exit_item(world.person_a, at=ago(minutes=30)),  # 3 the stay ended already: no open entry
    ]
    results = post(device, items).json()["results"]
    assert statuses(results) == ["unmatched", "created", "created", "unmatched"]
    assert results[0]["errors"][0]["field"] == "person_id" and "entry_id" not in results[0]
    assert results[3]["entry_id"] == results[2]["entry_id"]
    assert "already ended" in results[3]["errors"][0]["message"]
    assert stay_of(world.person_a).left_at == datetime.fromisoformat(items[2]["at"])


def test_an_exit_before_its_entry_is_refused_on_at(world, device):
    entered = ago(hours=1)
    results = post(device, [item(world.person_a, at=entered.isoformat()),
                            exit_item(world.person_a, at=entered - timedelta(minutes=20)),
                            exit_item(world.person_a, at=entered)]).json()["results"]
    assert statuses(results) == ["created", "rejected", "rejected"]
    assert [e["field"] for e in results[1]["errors"]] == ["at"] == [e["field"] for e in results[2]["errors"]]
    assert stay_of(world.person_a).left_at is None


def test_an_exit_later_than_the_longest_stay_matches_nothing(world, device):
    entered = ago(hours=settings.MAX_STAY_HOURS + 3)
    results = post(device, [item(world.person_a, at=entered.isoformat()),
                            exit_item(world.person_a, at=entered + timedelta(hours=settings.MAX_STAY_HOURS,
                                                                              minutes=1))]).json()["results"]
    assert statuses(results) == ["created", "unmatched"]
    assert stay_of(world.person_a).left_at is None  # the overdue-stay job ends it, estimated


def test_an_exit_matches_the_same_area_and_a_stay_the_gate_refused_is_no_stay(world, device):
    workshop = Area.objects.create(site=world.site_a, name="车间")
    canteen = Area.objects.create(site=world.site_a, name="食堂", is_active=False)
    refused = PersonFactory(site=world.site_a)
    results = post(device, [
        item(world.person_a, at=ago(hours=3).isoformat(), area_id=workshop.pk),  # 0
        exit_item(world.person_a, at=ago(hours=2)),  # 1 no stay without an area
        exit_item(world.person_a, at=ago(hours=2), area_id=canteen.pk),  # 2 an inactive area: no stay in it
        exit_item(world.person_a, at=ago(hours=1), area_id=workshop.pk),  # 3 ends 0
        item(refused, at=ago(hours=3).isoformat(), temperature="38.6", gate_decision="refuse"),  # 4 fever, refused
        exit_item(refused, at=ago(hours=1)),  # 5 never went in
        exit_item(world.person_a, at=ago(hours=1), area_id=workshop.pk + 1000),  # 6 no such area
    ]).json()["results"]
    assert statuses(results) == ["created", "unmatched", "unmatched", "created", "created", "unmatched", "rejected"]
    assert results[6]["errors"][0]["field"] == "area_id"
    stay = stay_of(world.person_a)
    assert stay.area_id == workshop.pk and results[3]["entry_id"] == stay.pk and stay.left_at is not None


def test_an_exit_by_pass_or_id_number_names_its_person(world, device):
    stored = [item(world.person_a, at=ago(hours=3).isoformat()), item(world.person_a, at=ago(hours=2).isoformat())]
    post(device, stored)
    results = post(device, [
        exit_item(code=pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk), at=ago(hours=2, minutes=30)),
        exit_item(code=world.id_number_a, at=ago(hours=1)),
        exit_item(code="ZTP1:garbage", at=ago(hours=1)),
    ]).json()["results"]
    assert statuses(results) == ["created", "created", "rejected"]
    assert list(Entry.objects.filter(person=world.person_a, left_at__isnull=False).values_list(
        "pk", flat=True).order_by("entered_at")) == [results[0]["entry_id"], results[1]["entry_id"]]


def test_an_exits_values_are_checked_field_by_field(world, device):
    results = post(device, [
        exit_item(world.person_a, temperature="36.5", gate_decision="admit"),
        {"kind": "exit", "client_uuid": "nope", "person_id": world.person_a.pk},
        exit_item(world.person_a, at=timezone.now() + timedelta(hours=2)),
        exit_item(),
        item(world.person_a, kind="leave"),
        item(world.person_a, kind="entry"),
    ]).json()["results"]
    assert statuses(results) == ["rejected"] * 5 + ["created"]
    fields = [sorted(e["field"] for e in r["errors"]) for r in results[:5]]
    assert fields == [["gate_decision", "temperature"], ["at", "client_uuid"], ["at"], ["person_id"], ["kind"]]


def test_two_exits_of_one_stay_in_a_batch_end_it_once(world, device):
    post(device, [item(world.person_a, at=ago(hours=3).isoformat())])
    first = exit_item(world.person_a, at=ago(hours=2))
    results = post(device, [exit_item(world.person_a, at=ago(hours=1)), first, dict(first)]).json()["results"]
    # In the order of their times: the earlier exit ends the stay; the same exit again is a duplicate;
    # the later one finds the stay ended.
    assert statuses(results) == ["unmatched", "created", "duplicate"]
    assert stay_of(world.person_a).left_at == datetime.fromisoformat(first["at"])


def test_exits_cost_a_fixed_number_of_queries(world, device):
    people = [world.person_a, *(PersonFactory(site=world.site_a) for _ in range(5))]
    base = ago(hours=7)
    counts = []
    for n in (10, 300):
        entries = [item(people[i % 6], at=(base + timedelta(seconds=i)).isoformat()) for i in range(n)]
        post(device, entries)
        exits = [exit_item(people[i % 6], at=base + timedelta(seconds=i, minutes=300)) for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            results = sync.entries_sync(device=device, items=exits)
        assert set(statuses(results)) <= {"created", "unmatched"}
        counts.append(len(queries.captured_queries))
        base += timedelta(hours=1)
    assert counts[0] == counts[1] <= 8, counts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's partitioned table")
def test_the_exits_look_up_reads_the_persons_index_within_the_longest_stay(world, device):
    from zhengtong.tests_support.factories import fill_entries

    fill_entries(30000, site_id=world.site_a.pk, person_ids=[p.pk for p in (
        world.person_a, *(PersonFactory(site=world.site_a) for _ in range(50)))], days=20)
    post(device, [item(world.person_a, at=ago(hours=3).isoformat())])
    with CaptureQueriesContext(connection) as queries:
        assert statuses(sync.entries_sync(device=device, items=[exit_item(world.person_a, at=ago(hours=2))])) \
            == ["created"]
    [look_up] = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + look_up)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on screening_entry" not in plan, plan
