"""Property-based run over the whole OpenAPI surface with schemathesis.

The schema is loaded from the WSGI application in-process (no server, same database
transaction as the test), every operation is called as the city administrator with an API
token, with valid and invalid data, and each answer must be no server error, a documented
status and content type, and a body that matches the schema. Kept short for CI: a few
examples per operation and no Hypothesis deadline.

Schema-valid data that a service refuses (a USCC with a wrong check character…) answers 400:
that is by design (codes are strings in the schema and the services check them), so the
"positive data acceptance" check is not one of ours.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhengtong.accounts.models import Role
from zhengtong.permits import services
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.tests_support.factories import token_for
from zhengtong.tests_support.world import build_world
from zhengtong.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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
    """Records to find, and the ids that generated path and body ids are steered to."""
    registry = build_world()
    services.unit_classify(unit=registry.unit_a)
    permit = issued_permit(registry)
    ids = {
        "unit_id": registry.unit_a.pk, "site_id": registry.site_a.pk, "person_id": registry.person_a.pk,
        "department_id": registry.department.pk, "unit": registry.unit_a.pk, "site": registry.site_a.pk,
        "application_id": permit.application_id, "permit_id": permit.pk,
    }
    return token_for(registry.users[Role.CITY_ADMIN], name="schemathesis"), ids


def steer_ids(case, ids: dict[str, int]) -> None:
    """Random ids almost never exist, so every detail and PATCH would stop at 404: send half of the
    generated integer ids (the even ones) to a real record, so that the services see the bodies."""
    path = {k: ids[k] if k in ids and isinstance(v, int) and v % 2 == 0 else v
            for k, v in case.path_parameters.items()}
    if path != case.path_parameters:
        case.path_parameters = path
    if isinstance(case.body, dict):
        body = {k: ids[k] if k in ("unit", "site") and isinstance(v, int) and v % 2 == 0 else v
                for k, v in case.body.items()}
        if body != case.body:
            case.body = body


# Loaded when the module is collected (pytest-django has set Django up by then; serving the
# schema touches no database). Not schemathesis.pytest.from_fixture: with pytest 9.2 its lazy
# loader fails on `request.node._nodeid`, which pytest no longer has.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.parametrize()
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, world):
    token, ids = world
    steer_ids(case, ids)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
