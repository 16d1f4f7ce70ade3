"""core.prepared: the statements every request runs are prepared by PostgreSQL once per connection
(where DB_PREPARE_THRESHOLD turns it on, as the test suite and the production command do), and give the
same rows as Django's own cursor."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory

from zhengtong.accounts.backends import user_read
from zhengtong.accounts.models import Role
from zhengtong.core import compiled, prepared
from zhengtong.core.access import Kind, Subject, record_view
from zhengtong.tests_support.factories import token_for

pytestmark = pytest.mark.django_db


def _prepared_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_user_token_access_record_and_count_statements_are_prepared_once(world, client):
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold") == 0
    county = world.users[Role.COUNTY_OFFICER]
    assert user_read(county.pk) is not None
    request = RequestFactory().get("/registry/people/7/")
    request.user = county
    record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(world.person_a))
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token_for(county)}", secure=True)
    assert response.status_code == 200 and response.json()["username"] == "county"
    texts = _prepared_texts()
    assert any('FROM "auth_user"' in t and "$1" in t for t in texts), texts  # the session's user
    assert any(t.startswith('INSERT INTO "core_accessrecord"') for t in texts), texts
    assert any('FROM "accounts_apitoken"' in t for t in texts), texts  # the token with its user and roles
    assert any('FROM "accounts_roleassignment"' in t for t in texts), texts  # /api/me's assignments
    before = len(texts)
    for _ in range(3):  # once per connection: the same texts run again add none
        assert user_read(county.pk) is not None
        record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(world.person_a))
    assert len(_prepared_texts()) == before


def test_a_prepared_statement_gives_the_rows_and_count_djangos_cursor_gives(world):
    qs = get_user_model().objects.filter(pk=2_147_480_017).values_list("username", "is_active", "date_joined")
    statement = compiled.compile_once(qs, 2_147_480_017)
    county = world.users[Role.COUNTY_OFFICER]
    rows = compiled.rows(statement, county.pk)
    assert rows == [list(r) for r in get_user_model().objects.filter(pk=county.pk)
                    .values_list("username", "is_active", "date_joined")]
    assert compiled.rows(statement, -1) == []
    count = compiled.compile_count(get_user_model().objects.filter(is_active=True))
    assert compiled.count(count) == get_user_model().objects.filter(is_active=True).count() > 0
    assert prepared.fetchone("SELECT 1 WHERE 1 = 0", []) is None
