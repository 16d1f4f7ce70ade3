"""What every signed-in page pays before its own rows (issue 19): the session read by a statement
compiled once (core.sessions), the demo's notice kept by the process outside transactions
(core.demo_clock), the URLs of the base template reversed once (core.http.reverse_once)."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from zhengtong.core import demo_clock
from zhengtong.core.http import reverse_once
from zhengtong.core.models import DemoState
from zhengtong.tests_support.factories import UserFactory

ANCHOR = date(2026, 3, 2)


@pytest.mark.django_db
def test_a_session_signs_its_user_in_until_it_expires(client):
    client.force_login(UserFactory.create())
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302  # to the login page: the session is not read


@pytest.mark.django_db
def test_an_unknown_session_key_is_nobody(client):
    client.cookies["sessionid"] = "x" * 32
    assert client.get(reverse("home")).status_code == 302


def test_the_notice_is_kept_outside_transactions_until_the_demo_is_loaded_or_wiped(transactional_db):
    assert demo_clock.notice() == ""
    demo_clock.record(ANCHOR)
    assert ANCHOR.isoformat() in demo_clock.notice()
    DemoState.objects.all().delete()  # as another process's wipe would: this process keeps what it read
    assert ANCHOR.isoformat() in demo_clock.notice()
    demo_clock.forget()  # a wipe in this process forgets at once
    assert demo_clock.notice() == ""


@pytest.mark.django_db
def test_inside_a_transaction_the_notice_is_read_each_time():
    demo_clock.record(ANCHOR)
    assert ANCHOR.isoformat() in demo_clock.notice()
    DemoState.objects.all().delete()  # a rollback would do the same behind the process's back
    assert demo_clock.notice() == ""


def test_a_url_reversed_once_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    try:
        assert reverse_once("home") == reverse("home")
        set_script_prefix("/city/")
        assert reverse_once("home") == reverse("home") == "/city/"
    finally:
        set_script_prefix(before)
    with translation.override("en"):
        assert reverse_once("logout") == reverse("logout")


def test_the_base_templates_static_tags_write_what_djangos_wrote():
    from django.template import Context, Template

    theirs = Template("{% load static django_htmx %}{% static 'zhengtong/site.css' %}{% htmx_script %}")
    ours = Template("{% load base_page %}{% static_url 'zhengtong/site.css' %}{% htmx_script_tag %}")
    assert ours.render(Context()) == theirs.render(Context())
    with override_settings(DEBUG=True):
        assert ours.render(Context()) == theirs.render(Context())
