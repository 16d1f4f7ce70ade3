"""A signed-in page reads its user and the user's active role assignments in one statement
(accounts.backends.ScopedModelBackend), the scope kept on the user: no page reads the roles again."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.accounts.backends import user_read
from zhengtong.accounts.models import Role, RoleAssignment


def signed_in(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [*Role.values, "none"])
def test_the_scope_read_with_the_user_is_the_one_get_scope_reads(world, role, django_assert_num_queries):
    user = world.users[role]
    RoleAssignment.objects.create(user=world.users[Role.DEPARTMENT_OFFICER], role=Role.PERMIT_REVIEWER,
                                  department=world.department, is_head=True)  # two rows, a city department
    with django_assert_num_queries(1):
        read = user_read(user.pk)
        scope = scopes.get_scope(read)  # kept on the user: no statement of its own
    assert (read.pk, read.get_username(), read.password) == (user.pk, user.username, user.password)
    assert scope == scopes.get_scope(User.objects.get(pk=user.pk))  # a fresh user: get_scope's own read


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.DEPARTMENT_OFFICER])
def test_a_session_page_reads_the_user_and_roles_once(world, role):
    client = signed_in(world.users[role])
    url = reverse("resumption:difficulty_list")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    users = [s for s in sql if '"auth_user"' in s and "session" not in s]
    roles = [s for s in sql if '"accounts_roleassignment"' in s]
    assert len(users) == 1 and roles == users, sql
    # the session, the user with their roles, the list's rows (its one page is not counted: core.listing),
    # whether the user may report, the navigation's counts (a city administrator's alerts and inbox; a
    # department officer's inbox and its instructions), the demo's state (read in the test's transaction;
    # a page outside one reads it once a minute, core.demo_clock): every page pays all but the list's own
    assert len(sql) == {Role.CITY_ADMIN: 7, Role.DEPARTMENT_OFFICER: 6}[role], sql


def test_an_inactive_user_is_signed_out_and_an_ended_assignment_grants_nothing(world):
    user = world.users[Role.DEPARTMENT_OFFICER]
    client = signed_in(user)
    url = reverse("resumption:difficulty_list")
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=user).update(ended_at=timezone.now())
    assert client.get(url).status_code == 404
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert user_read(user.pk) is None
