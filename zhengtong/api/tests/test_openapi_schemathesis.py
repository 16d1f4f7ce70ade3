"""schemathesis over the whole OpenAPI document, with all its checks, as three callers.

The document is loaded from the WSGI application in-process (no server; the test's database and
transaction), and every operation is called with generated data in three phases (the document's
examples, coverage of each constraint's edges, and random fuzzing), valid and invalid, as:

- a city administrator (every operation but the gate's), with an API token;
- an enterprise clerk of one unit (the same operations): a change outside the clerk's role answers 403
  (``CLERK_FORBIDDEN``), which is the one status more the clerk's run takes;
- a gate device of one site, with its key, over /api/gate/… only.

Every check of schemathesis runs (no server error, documented statuses, content types, headers and
bodies, invalid data refused, valid data accepted, missing authentication refused, unsupported methods
answered 405…). Valid data must be answered 2xx, 400, 404 or 409 (``ACCEPTED``): a 400 is a service's
refusal that JSON Schema cannot say (a USCC's check character, a county code of this city), and must
name its field (``refusal_names_its_field``). Random ids almost never exist: half of the valid ones are
steered to the small world's records (``steer_ids``), so that services see the bodies.

In ``make test``: at most ``ZT_SCHEMATHESIS_EXAMPLES`` (10) drawn examples per operation in each of the
examples and fuzzing phases, and the coverage phase's fixed set of edge cases (schemathesis enumerates
them: they are not drawn, and no setting bounds them), with a fixed seed. bench/schemathesis_full.py runs
the same tests with more examples and a random seed (``ZT_SCHEMATHESIS_SEED=random``), and reads each
caller's figures (operations, requests, seconds) from ``ZT_SCHEMATHESIS_FIGURES`` when set.
"""

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from zhengtong.accounts.models import Role
from zhengtong.outbreak import isolation
from zhengtong.outbreak import services as outbreak
from zhengtong.permits import services
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.registry.models import Department
from zhengtong.resumption import donations
from zhengtong.resumption import services as resumption
from zhengtong.tests_support.factories import gate_device, token_for
from zhengtong.tests_support.world import build_world
from zhengtong.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("ZT_SCHEMATHESIS_EXAMPLES", "10"))
SEED = os.environ.get("ZT_SCHEMATHESIS_SEED", "15")  # "random": a new seed each run (the bench)
PHASES = os.environ.get("ZT_SCHEMATHESIS_PHASES", "examples,coverage,fuzzing").split(",")
ACCEPTED = ["2xx", "400", "404", "409"]
# Changes an enterprise clerk's role may not make: the service's PermissionDenied, 403.
CLERK_FORBIDDEN = [
    ("POST", "/api/units"),
    ("POST", "/api/departments"),
    ("PATCH", "/api/departments/{department_id}"),
    # the clerk sees no case or order (404), but may name a person of the unit: reporting a case for
    # them or ordering their isolation is refused by role
    ("POST", "/api/outbreak/cases"),
    ("POST", "/api/outbreak/isolations"),
    # the clerk sees the unit's declaration and difficulty: the lead department answers, the department
    # accepts and resolves, the county sends on
    ("POST", "/api/resumption/declarations/{declaration_id}/answer"),
    ("POST", "/api/resumption/difficulties/{difficulty_id}/accept"),
    ("POST", "/api/resumption/difficulties/{difficulty_id}/resolve"),
    ("POST", "/api/resumption/difficulties/{difficulty_id}/reassign"),
]


def config(forbidden: list[tuple[str, str]] = ()) -> schemathesis.Config:
    settings_ = {
        "generation": {"max-examples": EXAMPLES},
        # The stateful phase chains operations by the document's links; ninja's document declares none.
        "phases": {**{phase: {"enabled": phase in PHASES} for phase in ("examples", "coverage", "fuzzing")},
                   "stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        "operations": [
            {"include-method": method, "include-path": path,
             "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "403"]}}}
            for method, path in forbidden
        ],
    }
    if SEED != "random":
        settings_["seed"] = int(SEED)
    return schemathesis.Config.from_dict(settings_)


def load(forbidden: list[tuple[str, str]] = ()):
    # Loaded when the module is collected (pytest-django has set Django up by then; serving the
    # document touches no database).
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=config(forbidden))


