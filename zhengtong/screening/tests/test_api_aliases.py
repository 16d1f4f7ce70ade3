"""The gate paths published before the entry had one name (POST /api/gate/check-ins and
/api/gate/check-ins/batch) stay as aliases of /api/gate/entries and /api/gate/entries/batch: the same
answers, the same store, the same hot path, and deprecated in the OpenAPI document."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengtong.screening.models import Entry
from zhengtong.tests_support.api import Api, assert_error

pytestmark = pytest.mark.django_db

SINGLE = ["/gate/entries", "/gate/check-ins"]
BATCH = ["/gate/entries/batch", "/gate/check-ins/batch"]


def _body(person, **extra) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "person_id": person.pk, "temperature": "36.5",
            "at": (timezone.now() - timedelta(seconds=5)).isoformat(), **extra}


@pytest.mark.parametrize("path", SINGLE)
def test_an_entry_is_decided_and_stored_on_either_path(world, device, path):
    gate = Api(token=device.key)
    response = gate.post(path, _body(world.person_a, temperature="38.2"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["decision"], body["reason"], body["created"]) == ("refuse", "fever", True)
    entry = Entry.objects.get()
    assert (entry.pk, entry.device_id, entry.source) == (body["entry_id"], device.pk, "api")


def test_an_entry_sent_on_one_path_and_retried_on_the_other_is_stored_once(world, device):
    gate = Api(token=device.key)
    body = _body(world.person_a)
    first = gate.post("/gate/check-ins", body)
    again = gate.post("/gate/entries", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("path", SINGLE)
def test_the_old_path_keeps_the_two_statement_hot_path(world, device, path):
    gate = Api(token=device.key)
    with CaptureQueriesContext(connection) as queries:
        assert gate.post(path, _body(world.person_a)).status_code == 201
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("path", SINGLE)
def test_either_path_answers_errors_alike(world, device, path):
    gate = Api(token=device.key)
    assert_error(gate.post(path, _body(world.person_b)), 404, "person_id")  # another site's person
    assert_error(gate.post(path, _body(world.person_a, temperature="98.6")), 400, "temperature")
    assert_error(gate.post(path, "not json"), 400)
    assert_error(Api().post(path, _body(world.person_a)), 401)
    assert Entry.objects.count() == 0


@pytest.mark.parametrize("path", BATCH)
def test_a_batch_is_stored_on_either_path(world, device, path):
    gate = Api(token=device.key)
    items = [{**_body(world.person_a), "gate_decision": "admit"},
             {**_body(world.person_a, temperature="38.0"), "gate_decision": "admit"}]
    response = gate.post(path, {"items": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["status"], r["decision"], r["disagreement"]) for r in results] == [
        ("created", "admit", False), ("created", "refuse", True)]
    assert Entry.objects.count() == 2
    assert_error(Api().post(path, {"items": items}), 401)


def test_the_old_paths_are_documented_as_deprecated_aliases_with_their_operation_ids():
    spec = Client().get("/api/openapi.json").json()
    paths = spec["paths"]
    for new, old, operation in (("/api/gate/entries", "/api/gate/check-ins", "check_in"),
                                ("/api/gate/entries/batch", "/api/gate/check-ins/batch", "check_in_batch")):
        current, alias = paths[new]["post"], paths[old]["post"]
        assert alias["deprecated"] is True and "deprecated" not in current
        assert alias["operationId"] == f"zhengtong_screening_api_{operation}"
        assert current["operationId"] != alias["operationId"]
        for key in ("requestBody", "responses", "security"):
            assert alias[key] == current[key], key
    assert paths["/api/gate/exits"]["post"]["operationId"] == "zhengtong_screening_api_check_out"
