"""The gate's hot path (screening.hotpath): one statement reads the device, its site and the person,
values converted as the ORM converts them on this database; one statement stores the entry; on
PostgreSQL both are prepared once per connection."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.registry.models import Person, Site, SitePerson
from zhengtong.screening import hotpath, selectors
from zhengtong.screening.models import Area, Entry, GateDevice
from zhengtong.screening.passes import pass_code
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _fields(instance, model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}


def test_the_device_its_site_and_a_person_read_in_one_statement_equal_the_orms(world, device):
    site = world.site_a
    site.closed_since, site.fever_threshold = date(2020, 1, 26), Decimal("37.5")
    site.save()
    membership = SitePerson.objects.get(site=site, person=world.person_a)
    membership.since, membership.until = date(2020, 2, 1), date(2020, 3, 1)
    membership.save()
    with CaptureQueriesContext(connection) as queries:
        selectors.gate_device_for_key(device.key, person_id=world.person_a.pk)
    assert len(queries) == 1
    # Read again without logging: on PostgreSQL through the prepared statement, bound on the server.
    found, person = selectors.gate_device_for_key(device.key, person_id=world.person_a.pk)
    assert _fields(found.site, Site) == _fields(Site.objects.get(pk=site.pk), Site)
    assert (found.pk, found.name, found.site_id, found.revoked_at) == (device.pk, "North gate", site.pk, None)
    assert (person.pk, person.name, person.id_number_masked) == (
        world.person_a.pk, world.person_a.name, world.person_a.id_number_masked)
    assert _fields(person.site_membership, SitePerson) == _fields(membership, SitePerson)
    # Fields not read are deferred: they load when asked for.
    assert "id_number_encrypted" in person.get_deferred_fields()
    assert person.phone == world.person_a.phone


def test_anyone_not_of_the_site_is_none_and_a_revoked_or_unknown_key_finds_no_device(world, device):
    assert selectors.gate_device_for_key(device.key, person_id=world.person_b.pk)[1] is None
    assert selectors.gate_device_for_key(device.key, person_id=10**12)[1] is None
    assert selectors.gate_device_for_key(device.key)[1] is None
    assert selectors.gate_device_for_key("ztg_unknown") == (None, None)
    device.revoked_at = timezone.now()
    device.save()
    assert selectors.gate_device_for_key(device.key, person_id=world.person_a.pk) == (None, None)


def test_site_person_reads_the_relation_whatever_its_term(world):
    visitor = PersonFactory(site=world.site_a, relation="visitor")
    SitePerson.objects.filter(person=visitor).update(since=date(2020, 2, 3), until=date(2020, 2, 3))
    person = selectors.site_person(site=world.site_a, person_id=visitor.pk)
    assert person.site_membership.relation == "visitor"
    assert (person.site_membership.since, person.site_membership.until) == (date(2020, 2, 3), date(2020, 2, 3))
    assert selectors.site_person(site=world.site_b, person_id=visitor.pk) is None


def test_a_partial_instance_saves_only_what_was_read(world, device):
    found, person = selectors.gate_device_for_key(device.key, person_id=world.person_a.pk)
    found.name = "South gate"
    found.save()
    device.refresh_from_db()
    assert (device.name, device.key_hash) == ("South gate", GateDevice.hash_key(device.key))


def test_columns_want_the_primary_key_first():
    with pytest.raises(ValueError):
        hotpath.Columns(("p", Person, ("name",)))


def test_a_check_in_by_person_id_is_two_statements(world, device):
    gate = Api(token=device.key)
    body = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.5",
            "at": (timezone.now() - timedelta(seconds=5)).isoformat()}
    with CaptureQueriesContext(connection) as queries:
        assert gate.post("/gate/entries", body).status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "screening_gatedevice" in statements[0]
    assert statements[1].startswith('INSERT INTO "screening_entry"') and "ON CONFLICT" in statements[1]
    # Sent again: the same two statements, nothing written, the stored check-in answered.
    with CaptureQueriesContext(connection) as again:
        response = gate.post("/gate/entries", body)
    assert response.status_code == 200 and response.json()["created"] is False
    assert Entry.objects.count() == 1
    assert len(again) == 3  # and the read of the stored row


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_hot_statements_are_prepared_once_per_connection(world, device):
    gate = Api(token=device.key)
    for _ in range(3):
        body = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.5",
                "at": timezone.now().isoformat()}
        assert gate.post("/gate/entries", body).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("screening_gatedevice" in s for s in prepared), prepared
    assert any(s.startswith('INSERT INTO "screening_entry"') for s in prepared), prepared
    assert Entry.objects.count() == 3


def _body(person, **extra) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "person_id": person.pk, "temperature": "36.5",
            "at": (timezone.now() - timedelta(seconds=5)).isoformat(), **extra}


def test_a_relation_read_with_the_device_counts_only_while_in_force(world, device):
    world.site_a.closed_since = date(2020, 1, 26)
    world.site_a.save()
    gate = Api(token=device.key)
    today = timezone.localdate()
    SitePerson.objects.filter(person=world.person_a).update(until=today)
    response = gate.post("/gate/entries", _body(world.person_a))
    assert (response.status_code, response.json()["reason"]) == (201, "ok")
    SitePerson.objects.filter(person=world.person_a).update(until=today - timedelta(days=1))
    response = gate.post("/gate/entries", _body(world.person_a))
    assert (response.status_code, response.json()["reason"]) == (201, "former")


@pytest.mark.parametrize("body", [
    "[" * 5000,  # nested too deep for the JSON parser
    '{"person_id": true, "temperature": "36.5", "client_uuid": "0b7e5c1a-3f2d-4c4e-9a51-6f0d2b8e7c11"}',
    '{"person_id": 1e400, "temperature": "36.5", "client_uuid": "0b7e5c1a-3f2d-4c4e-9a51-6f0d2b8e7c11"}',
    '{"person_id": 99999999999999999999999, "temperature": "36.5"}',
    "not json",
    '{"person_id": 1, "code": "ZTP1:x", "person_id": 2}',
])
def test_whatever_the_body_the_authentication_never_fails(world, device, body):
    for key in (device.key, "ztg_wrong"):
        response = Api(token=key).post("/gate/entries", body)
        assert response.status_code in ((400, 404, 422) if key == device.key else (401,)), response.content
    assert not Entry.objects.exists()


def test_a_large_body_is_not_read_by_the_authentication(world, device):
    body = _body(world.person_a, visit_purpose="x" * 5000)
    with CaptureQueriesContext(connection) as queries:
        response = Api(token=device.key).post("/gate/entries", body)
    assert_error(response, 400, "visit_purpose")  # the endpoint's own check
    # The key alone, then the person read by the endpoint: the authentication left the body alone.
    assert len(queries) == 2 and 'FROM "registry_siteperson"' in queries.captured_queries[1]["sql"]


def test_a_retry_is_answered_from_the_stored_check_in_even_when_its_checks_would_now_fail(world, device):
    area = Area.objects.create(site=world.site_a, name="一号楼")
    gate = Api(token=device.key)
    body = _body(world.person_a, area_id=area.pk)
    assert gate.post("/gate/entries", body).status_code == 201
    area.is_active = False
    area.save()
    response = gate.post("/gate/entries", body)
    assert (response.status_code, response.json()["created"]) == (200, False)
    assert_error(gate.post("/gate/entries", _body(world.person_a, area_id=area.pk)), 400, "area_id")
    assert Entry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_before_a_column_changed_type_is_prepared_again(world, device):
    gate = Api(token=device.key)
    assert gate.post("/gate/entries", _body(world.person_a)).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%screening_gatedevice%"])
        assert cursor.fetchone()[0] == 1
    # A migration runs on another connection (psycopg forgets its prepared statements when it runs
    # DDL itself): this one still holds the statement prepared for an integer column.
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    try:
        other.execute("ALTER TABLE registry_site ALTER COLUMN capacity TYPE bigint")
        response = gate.post("/gate/entries", _body(world.person_a))
        assert response.status_code == 201, response.content
    finally:
        other.execute("ALTER TABLE registry_site ALTER COLUMN capacity TYPE integer")
        other.close()
    assert Entry.objects.count() == 2


def test_a_check_in_by_a_scanned_pass_is_two_statements_and_another_sites_pass_is_refused(world, device):
    gate = Api(token=device.key)
    body = {k: v for k, v in _body(world.person_a).items() if k != "person_id"}
    body["code"] = pass_code(site_id=world.site_a.pk, person_id=world.person_a.pk)
    with CaptureQueriesContext(connection) as queries:
        response = gate.post("/gate/entries", body)
    assert (response.status_code, response.json()["decision"]) == (201, "admit")
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]
    # person_a is of site_a only; even a person of both sites is refused with site_b's pass here.
    SitePerson.objects.create(site=world.site_b, person=world.person_a, relation="worker")
    for site in (world.site_b, world.site_a):
        body = {**body, "client_uuid": str(uuid.uuid4()),
                "code": pass_code(site_id=site.pk, person_id=world.person_a.pk)}
        if site is world.site_b:
            assert_error(gate.post("/gate/entries", body), 400, "code")
        else:
            assert gate.post("/gate/entries", body).status_code == 201
    forged = body["code"][:-2] + ("AA" if not body["code"].endswith("AA") else "BB")
    assert_error(gate.post("/gate/entries", {**body, "client_uuid": str(uuid.uuid4()), "code": forged}), 400,
                 "code")
    assert Entry.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders of timestamptz")
def test_times_loaded_by_psycopgs_own_loader_are_djangos():
    """hotpath.native_times (stays_met's cursor) gives the datetimes Django's loader gives, zone included."""
    import zoneinfo
    from datetime import datetime

    moments = [datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
               datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))]
    sql = "SELECT %s::timestamptz, %s::timestamptz, NULL::timestamptz"
    rows = []
    for native in (False, True):
        with hotpath.database().cursor() as cursor:
            if native:
                hotpath.native_times(cursor)
            cursor.execute(sql, moments)
            rows.append(cursor.fetchone())
    assert rows[0] == rows[1] and rows[1][0] == moments[0]
    assert [v.tzinfo for v in rows[0][:2]] == [v.tzinfo for v in rows[1][:2]]