GATE = "^/api/gate/"
as_admin = load().exclude(path_regex=GATE)
as_clerk = load(CLERK_FORBIDDEN).exclude(path_regex=GATE)
as_device = load().include(path_regex=GATE)
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def refusal_names_its_field(ctx, response, case):
    """A 400 to valid data is a service's refusal: it names the field it refuses (``errors[].field``)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    fields = [e.get("field") for e in body.get("errors", []) if isinstance(e, dict)]
    assert any(fields), f"a 400 to valid data names no field: {body}"
    return None


@pytest.fixture
def same_connection():
    """Django closes a connection that is inside a transaction when a request starts or ends, as
    the test's is: the test client avoids it by not sending close_old_connections, and so must a
    WSGI application called in-process (else PostgreSQL's test transaction is gone)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, same_connection):
    """A small world (two units, their sites and people, a department, a classified unit with an
    issued permit, a case and an isolation order, the unit's resumption declaration, a stage and a
    difficulty, the department's donation campaign with a donation), and the ids that generated ids are
    steered to."""
    registry = build_world()
    services.unit_classify(unit=registry.unit_a)
    permit = issued_permit(registry)
    admin = registry.users[Role.CITY_ADMIN]
    case = outbreak.case_report(user=admin, person=registry.person_a,
                                data={"site": registry.site_a.pk, "onset_date": str(timezone.localdate())})
    order = isolation.isolation_order(user=admin, person=registry.person_b,
                                      data={"reason": "close_contact", "place": "site", "site": registry.site_b.pk})
    clerk = registry.users[Role.ENTERPRISE_CLERK]
    today = timezone.localdate()
    declaration = resumption.declaration_file(user=clerk, unit=registry.unit_a, data={
        "planned_date": today, "workforce_total": 100, "workforce_returned": 60, "returned_from_outside": 20,
        "outside_isolated": 15})
    stage = resumption.stage_report(user=clerk, unit=registry.unit_a, data={
        "stage": "construction", "reached_on": today, "capacity_pct": 30})
    difficulty = resumption.difficulty_report(user=clerk, unit=registry.unit_a, data={
        "category": "raw_materials", "title": "缺少钢材", "details": "库存只够三天。"})
    campaign = donations.campaign_create(user=admin, data={
        "name": "捐款", "organiser": registry.department.pk, "starts_on": today - timedelta(days=30)})
    donation = donations.donation_record(user=admin, campaign=campaign, data={
        "donor_name": "王建华", "organisation": "市发改委", "amount": "100", "donated_on": today})
    ids = {
        "unit_id": registry.unit_a.pk, "site_id": registry.site_a.pk, "person_id": registry.person_a.pk,
        "department_id": registry.department.pk, "unit": registry.unit_a.pk, "site": registry.site_a.pk,
        "application_id": permit.application_id, "permit_id": permit.pk,
        "case_id": case.pk, "order_id": order.pk,
        "declaration_id": declaration.pk, "stage_id": stage.pk, "difficulty_id": difficulty.pk,
        "campaign_id": campaign.pk, "donation_id": donation.pk,
        # a reassignment's department: another than the one the difficulty went to (the lead department)
        "department": Department.objects.exclude(pk=registry.department.pk).values_list("pk", flat=True)[0],
    }
    return registry, ids


BODY_IDS = ("unit", "site", "person_id", "site_id", "case_id", "department")


def steer_ids(case, ids: dict[str, int]) -> None:
    """Send half of the valid generated ids (the even ones) to a real record. Invalid data is left
    alone: it must be refused as generated."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    path = {k: ids[k] if k in ids and isinstance(v, int) and v % 2 == 0 else v
            for k, v in case.path_parameters.items()}
    if path != case.path_parameters:
        case.path_parameters = path
    if isinstance(case.body, dict):
        body = {k: ids[k] if k in BODY_IDS and isinstance(v, int) and v % 2 == 0 else v for k, v in case.body.items()}
        if isinstance(body.get("person_ids"), list):  # ordering isolation for one person or many
            body["person_ids"] = [ids["person_id"] if isinstance(v, int) and v % 2 == 0 else v
                                  for v in body["person_ids"]]
        if body != case.body:
            case.body = body


@pytest.fixture
def figures(request):
    """What one operation's run did as one caller (a line in the caller's file): requests, seconds."""
    counts = {"examples": 0}
    start = time.monotonic()
    yield counts
    folder = os.environ.get("ZT_SCHEMATHESIS_FIGURES")
    if folder:
        caller = request.node.originalname.removeprefix("test_as_")
        with Path(folder, f"{caller}.jsonl").open("a") as f:
            f.write(json.dumps({"operation": counts.get("operation"), "examples": counts["examples"],
                                "seconds": round(time.monotonic() - start, 2)}) + "\n")


def call(case, key: str, figures: dict) -> None:
    figures["operation"] = case.operation.label
    figures["examples"] += 1
    if case.headers and any(k.lower() == "host" for k in case.headers):
        # A drawn extra header named Host replaces the request's host: an empty or foreign one is refused
        # by Django (ALLOWED_HOSTS, an HTML 400) before any router sees the request. Not an API answer.
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "host"}
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, additional_checks=[refusal_names_its_field])


@as_admin.parametrize()
@HYPOTHESIS
def test_as_city_admin(case, world, figures):
    registry, ids = world
    steer_ids(case, ids)
    call(case, token_for(registry.users[Role.CITY_ADMIN], name="schemathesis"), figures)


@as_clerk.parametrize()
@HYPOTHESIS
def test_as_enterprise_clerk(case, world, figures):
    registry, ids = world
    steer_ids(case, ids)
    call(case, token_for(registry.users[Role.ENTERPRISE_CLERK], name="schemathesis"), figures)


@as_device.parametrize()
@HYPOTHESIS
def test_as_gate_device(case, world, figures):
    registry, ids = world
    steer_ids(case, ids)  # person_a is one of site_a's people
    call(case, gate_device(registry.site_a).key, figures)
