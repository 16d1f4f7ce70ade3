"""Closed-duty rotations (issue 18, step 5): planning, the gate admitting among the staff only the
rotation on duty on all three paths (page, device API, offline batch), the end of a rotation opening
its members' isolation orders through screening's port, and who may do what."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.outbreak import isolation
from zhengtong.outbreak.models import IsolationOrder
from zhengtong.registry.models import SitePerson
from zhengtong.screening import ports, rotations, rules, services
from zhengtong.screening.models import Entry, Reason, Rotation
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import PersonFactory, gate_device

pytestmark = pytest.mark.django_db
MANAGER, GATE, COUNTY = Role.SITE_MANAGER, Role.GATEKEEPER, Role.COUNTY_OFFICER


@pytest.fixture
def closed(world):
    """site_a under closed management; on_duty (person_a, staff) in the rotation on duty, off (staff)
    not; a worker, whom rotations do not concern."""
    site = world.site_a
    site.closed_since = timezone.localdate() - timedelta(days=30)
    site.save()
    SitePerson.objects.filter(site=site, person=world.person_a).update(relation="staff")
    off = PersonFactory.create(site=site, relation="staff", name="轮休")
    worker = PersonFactory.create(site=site, relation="worker", name="工人")
    today = timezone.localdate()
    rotation = plan(world, members=[world.person_a.pk], start=today - timedelta(days=3), end=today + timedelta(days=10))
    return site, off, worker, rotation


def plan(w, *, members, start, end, role=MANAGER, name="第一轮", site=None, **data):
    return rotations.rotation_save(user=w.users[role], site=site or w.site_a, data={
        "name": name, "on_duty_from": start.isoformat(), "on_duty_until": end.isoformat(),
        "members": [str(m) for m in members], **data})


def facts(**kw):
    base = {"site_active": True, "closed": True, "visitor_policy": "none", "threshold": 37.3, "relation": "staff",
            "relation_since": None, "isolated": False, "temperature": 36.5, "day": date(2020, 2, 27)}
    return rules.Facts(**{**base, **kw})


def test_rule_7_refuses_off_duty_staff_and_nobody_else():
    assert rules.decide(facts(off_duty=True)).reason == Reason.OFF_DUTY
    assert rules.decide(facts(off_duty=False)).reason == Reason.OK
    assert rules.decide(facts(off_duty=True, closed=False)).reason == Reason.OK
    assert rules.decide(facts(off_duty=True, temperature=38.0)).reason == Reason.FEVER


def test_a_rotation_is_planned_with_the_default_days_of_isolation(world, closed):
    _site, _off, _worker, rotation = closed
    assert rotation.isolation_days == 14 and list(rotation.members.values_list("person_id", flat=True)) == [
        world.person_a.pk]
    assert rotation.history.first().history_change_reason == "plan"


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"on_duty_until": "2000-01-01"}, "on_duty_until"),
    ({"members": []}, "members"),
    ({"isolation_days": "0"}, "isolation_days"),
    ({"isolation_days": "abc"}, "isolation_days"),
])
def test_bad_plans_name_their_field(world, closed, data, field):
    today = timezone.localdate()
    payload = {"name": "第二轮", "on_duty_from": (today + timedelta(days=20)).isoformat(),
               "on_duty_until": (today + timedelta(days=33)).isoformat(), "members": [str(closed[1].pk)], **data}
    with pytest.raises(DomainError) as e:
        rotations.rotation_save(user=world.users[MANAGER], site=world.site_a, data=payload)
    assert field in e.value.errors


def test_only_the_sites_staff_go_on_a_rotation_and_never_on_two_at_once(world, closed):
    _site, off, worker, _rotation = closed
    today = timezone.localdate()
    with pytest.raises(DomainError) as e:
        plan(world, members=[worker.pk], start=today + timedelta(days=20), end=today + timedelta(days=30), name="x")
    assert "members" in e.value.errors
    with pytest.raises(DomainError) as e:
        plan(world, members=[world.person_a.pk, off.pk], start=today, end=today + timedelta(days=5), name="y")
    assert "members" in e.value.errors and "第一轮" in e.value.errors["members"][0]


# The gate on all three paths ------------------------------------------------------------------


def test_the_gate_page_refuses_staff_off_duty_and_admits_the_rotation_on_duty(world, client, closed):
    _site, off, worker, _rotation = closed
    client.force_login(world.users[GATE])
    for person in (off, world.person_a, worker):
        r = client.post(f"/screening/gate/{world.site_a.pk}/screen/", {
            "code": person.name, "person": person.pk, "temperature": "36.5", "mode": "entry",
            "client_uuid": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200
    got = dict(Entry.objects.values_list("person_id", "reason"))
    assert got == {off.pk: "off_duty", world.person_a.pk: "ok", worker.pk: "ok"}


def test_the_gate_says_it_when_the_person_is_identified(world, client, closed):
    _site, off, _worker, _rotation = closed
    r = Api(token=gate_device(world.site_a).key).post("/gate/identify", {"person_id": off.pk})
    assert (r.json()["refused"], r.json()["reason"]) == (True, "off_duty")
    r = Api(token=gate_device(world.site_a).key).post("/gate/identify", {"person_id": world.person_a.pk})
    assert r.json()["refused"] is False


def test_the_device_api_refuses_staff_off_duty_in_its_two_statements(world, closed):
    _site, off, _worker, _rotation = closed
    gate = Api(token=gate_device(world.site_a).key)
    answers = {}
    for person in (off, world.person_a):
        with CaptureQueriesContext(connection) as queries:
            r = gate.post("/gate/entries", {"client_uuid": str(uuid.uuid4()), "temperature": "36.5",
                                            "person_id": person.pk,
                                            "at": (timezone.now() - timedelta(seconds=5)).isoformat()})
        assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]
        answers[person.pk] = r.json()["reason"]
    assert answers == {off.pk: "off_duty", world.person_a.pk: "ok"}


def test_the_device_api_asks_for_another_day_than_the_one_its_statement_read(world, closed):
    _site, off, _worker, rotation = closed
    before = timezone.make_aware(datetime.combine(rotation.on_duty_from - timedelta(days=1), time(9, 0)))
    r = Api(token=gate_device(world.site_a).key).post("/gate/entries", {
        "client_uuid": str(uuid.uuid4()), "temperature": "36.5", "person_id": off.pk, "at": before.isoformat()})
    assert r.json()["reason"] == "ok"  # no rotation was on duty that day


def test_the_offline_batch_applies_the_rotation_of_each_items_day(world, closed):
    _site, off, worker, rotation = closed
    now = timezone.now()
    before = timezone.make_aware(datetime.combine(rotation.on_duty_from - timedelta(days=1), time(9, 0)))
    items = [{"client_uuid": str(uuid.uuid4()), "temperature": "36.5", "person_id": pid, "at": at.isoformat(),
              "gate_decision": "admit"}
             for pid, at in ((off.pk, now - timedelta(minutes=5)), (world.person_a.pk, now - timedelta(minutes=4)),
                             (worker.pk, now - timedelta(minutes=3)), (off.pk, before))]
    r = Api(token=gate_device(world.site_a).key).post("/gate/entries/batch", {"items": items})
    assert [x["reason"] for x in r.json()["results"]] == ["off_duty", "ok", "ok", "ok"]
    assert r.json()["results"][0]["disagreement"] is True


def test_on_an_open_site_rotations_do_not_apply(world, closed):
    site, off, _worker, _rotation = closed
    site.closed_since = None
    site.save()
    r = Api(token=gate_device(site).key).post("/gate/entries", {"client_uuid": str(uuid.uuid4()),
                                                               "temperature": "36.5", "person_id": off.pk})
    assert r.json()["reason"] == "ok"


def test_the_people_list_for_offline_gates_says_who_is_on_duty(world, closed):
    _site, off, worker, _rotation = closed
    r = Api(token=gate_device(world.site_a).key).get("/gate/people")
    duty = {p["id"]: p["on_duty"] for p in r.json()["items"]}
    assert (duty[world.person_a.pk], duty[off.pk], duty[worker.pk]) == (True, False, None)


# The end of a rotation ------------------------------------------------------------------------


def test_the_job_ends_a_rotation_after_its_last_day_and_opens_its_isolation_orders(world, closed):
    _site, off, _worker, rotation = closed
    Rotation.objects.filter(pk=rotation.pk).update(on_duty_until=timezone.localdate() - timedelta(days=1))
    assert rotations.rotations_end_due() and not rotations.rotations_end_due()  # once
    order = IsolationOrder.objects.get()
    assert (order.person_id, order.reason, order.site_id, order.ordered_by) == (
        world.person_a.pk, "rotation", world.site_a.pk, None)
    assert order.planned_end == timezone.localdate() + timedelta(days=14)
    member = rotation.members.get()
    assert member.isolation_ordered and str(order.planned_end) in member.isolation_note
    r = Api(token=gate_device(world.site_a).key).post("/gate/entries", {"client_uuid": str(uuid.uuid4()),
                                                                       "temperature": "36.5",
                                                                       "person_id": world.person_a.pk})
    assert r.json()["reason"] == "isolation"


def test_a_manager_ends_it_from_its_last_day_on_and_asks_again_for_those_not_isolated(world, closed):
    _site, off, _worker, rotation = closed
    with pytest.raises(DomainError) as e:
        rotations.rotation_end(user=world.users[MANAGER], rotation=rotation)
    assert "on_duty_until" in e.value.errors
    Rotation.objects.filter(pk=rotation.pk).update(on_duty_until=timezone.localdate())
    rotation.refresh_from_db()
    isolation.isolation_order(user=world.users[COUNTY], person=world.person_a,
                              data={"reason": "close_contact", "place": "home", "place_note": "家中"})
    ended = rotations.rotation_end(user=world.users[MANAGER], rotation=rotation)
    assert (ended.ordered, ended.refused) == (0, 1)
    assert "already in isolation" in rotation.members.get().isolation_note or "已在隔离" in \
        rotation.members.get().isolation_note
    IsolationOrder.objects.update(status="released", released_at=timezone.now())
    ended = rotations.rotation_end(user=world.users[MANAGER], rotation=rotation)
    assert ended.ordered == 1 and IsolationOrder.objects.filter(reason="rotation", ordered_by=world.users[MANAGER])


def test_until_an_app_registers_a_rotations_end_isolates_nobody_and_says_so(world, closed):
    _site, _off, _worker, rotation = closed
    Rotation.objects.filter(pk=rotation.pk).update(on_duty_until=timezone.localdate() - timedelta(days=1))
    ports.unregister_rotation_isolation(isolation.ROTATIONS)
    try:
        [ended] = rotations.rotations_end_due()
    finally:
        isolation.register_with_screening()
    assert not ended.asked and not IsolationOrder.objects.exists()
    assert not rotation.members.get().isolation_ordered


def test_an_ended_rotation_is_no_longer_changed(world, closed):
    _site, _off, _worker, rotation = closed
    Rotation.objects.filter(pk=rotation.pk).update(ended_at=timezone.now())
    with pytest.raises(DomainError) as e:
        rotations.rotation_save(user=world.users[MANAGER], site=world.site_a, rotation=rotation,
                                data={"name": "改名"})
    assert e.value.status == 409


# Who may ------------------------------------------------------------------------------------


def test_a_gatekeeper_cannot_plan_rotations(world, client, closed):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        plan(world, role=GATE, members=[closed[1].pk], start=today + timedelta(days=20),
             end=today + timedelta(days=30), name="门岗")
    client.force_login(world.users[GATE])
    assert client.get(f"/screening/sites/{world.site_a.pk}/rotations/new/").status_code == 403
    assert client.post(f"/screening/sites/{world.site_a.pk}/rotations/{closed[3].pk}/end/").status_code == 403
    page = client.get(f"/screening/sites/{world.site_a.pk}/rotations/")
    assert page.status_code == 200 and "第一轮" in page.content.decode()  # the gate reads who is on duty


def test_another_countys_officer_cannot_see_them(world, client, closed):
    rotation = closed[3]
    other = world.users[COUNTY]
    other_site = world.site_b
    client.force_login(other)
    assert client.get(f"/screening/sites/{other_site.pk}/rotations/").status_code == 404
    # and the first county's rotations are out of reach for an officer of the second
    from zhengtong.tests_support.factories import UserFactory

    outsider = UserFactory.create(username="other-county", role=COUNTY, region=world.site_b.county)
    client.force_login(outsider)
    assert client.get(f"/screening/sites/{world.site_a.pk}/rotations/").status_code == 404
    assert client.get(f"/screening/sites/{world.site_a.pk}/rotations/{rotation.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        rotations.rotation_end(user=outsider, rotation=rotation)


def test_the_pages_plan_show_and_end_a_rotation(world, client, closed):
    _site, off, _worker, _rotation = closed
    client.force_login(world.users[MANAGER])
    today = timezone.localdate()
    r = client.post(f"/screening/sites/{world.site_a.pk}/rotations/new/", {
        "name": "第二轮", "on_duty_from": (today + timedelta(days=11)).isoformat(),
        "on_duty_until": (today + timedelta(days=24)).isoformat(), "isolation_days": "14", "members": [str(off.pk)]})
    assert r.status_code == 302
    second = Rotation.objects.get(name="第二轮")
    assert client.get(r["Location"]).status_code == 200
    r = client.post(f"/screening/sites/{world.site_a.pk}/rotations/new/", {"name": "", "members": []})
    assert r.status_code == 400 and "name" in r.context["form"].errors
    r = client.post(f"/screening/sites/{world.site_a.pk}/rotations/{second.pk}/edit/", {
        "name": "第二轮", "on_duty_from": (today + timedelta(days=12)).isoformat(),
        "on_duty_until": (today + timedelta(days=24)).isoformat(), "isolation_days": "7", "members": [str(off.pk)]})
    assert r.status_code == 302
    second.refresh_from_db()
    assert second.isolation_days == 7


def test_services_refuse_a_gate_device_check_in_through_assert_error(world, closed):
    """The device API's error shape is kept for a bad plan's neighbour: an unknown person is 404."""
    r = Api(token=gate_device(world.site_a).key).post("/gate/entries", {
        "client_uuid": str(uuid.uuid4()), "temperature": "36.5", "person_id": 999999})
    assert_error(r, 404, "person_id")
    assert services.needs_duty(site=world.site_a, day=timezone.localdate(), relation="staff", until=None)
