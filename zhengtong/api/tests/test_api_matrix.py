"""Every role against every registry endpoint and the permits' unit lists, with the same
expectations as the pages' matrix (accounts/tests/test_permission_matrix.py): records outside the
scope are 404."""

import json

import pytest

from zhengtong.accounts.models import ApiToken
from zhengtong.accounts.tests.test_permission_matrix import (
    ADMIN,
    CLERK,
    COUNTY,
    MANAGER,
    ONLY_ADMIN,
    PEOPLE_ROLES,
    REVIEWER,
    ROLES,
    WITH_ROLE,
    allowed,
)
from zhengtong.tests_support.codes import HENGYANG_COUNTY

pytestmark = pytest.mark.django_db

ALL = allowed(*ROLES)

READS = [
    ("/api/units", None, ALL),
    ("/api/sites", None, ALL),
    ("/api/people", None, ALL),
    ("/api/departments", None, ALL),
    ("/api/regions", None, ALL),
    ("/api/me", None, ALL),
    ("/api/units/{}", "unit_a", WITH_ROLE),
    ("/api/units/{}/history", "unit_a", WITH_ROLE),
    ("/api/units/{}", "unit_b", ONLY_ADMIN),
    ("/api/units/{}/history", "unit_b", ONLY_ADMIN),
    ("/api/sites/{}", "site_a", WITH_ROLE),
    ("/api/sites/{}", "site_b", ONLY_ADMIN),
    ("/api/people/{}", "person_a", allowed(*PEOPLE_ROLES)),
    ("/api/people/{}", "person_b", ONLY_ADMIN),
    ("/api/departments/{}", "department", WITH_ROLE),
    # Permits: a unit's permits are public for whoever sees it; its applications are the permit work's.
    ("/api/permits/units/{}/permits", "unit_a", WITH_ROLE),
    ("/api/permits/units/{}/permits", "unit_b", ONLY_ADMIN),
    ("/api/permits/units/{}/applications", "unit_a", allowed(ADMIN, COUNTY, CLERK, REVIEWER)),
    ("/api/permits/units/{}/applications", "unit_b", ONLY_ADMIN),
]

# PATCH with a harmless change: who may write which record.
WRITES = [
    ("/api/units/{}", "unit_a", {"address": "新地址"}, allowed(ADMIN, COUNTY, CLERK, otherwise=403)),
    ("/api/units/{}", "unit_b", {"address": "新地址"}, ONLY_ADMIN),
    ("/api/sites/{}", "site_a", {"address": "新地址"}, allowed(ADMIN, COUNTY, MANAGER, CLERK, otherwise=403)),
    ("/api/sites/{}", "site_b", {"address": "新地址"}, ONLY_ADMIN),
    ("/api/people/{}", "person_a", {"phone": "13900000000"}, allowed(*PEOPLE_ROLES)),
    ("/api/people/{}", "person_b", {"phone": "13900000000"}, ONLY_ADMIN),
    ("/api/departments/{}", "department", {"phone": "0734-1234567"}, allowed(ADMIN, otherwise=403)),
    # Issue 15: moving a site to another county hands its people to that county: the city's only.
    ("/api/sites/{}", "site_a", {"county": HENGYANG_COUNTY},
     {**allowed(ADMIN, otherwise=403), COUNTY: 400, MANAGER: 400, CLERK: 400}),
]


def _client(client, world, role):
    _token, key = ApiToken.issue(user=world.users[role], name="matrix")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def _url(world, template, record):
    return template.format(getattr(world, record).pk) if record else template


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_its_scope_allows(client, world, role):
    api = _client(client, world, role)
    wrong = []
    for template, record, expected in READS:
        status = api.get(_url(world, template, record)).status_code
        if status != expected[role]:
            wrong.append(f"GET {template} {record}: {status} != {expected[role]}")
    for template, record, body, expected in WRITES:
        want = expected[role]
        # A record the role may not see is 404 whatever the method; one it sees but may not change, 403.
        if want == 403 and not _visible(world, record, role):
            want = 404
        status = api.patch(_url(world, template, record), json.dumps(body), content_type="application/json").status_code
        if status != want:
            wrong.append(f"PATCH {template} {record}: {status} != {want}")
    assert not wrong, "\n".join(wrong)


def _visible(world, record, role):
    for template, rec, expected in READS:
        if rec == record and "history" not in template:
            return expected[role] == 200
    return True


@pytest.mark.parametrize("role", [r for r in ROLES if r != ADMIN])
def test_no_list_shows_another_countys_records(client, world, role):
    api = _client(client, world, role)
    for url in ("/api/units", "/api/sites", "/api/people"):
        body = api.get(url).content.decode()
        for other in (world.unit_b.uscc, world.site_b.name, world.person_b.name):
            assert other not in body, (url, other)


def test_without_credentials_every_endpoint_is_401(client, world):
    for template, record, _expected in READS:
        assert client.get(_url(world, template, record)).status_code == 401, template


@pytest.mark.parametrize("pk", ["0", "-1", str(2**63), str(2**70)])
def test_an_id_out_of_range_is_a_404_not_a_server_error(client, world, pk):
    api = _client(client, world, ADMIN)
    for template in ("/api/units/{}", "/api/sites/{}", "/api/people/{}", "/api/departments/{}"):
        assert api.get(template.format(pk)).status_code in (404, 422), template


@pytest.mark.parametrize("url", ["/api/people?site={}", "/api/sites?unit={}"])
def test_a_filter_id_out_of_range_is_refused_not_a_server_error(client, world, url):
    api = _client(client, world, ADMIN)
    assert api.get(url.format(2**70)).status_code == 422
