"""Headers every answer carries: no cache keeps pages and API answers with personal data."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_a_page_with_personal_data_is_not_stored_by_any_cache(client, world):
    client.force_login(world.users[Role.CITY_ADMIN])
    response = client.get(reverse("registry:person_detail", args=[world.person_a.pk]))
    assert response.status_code == 200
    assert world.id_number_a in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_an_api_answer_with_personal_data_is_not_stored_by_any_cache(world):
    response = world.api(Role.CITY_ADMIN).get(f"/people/{world.person_a.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert world.api(Role.CITY_ADMIN).get("/people/0")["Cache-Control"] == "no-store"  # errors too


def test_a_view_that_sets_its_own_cache_control_keeps_it(client):
    # Django's login view is never_cache: its own, stricter header stays.
    assert "no-cache" in client.get(reverse("login"))["Cache-Control"]


def test_static_files_keep_their_caching(client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/zhengtong/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_page_carries_the_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_an_api_answer_carries_the_policy_of_the_pages(client, world):
    page = client.get(reverse("login"))["Content-Security-Policy"]
    response = world.api(Role.CITY_ADMIN).get("/me")
    assert response.status_code == 200
    assert sorted(response["Content-Security-Policy"].split("; ")) == sorted(page.split("; "))


def test_the_policy_follows_its_setting(client, settings):
    # built once per process (zhengtong.middleware.CSPMiddleware), and again when the setting changes
    assert "img-src 'self' data:" in client.get(reverse("login"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'"]}}
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "img-src 'self'" in policy and "data:" not in policy
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]},
                                                    "EXCLUDE_URL_PREFIXES": ["/api/"]}
    assert client.get(reverse("login"))["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert "Content-Security-Policy-Report-Only" not in client.get("/api/me")
