"""The navigation each role sees, the alerts entry's count and the clerk's own permit page."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.dashboard.navigation import menu_for
from zhengtong.screening import services

pytestmark = pytest.mark.django_db

EVERYONE = ["home", "units", "sites", "departments"]
MENUS = {
    Role.CITY_ADMIN: ["home", "units", "sites", "people", "departments", "gate", "screening", "alerts", "cases",
                      "isolation", "inbox", "resumption", "difficulties", "visits", "donations", "permits", "import",
                      "users", "access", "admin"],
    Role.COUNTY_OFFICER: ["home", "units", "sites", "people", "departments", "screening", "alerts", "cases",
                          "isolation", "resumption", "difficulties", "visits", "permits", "import", "users"],
    Role.DEPARTMENT_OFFICER: [*EVERYONE, "inbox", "resumption", "difficulties", "visits", "donations", "permits"],
    Role.SITE_MANAGER: ["home", "units", "sites", "people", "departments", "gate", "screening", "alerts", "cases",
                        "isolation"],
    Role.GATEKEEPER: ["home", "units", "sites", "people", "departments", "gate", "screening"],
    Role.ENTERPRISE_CLERK: ["home", "units", "sites", "people", "departments", "resumption", "difficulties",
                            "permits"],
    Role.PERMIT_REVIEWER: [*EVERYONE, "permits"],
    "none": ["home"],
}


@pytest.mark.parametrize("role", MENUS)
def test_each_role_sees_its_menu(client, world, role):
    client.force_login(world.users[role])
    html = client.get(reverse("home")).content.decode()
    assert re.findall(r'data-nav="([a-z]+)"', html) == MENUS[role]


def test_the_clerks_permit_entry_is_the_units_own_page(world):
    items = {i["key"]: i["url"] for i in menu_for(world.users[Role.ENTERPRISE_CLERK])}
    assert items["permits"] == reverse("permits:unit", args=[world.unit_a.pk])
    items = {i["key"]: i["url"] for i in menu_for(world.users[Role.PERMIT_REVIEWER])}
    assert items["permits"] == reverse("permits:classification")


def test_the_alerts_entry_counts_the_users_open_alerts(world):
    services.entry_screen(actor=services.Actor(user=world.users[Role.GATEKEEPER]), site=world.site_a,
                          person=world.person_a, temperature="38.5")
    alerts = {i["key"]: i for i in menu_for(world.users[Role.SITE_MANAGER])}["alerts"]
    assert alerts["count"] == 1 and alerts["url"] == reverse("screening:alerts")


def test_anonymous_pages_have_no_menu(client):
    assert client.get(reverse("login")).context["nav_items"] == []


def test_the_entries_are_in_the_active_language(world):
    """Labels and URLs are made once per language (navigation._links): each language gets its own."""
    admin = world.users[Role.CITY_ADMIN]
    with translation.override("en"):
        english = {i["key"]: i["label"] for i in menu_for(admin)}
    with translation.override("zh-hans"):
        chinese = {i["key"]: i["label"] for i in menu_for(admin)}
    assert english["home"] == "Home" and english["difficulties"] == "Difficulties"
    assert chinese["home"] == "首页" and chinese["home"] != english["home"]


def test_the_links_are_the_markup_the_template_loop_wrote(world):
    """navigation_links.nav_links writes what base.html's loop wrote, values escaped, the active one marked."""
    items = [{"key": "home", "url": "/", "label": "Home"}, {"key": "units", "url": "/u/?a=1&b=2", "label": "<Units>"}]
    loop = Template('{% for item in nav_items %}<a href="{{ item.url }}" class="{% if nav_active == item.key %}active'
                    '{% endif %}" data-nav="{{ item.key }}">{{ item.label }}</a>{% endfor %}')
    tag = Template("{% load navigation_links %}{% nav_links nav_items nav_active %}")
    for context in ({"nav_items": items, "nav_active": "units"}, {"nav_items": items}, {"nav_items": []}):
        assert tag.render(Context(context)) == loop.render(Context(context))


def test_the_language_switcher_is_the_markup_the_template_loop_wrote():
    loop = Template('{% load i18n %}{% get_available_languages as LANGUAGES %}'
                    '{% get_language_info_list for LANGUAGES as languages %}{% for language in languages %}'
                    '<option value="{{ language.code }}"{% if language.code == LANGUAGE_CODE %} selected{% endif %}>'
                    '{{ language.name_local }}</option>{% endfor %}')
    tag = Template("{% load base_page %}{% language_options LANGUAGE_CODE %}")
    for code in ("zh-hans", "en"):
        assert tag.render(Context({"LANGUAGE_CODE": code})) == loop.render(Context({"LANGUAGE_CODE": code}))
        assert ' selected>' in tag.render(Context({"LANGUAGE_CODE": code}))
