"""Isolation orders (issue 18, step 2): ordering, the release gates, early release with a second
person, extension, and the gate refusing an isolated person on all three paths (page, device API,
offline batch) through screening's port."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core.errors import DomainError
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import isolation
from zhengtong.outbreak.models import IsolationCheck, IsolationOrder, IsolationStatus
from zhengtong.screening import ports
from zhengtong.screening import services as screening_services
from zhengtong.screening.models import Entry, HealthCheck
from zhengtong.tests_support.api import Api
from zhengtong.tests_support.factories import DepartmentFactory, UserFactory, gate_device

pytestmark = pytest.mark.django_db
COUNTY = Role.COUNTY_OFFICER


def order(w, role=COUNTY, person=None, **data):
    data = {"reason": "close_contact", "place": "site", "site": w.site_a.pk, **data}
    return isolation.isolation_order(user=w.users[role], person=person or w.person_a, data=data)


def aged(o: IsolationOrder, days: int) -> IsolationOrder:
    """The order as if made ``days`` ago (its planned end ``days`` earlier too)."""
    o.start -= timedelta(days=days)
    o.planned_end -= timedelta(days=days)
    o.save()
    return o


def check(w, o, t="36.5", day=None):
    c = isolation.isolation_check_record(user=w.users[COUNTY], order=o, data={"temperature": t})
    if day is not None:
        IsolationCheck.objects.filter(pk=c.pk).update(checked_on=day)
    return c


def test_an_order_runs_fourteen_days_by_default_and_the_person_is_isolated_from_its_start(world):
    o = order(world)
    assert o.planned_end == timezone.localdate(o.start) + timedelta(days=14)
    assert (o.county, o.status, o.moves.get().action) == (world.site_a.county, "active", "order")
    assert ports.isolated_at([world.person_a.pk, world.person_b.pk], timezone.now()) == {world.person_a.pk}


@pytest.mark.parametrize(("data", "field"), [
    ({"reason": "holiday"}, "reason"),
    ({"place": "site", "site": ""}, "site"),
    ({"place": "hotel", "site": "", "place_note": ""}, "place_note"),
    ({"planned_end": "2000-01-01"}, "planned_end"),
    ({"start": (timezone.now() + timedelta(days=3)).isoformat()}, "start"),
    ({"case": "123456"}, "case"),
])
def test_bad_orders_name_their_field(world, data, field):
    with pytest.raises(DomainError) as e:
        order(world, **data)
    assert field in e.value.errors and not IsolationOrder.objects.exists()


def test_two_active_orders_for_one_person_are_a_conflict(world):
    first = order(world)
    with pytest.raises(DomainError) as e:
        order(world, place="home", site="", place_note="蒸湘区某小区")
    assert e.value.status == 409 and str(first.pk) in e.value.message


def test_many_people_at_once_one_refusal_sinks_no_other(world):
    order(world, person=world.person_b, site=world.site_b.pk, role=Role.CITY_ADMIN)  # already isolated
    from zhengtong.tests_support.factories import PersonFactory

    third = PersonFactory(site=world.site_a)
    results = isolation.isolation_order_many(user=world.users[COUNTY], people=[world.person_a, world.person_b, third],
                                             data={"reason": "close_contact", "place": "site", "site": world.site_a.pk})
    assert results[world.person_a.pk].order and results[third.pk].order
    assert results[world.person_b.pk].error.status == 409


def test_who_may_order_and_release(world):
    for role in (Role.GATEKEEPER, Role.ENTERPRISE_CLERK, Role.DEPARTMENT_OFFICER):
        with pytest.raises(PermissionDenied):
            order(world, role=role)
    o = order(world, role=Role.SITE_MANAGER)  # at the manager's own site
    with pytest.raises(PermissionDenied):
        isolation.isolation_release(user=world.users[Role.SITE_MANAGER], order=o)


def test_the_release_gates(world, settings):
    settings.ISOLATION_FEVER_FREE_DAYS = 3
    o = order(world)
    county = world.users[COUNTY]
    with pytest.raises(DomainError) as e:  # before the planned end, no check
        isolation.isolation_release(user=county, order=o)
    assert e.value.status == 409 and len(e.value.errors["release"]) == 2
    aged(o, 14)
    with pytest.raises(DomainError) as e:  # the end is reached, but no check on or after it
        isolation.isolation_release(user=county, order=o)
    assert [m for m in e.value.errors["release"] if "health check" in m or "健康" in m]
    check(world, o, "37.8")  # today: a fever
    with pytest.raises(DomainError) as e:
        isolation.isolation_release(user=county, order=o)
    assert len(e.value.errors["release"]) == 1
    IsolationCheck.objects.filter(order=o).update(checked_on=timezone.localdate() - timedelta(days=3))
    check(world, o, "36.6")  # the fever is 3 days old: outside the last 3 days
    released = isolation.isolation_release(user=county, order=o, note="期满解除")
    assert (released.status, released.released_by) == (IsolationStatus.RELEASED, county)
    assert ports.isolated_at([world.person_a.pk], timezone.now()) == set()
    assert ports.isolated_at([world.person_a.pk], o.start + timedelta(days=1)) == {world.person_a.pk}
    with pytest.raises(DomainError):
        isolation.isolation_release(user=county, order=o)


def test_a_site_health_check_counts_for_the_release(world):
    o = aged(order(world), 14)
    screening_services.health_check_record(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                                           person=world.person_a, temperature="36.4")
    assert HealthCheck.objects.count() == 1
    assert isolation.release_blockers(o) == []


def test_an_early_release_needs_a_reason_and_a_second_person(world):
    o = order(world)
    county = world.users[COUNTY]
    with pytest.raises(DomainError) as e:
        isolation.isolation_release_early_ask(user=county, order=o, reason="")
    assert "reason" in e.value.errors
    with pytest.raises(DomainError) as e:  # nobody asked yet
        isolation.isolation_release_early_approve(user=world.users[Role.CITY_ADMIN], order=o)
    isolation.isolation_release_early_ask(user=county, order=o, reason="核酸两次阴性，需返岗")
    with pytest.raises(PermissionDenied):  # not a head
        isolation.isolation_release_early_approve(user=world.users[Role.SITE_MANAGER], order=o)
    with pytest.raises(DomainError) as e:  # no check today
        isolation.isolation_release_early_approve(user=world.users[Role.CITY_ADMIN], order=o)
    check(world, o)
    released = isolation.isolation_release_early_approve(user=world.users[Role.CITY_ADMIN], order=o)
    assert (released.status, released.released_by, released.approved_by) == (
        "released", county, world.users[Role.CITY_ADMIN])
    assert released.moves.last().action == "release_early"


def test_the_asker_does_not_approve_their_own_early_release(world):
    admin = world.users[Role.CITY_ADMIN]
    o = order(world, role=Role.CITY_ADMIN)
    isolation.isolation_release_early_ask(user=admin, order=o, reason="误判")
    with pytest.raises(DomainError) as e:
        isolation.isolation_release_early_approve(user=admin, order=o)
    assert e.value.status == 403


def test_an_extension_needs_a_later_end_and_a_reason(world):
    o = order(world)
    county = world.users[COUNTY]
    for data, field in (({"planned_end": str(o.planned_end)}, "planned_end"),
                        ({"planned_end": str(o.planned_end + timedelta(days=7)), "reason": ""}, "reason")):
        with pytest.raises(DomainError) as e:
            isolation.isolation_extend(user=county, order=o, data=data)
        assert field in e.value.errors
    isolation.isolation_extend(user=county, order=o, data={"planned_end": str(o.planned_end + timedelta(days=7)),
                                                           "reason": "期间出现发热"})
    assert IsolationOrder.objects.get().planned_end == o.planned_end + timedelta(days=7)


def test_a_check_takes_the_temperature_by_the_gates_rule(world):
    o = order(world)
    for bad in ("98.6", "50", "abc"):
        with pytest.raises(DomainError) as e:
            check(world, o, bad)
        assert "temperature" in e.value.errors
    assert check(world, o, "38.0").is_fever


# The gate refuses an isolated person on all three paths ----------------------------------------


def test_the_gate_page_refuses_an_isolated_person_and_names_no_reason(world, client):
    order(world)
    client.force_login(world.users[Role.GATEKEEPER])
    r = client.post(f"/screening/gate/{world.site_a.pk}/screen/", {
        "code": world.id_number_a, "temperature": "36.5", "mode": "entry",
        "client_uuid": str(uuid.uuid4())})
    assert r.status_code == 200
    entry = Entry.objects.get()
    assert (entry.decision, entry.reason) == ("refuse", "isolation")
    body = r.content.decode()
    assert "close_contact" not in body and "密切接触" not in body and "Close contact" not in body


def test_the_device_api_refuses_an_isolated_person(world):
    order(world)
    device = gate_device(world.site_a)
    r = Api(token=device.key).post("/gate/entries", {"client_uuid": str(uuid.uuid4()), "temperature": "36.5",
                                                      "person_id": world.person_a.pk})
    assert (r.status_code, r.json()["decision"], r.json()["reason"]) == (201, "refuse", "isolation")


def test_the_device_api_keeps_its_two_statements_with_isolation_in_them(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    o = order(world)
    gate = Api(token=gate_device(world.site_a).key)
    with CaptureQueriesContext(connection) as queries:
        r = gate.post("/gate/entries", {"client_uuid": str(uuid.uuid4()), "temperature": "36.5",
                                        "person_id": world.person_a.pk})
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert r.json()["reason"] == "isolation"
    # the device, its site, the person and their latest order in the first statement; no other asks
    assert [q for q in reads if "outbreak_isolationorder" in q] == [reads[0]]
    # a check-in from before the order started: the latest order cannot tell, the port is asked
    before = (o.start - timedelta(hours=1)).isoformat()
    r = gate.post("/gate/entries", {"client_uuid": str(uuid.uuid4()), "temperature": "36.5",
                                    "person_id": world.person_a.pk, "at": before})
    assert r.json()["reason"] == "ok"


def test_the_offline_batch_refuses_over_its_whole_span(world):
    o = order(world)
    now = timezone.now()
    # isolated from two hours ago until released an hour ago: only the check-in in between is refused
    IsolationOrder.objects.filter(pk=o.pk).update(start=now - timedelta(hours=2), status="released",
                                                  released_at=now - timedelta(hours=1))
    device = gate_device(world.site_a)
    items = [{"client_uuid": str(uuid.uuid4()), "temperature": "36.5", "person_id": world.person_a.pk,
              "gate_decision": "admit", "at": (now - timedelta(minutes=m)).isoformat()} for m in (150, 90, 30)]
    r = Api(token=device.key).post("/gate/entries/batch", {"items": items})
    assert r.status_code == 200
    got = {e.entered_at: e.reason for e in Entry.objects.all()}
    assert [got[k] for k in sorted(got)] == ["ok", "isolation", "ok"]


def test_the_pages_and_the_access_log(world, client):
    client.force_login(world.users[COUNTY])
    r = client.get(f"/outbreak/isolation/new/?person={world.person_a.pk}")
    assert r.status_code == 200
    r = client.post("/outbreak/isolation/new/", {"person": world.person_a.pk, "reason": "close_contact",
                                                 "place": "hotel", "place_note": ""})
    assert r.status_code == 400 and "place_note" in r.context["form"].errors
    r = client.post("/outbreak/isolation/new/", {"person": world.person_a.pk, "reason": "close_contact",
                                                 "place": "hotel", "place_note": "雁城宾馆"})
    o = IsolationOrder.objects.get()
    assert r.status_code == 302
    r = client.get(f"/outbreak/isolation/{o.pk}/")
    assert r.status_code == 200 and r.context["blockers"]
    assert AccessRecord.objects.filter(kind="isolation", subject_id=o.pk).count() == 1
    r = client.post(f"/outbreak/isolation/{o.pk}/check/", {"temperature": "98.6"})
    assert r.status_code == 400 and r.context["check_form"].errors["temperature"]
    r = client.post(f"/outbreak/isolation/{o.pk}/release/", {})
    assert r.status_code == 409 and r.context["release_form"].errors
    assert client.post(f"/outbreak/isolation/{o.pk}/fly/", {}).status_code == 404
    assert client.get("/outbreak/isolation/").status_code == 200
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.get(f"/outbreak/isolation/{o.pk}/").status_code == 404
    assert client.get("/outbreak/isolation/").status_code == 404


@override_settings(ISOLATION_DAYS=21)
def test_the_planned_length_is_a_setting(world):
    o = order(world)
    assert o.planned_end - timezone.localdate(o.start) == timedelta(days=21)


def test_a_head_approves_an_early_release(world):
    o = order(world)
    department = DepartmentFactory.create(code="wjw", name="县卫健局", region=world.site_a.county)
    head = UserFactory.create(username="head", role=Role.DEPARTMENT_OFFICER, department=department)
    with pytest.raises(PermissionDenied):  # an officer who is not a head
        isolation.isolation_release_early_approve(user=head, order=o)
    RoleAssignment.objects.filter(user=head).update(is_head=True)
    head = type(head).objects.get(pk=head.pk)  # a new user object: its scope is computed again
    isolation.isolation_release_early_ask(user=world.users[COUNTY], order=o, reason="复核为误判")
    check(world, o)
    assert isolation.isolation_release_early_approve(user=head, order=o).approved_by == head


def test_a_question_about_many_people_reads_the_orders_of_the_span(world):
    from zhengtong.tests_support.factories import PersonFactory

    o = order(world)
    others = [PersonFactory(site=world.site_b) for _ in range(3)]
    many = {world.person_a.pk, *(p.pk for p in others), *range(10**6, 10**6 + isolation.MANY_PEOPLE)}
    now = timezone.now()
    periods = isolation.SOURCE.isolation_periods(person_ids=many, start=now - timedelta(hours=1), end=now)
    assert set(periods) == {world.person_a.pk} and periods[world.person_a.pk][0].start == o.start
    few = isolation.SOURCE.isolation_periods(person_ids=[others[0].pk], start=now - timedelta(hours=1), end=now)
    assert few == {}
