"""Who may call the API: a session (with CSRF on writes) or a bearer token; nobody else."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.accounts.api import token_read
from zhengtong.accounts.models import ApiToken, Role, RoleAssignment
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.codes import HENGNAN, make_uscc
from zhengtong.tests_support.factories import token_for

pytestmark = pytest.mark.django_db

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters of the CSRF alphabet



def unit_body():
    return {"uscc": make_uscc(HENGNAN), "name": "衡南新厂", "county": HENGNAN, "industry": "4411"}


@pytest.mark.parametrize("path", ["/units", "/regions", "/me", "/people/1", "/departments"])
def test_no_credentials_is_a_401_in_the_error_shape(world, path):
    response = Api().get(path)
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_write_without_credentials_is_a_401_not_a_csrf_error(world):
    assert_error(Api(enforce_csrf_checks=True).post("/units", unit_body()), 401)
    assert_error(Api(token="zt_wrong", enforce_csrf_checks=True).post("/units", unit_body()), 401)


def test_a_token_acts_as_its_user_and_records_its_use(world):
    user = world.users[Role.CITY_ADMIN]
    token, key = ApiToken.issue(user=user, name="gate tablet")
    assert token.last_used_at is None
    response = Api(token=key).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "admin"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert Api(token=key).get("/units").json()["count"] == 2


def test_last_used_at_is_written_at_most_once_a_minute(world):
    token, key = ApiToken.issue(user=world.users[Role.GATEKEEPER], name="gate")
    recent = timezone.now() - timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    Api(token=key).get("/me")
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    Api(token=key).get("/me")
    token.refresh_from_db()
    assert token.last_used_at > old + timedelta(minutes=1)


def test_the_scheme_word_is_case_insensitive(world):
    key = token_for(world.users[Role.ENTERPRISE_CLERK])
    assert Client().get("/api/me", headers={"Authorization": f"bearer {key}"}).status_code == 200


@pytest.mark.parametrize("header", [
    "Bearer zt_not-a-token",
    "Bearer ",
    "Token {key}",
    "Basic {key}",
    "{key}",
])
def test_a_wrong_token_is_a_401(world, header):
    key = token_for(world.users[Role.CITY_ADMIN])
    response = Client().get("/api/units", headers={"Authorization": header.format(key=key)})
    assert_error(response, 401)


def test_a_revoked_token_is_a_401(world):
    token, key = ApiToken.issue(user=world.users[Role.CITY_ADMIN], name="old integration")
    assert Api(token=key).get("/units").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert_error(Api(token=key).get("/units"), 401)


def test_the_token_of_an_inactive_user_is_a_401(world):
    user = world.users[Role.CITY_ADMIN]
    key = token_for(user)
    user.is_active = False
    user.save()
    assert_error(Api(token=key).get("/units"), 401)


def test_a_token_writes_without_a_csrf_token(world):
    api = Api(token=token_for(world.users[Role.CITY_ADMIN]), enforce_csrf_checks=True)
    assert api.post("/units", unit_body()).status_code == 201


def test_a_session_reads(world):
    response = Api(user=world.users[Role.COUNTY_OFFICER]).get("/units")
    assert response.status_code == 200
    assert [u["name"] for u in response.json()["items"]] == ["衡南火电厂"]


def test_a_session_write_without_the_csrf_token_is_a_403(world):
    api = Api(user=world.users[Role.CITY_ADMIN], enforce_csrf_checks=True)
    assert api.get("/units").status_code == 200  # reads need no CSRF token
    assert_error(api.post("/units", unit_body()), 403)
    assert_error(api.patch(f"/units/{world.unit_a.pk}", {"name": "改名"}), 403)
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "衡南火电厂"


def test_a_session_write_with_the_csrf_token_is_accepted(world):
    api = Api(user=world.users[Role.CITY_ADMIN], enforce_csrf_checks=True)
    api.client.cookies["csrftoken"] = CSRF_SECRET
    response = api.post("/units", unit_body(), headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 201, response.content


def test_a_session_of_an_inactive_user_is_a_401(world):
    user = world.users[Role.CITY_ADMIN]
    api = Api(user=user)
    user.is_active = False
    user.save()
    assert_error(api.get("/units"), 401)


def test_docs_and_schema_answer_without_credentials(world):
    client = Client()
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui" in docs.content  # served by the app, not fetched from a CDN
    assert b"cdn.jsdelivr" not in docs.content
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert {"/api/units", "/api/units/{unit_id}", "/api/units/{unit_id}/history", "/api/sites", "/api/people",
            "/api/people/{person_id}", "/api/departments", "/api/regions", "/api/industries", "/api/me"} <= set(
        spec["paths"])
    assert set(spec["components"]["securitySchemes"]) == {"TokenAuth", "CsrfSessionAuth", "GateDeviceAuth"}
    post = spec["paths"]["/api/units"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422"} <= set(post["responses"])
    assert post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/units/", "/api/units/1/sites/x"])
def test_an_unknown_path_under_api_is_a_json_404(world, path):
    assert_error(Client().get(path), 404)
    assert_error(Client().post(path, "{}", content_type="application/json"), 404)


# The token's one statement (accounts.api.token_read): the token, its user and the user's scope -------


def test_a_token_request_reads_its_token_user_and_roles_in_one_statement(world, django_assert_num_queries):
    api = world.api(Role.COUNTY_OFFICER)
    api.get("/me")  # the token's first use writes its time
    with django_assert_num_queries(4):  # the token with its user and roles; the count, the units, their industries
        body = api.get("/units").json()
    assert body["count"] == 1 and body["items"][0]["name"] == "衡南火电厂"
    with django_assert_num_queries(2):  # the token with its user and roles; the names of the roles' scopes
        assert api.get("/me").json()["assignments"][0]["scope_name"] == world.unit_a.county.name


@pytest.mark.parametrize("role", [*Role.values, "none"])
def test_the_scope_read_with_the_token_is_the_one_get_scope_reads(world, role, django_assert_num_queries):
    user = world.users[role]
    RoleAssignment.objects.create(user=world.users[Role.DEPARTMENT_OFFICER], role=Role.PERMIT_REVIEWER,
                                  department=world.department, is_head=True)  # two rows, a city department
    key = token_for(user)
    with django_assert_num_queries(1):
        token, read = token_read(ApiToken.hash_key(key))
        scope = scopes.get_scope(read)  # kept on the user: no statement of its own
    assert (token.user_id, read.pk, read.get_username(), str(token)) == (user.pk, user.pk, user.username, str(
        ApiToken.objects.get(pk=token.pk)))
    assert scope == scopes.get_scope(User.objects.get(pk=user.pk))  # a fresh user: get_scope's own read


def test_an_ended_assignment_grants_nothing_to_a_token(world):
    api = world.api(Role.COUNTY_OFFICER)
    assert api.get("/people").json()["count"] == 1
    RoleAssignment.objects.filter(user=world.users[Role.COUNTY_OFFICER]).update(ended_at=timezone.now())
    assert api.get("/me").json()["assignments"] == []
    assert api.get("/people").json()["count"] == 0
