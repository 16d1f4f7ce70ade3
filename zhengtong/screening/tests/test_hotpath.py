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

from zhengtong.api.tests import Api
from zhengtong.registry.models import Person, Site, SitePerson
from zhengtong.screening import hotpath, selectors
from zhengtong.screening.models import Entry, GateDevice
from zhengtong.testing import make_person

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
        found, person = selectors.gate_device_for_key(device.key, person_id=world.person_a.pk)
    assert len(queries) == 1
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
    visitor = make_person(world.site_a, relation="visitor")
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
        assert gate.post("/gate/check-ins", body).status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "screening_gatedevice" in statements[0]
    assert statements[1].startswith('INSERT INTO "screening_entry"') and "ON CONFLICT" in statements[1]
    # Sent again: the same two statements, nothing written, the stored check-in answered.
    with CaptureQueriesContext(connection) as again:
        response = gate.post("/gate/check-ins", body)
    assert response.status_code == 200 and response.json()["created"] is False
    assert Entry.objects.count() == 1
    assert len(again) == 3  # and the read of the stored row


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_hot_statements_are_prepared_once_per_connection(world, device):
    gate = Api(token=device.key)
    for _ in range(3):
        body = {"client_uuid": str(uuid.uuid4()), "person_id": world.person_a.pk, "temperature": "36.5",
                "at": timezone.now().isoformat()}
        assert gate.post("/gate/check-ins", body).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("screening_gatedevice" in s for s in prepared), prepared
    assert any(s.startswith('INSERT INTO "screening_entry"') for s in prepared), prepared
    assert Entry.objects.count() == 3
