import pytest
from django.urls import reverse

from zhengtong.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, password):
    return client.post(reverse("login"), {"username": "gate", "password": password})


def test_repeated_failures_lock_the_account_with_our_page(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "wrong").status_code == 200
    assert _login(client, "wrong").status_code == 429
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_resets_the_failures(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_production_hashes_passwords_with_argon2():
    from zhengtong import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sessions_expire_and_cookies_are_protected(client, world):
    from zhengtong import settings as production

    assert production.SESSION_COOKIE_AGE <= 8 * 3600 and production.SESSION_EXPIRE_AT_BROWSER_CLOSE
    signed_in = client.post(reverse("login"), {"username": "gate", "password": PASSWORD})
    assert signed_in.cookies.get("sessionid")["httponly"]
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_logout_needs_a_post(client, world):
    client.force_login(world.users["none"])
    assert client.get(reverse("logout")).status_code == 405


PROXY = "127.0.0.1"  # the reverse proxy in front of the web process, as in the README


def test_behind_the_proxy_failures_from_one_address_do_not_lock_the_account_for_another(client, world, settings):
    settings.TRUSTED_PROXIES = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "gate", "password": "wrong"}, **attacker)
    assert client.post(reverse("login"), {"username": "gate", "password": PASSWORD}, **attacker).status_code == 429

    gatekeeper = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.post(reverse("login"), {"username": "gate", "password": PASSWORD}, **gatekeeper).status_code == 302


def test_behind_the_proxy_an_address_the_client_wrote_into_the_header_is_not_believed(client, world, settings):
    """The client sends its own X-Forwarded-For, the proxy appends the address it saw: that one counts."""
    settings.TRUSTED_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "gate", "password": "wrong"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    response = client.post(reverse("login"), {"username": "gate", "password": PASSWORD},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7")
    assert response.status_code == 429


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(client, world, settings):
    assert settings.TRUSTED_PROXIES == 0  # the default
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "gate", "password": "wrong"},
                    REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.post(reverse("login"), {"username": "gate", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429


def test_an_idle_session_expires_and_a_used_one_slides_with_a_write_at_most_a_minute(client, world, settings):
    """The session's expiry moves on with use (SessionTouchMiddleware), written at most every
    SESSION_TOUCH_SECONDS, not on every request; a session idle past SESSION_COOKIE_AGE ends."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine
    from django.contrib.sessions.models import Session

    settings.SESSION_COOKIE_AGE = 3600
    start = datetime(2020, 2, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with time_machine.travel(start, tick=False) as clock:
        assert _login(client, PASSWORD).status_code == 302
        first = expiry()
        clock.shift(timedelta(seconds=30))
        assert client.get("/").status_code == 200
        assert expiry() == first  # within the minute: nothing written
        clock.shift(timedelta(seconds=31))
        assert client.get("/").status_code == 200
        assert expiry() == first + timedelta(seconds=61)  # used: the hour starts again
        clock.shift(timedelta(minutes=59))
        assert client.get("/").status_code == 200  # 59 minutes idle: still signed in
        clock.shift(timedelta(minutes=61))
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]  # idle an hour: ended
