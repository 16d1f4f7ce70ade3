"""The permit lists' rows and an application's clock (permit_rows) write what the templates wrote (issue 16
§8): the same markup for the same rows in both languages, every branch of the clock, the values escaped."""

from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from zhengtong.accounts.models import Role
from zhengtong.core.workdays import ClockState
from zhengtong.permits import selectors
from zhengtong.permits.models import Application, FixedSource
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.tests_support.factories import UnitFactory
from zhengtong.tests_support.rows import HOSTILE, assert_escaped, render_both

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]

# The templates before the tags, as they were: permits/_clock.html (without its file's last newline) and
# the two lists' loops, the clock in place of its include.
OLD_CLOCK = """{% load i18n %}{% load i18n %}{% if clock %}<span class="clock {{ clock.status }}" data-testid="clock" data-status="{{ clock.status }}">{{ clock.label }}: {% if clock.state.stopped %}{% translate "decided" %}{% else %}{% blocktranslate with due=clock.state.due|date:"Y-m-d" n=clock.state.remaining basis=clock.basis_label %}due {{ due }}, {{ n }} {{ basis }} left{% endblocktranslate %}{% endif %}{% if clock.state.overdue %} — {% if clock.overdue_days %}<strong data-testid="overdue-days" data-days="{{ clock.overdue_days }}">{% blocktranslate with n=clock.overdue_days basis=clock.basis_label %}overdue by {{ n }} {{ basis }}{% endblocktranslate %}</strong>{% else %}{% translate "overdue" %}{% endif %}{% endif %}</span>
<small class="muted">({{ clock.article }}{% if not clock.limit_confirmed %}; {% translate "rule text not confirmed" %}{% endif %}{% if not clock.state.confirmed %}; {% translate "holiday calendar not confirmed" %}{% endif %}{% if clock.basis == "working" %}; {% translate "working days, 行政许可法 Art. 82" %}{% endif %})</small>{% endif %}"""  # noqa: E501 (the templates as they were)
OLD_APPLICATIONS = """{% load i18n %}{% for a, clock in rows %}<tr class="{% if clock.state.overdue %}overdue{% endif %}"><td data-label="{% translate 'Unit' %}"><a href="{% url 'permits:application' a.pk %}">{{ a.fixed_source.unit.name }}</a></td><td data-label="{% translate 'County' %}">{{ a.fixed_source.unit.county.name }}</td><td data-label="{% translate 'Kind' %}">{{ a.get_kind_display }} v{{ a.version }}</td><td data-label="{% translate 'Class' %}">{{ a.get_management_class_display }}</td><td data-label="{% translate 'Status' %}">{{ a.get_status_display }}</td><td data-label="{% translate 'Received' %}">{{ a.received_on|date:"Y-m-d"|default:"—" }}</td><td data-label="{% translate 'Time limit' %}">{% include "permits/_clock.html" %}</td></tr>
{% empty %}<tr><td colspan="7" class="muted">{% translate "No applications." %}</td></tr>{% endfor %}""".replace('{% include "permits/_clock.html" %}', OLD_CLOCK.removeprefix("{% load i18n %}"))  # noqa: E501 (the templates as they were)
OLD_PERMITS = """{% load i18n %}{% for p in page %}<tr><td data-label="{% translate 'Number' %}"><a href="{% url 'permits:permit' p.pk %}"><code>{{ p.number }}</code></a></td><td data-label="{% translate 'Unit' %}">{{ p.fixed_source.unit.name }}</td><td data-label="{% translate 'County' %}">{{ p.fixed_source.unit.county.name }}</td><td data-label="{% translate 'Class' %}">{{ p.get_management_class_display }}</td><td data-label="{% translate 'Status' %}">{{ p.get_status_display }}</td><td data-label="{% translate 'Decided on' %}">{{ p.decided_on|date:"Y-m-d" }}</td><td data-label="{% translate 'Valid until' %}">{{ p.valid_until|date:"Y-m-d" }}</td></tr>
{% empty %}<tr><td colspan="7" class="muted">{% translate "No permits." %}</td></tr>{% endfor %}"""  # noqa: E501 (the templates as they were)


def clock(*, label="决定", stopped=False, overdue=False, overdue_days=0, basis="working", confirmed=True,
          limit_confirmed=True, article="条例 Art. 10"):
    state = ClockState(started=date(2020, 3, 2), due=date(2020, 3, 31), basis=basis, limit_days=20,
                       extension_days=0, used=5, remaining=0 if overdue else 15, overdue=overdue, paused=False,
                       confirmed=confirmed, stopped=stopped)
    return {"kind": "decision", "label": label, "state": state, "status": state.status(), "article": article,
            "overdue_days": overdue_days, "limit_confirmed": limit_confirmed, "basis": basis,
            "basis_label": "working days" if basis == "working" else "calendar days"}


# Every branch of the template: running, decided in time, overdue by some days and decided late, overdue
# with no day counted, a calendar-day limit whose text and calendar are not confirmed, none; values to escape.
CLOCKS = [clock(), clock(stopped=True), clock(overdue=True, overdue_days=3, stopped=True),
          clock(overdue=True, basis="calendar", confirmed=False, limit_confirmed=False),
          clock(label=HOSTILE, article="<i>&</i>"), None]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("index", range(len(CLOCKS)))
def test_application_clock_is_the_templates_clock(db, index, language):
    old, new = render_both(OLD_CLOCK, "{% load permit_rows %}{% application_clock clock %}", language,
                           clock=CLOCKS[index])
    assert new == old


@pytest.fixture
def lists(world):
    """Applications of a unit named to be escaped and of unit A (submitted, a draft, accepted), with their
    clocks on a day the submitted one's notice limit has passed, and the synthetic clocks; the permits."""
    user = world.users[Role.CITY_ADMIN]
    hostile = UnitFactory.create(name=HOSTILE)
    issued_permit(world)
    issued_permit(world, unit=hostile, valid_until=date(2025, 1, 1))
    for sequence, unit, status, received, accepted in [(2, world.unit_a, "submitted", date(2020, 3, 2), None),
                                                       (2, hostile, "draft", None, None),
                                                       (3, hostile, "accepted", date(2020, 2, 1), date(2020, 2, 3))]:
        source = FixedSource.objects.create(unit=unit, sequence=sequence)
        Application.objects.create(fixed_source=source, management_class="key", status=status, created_by=user,
                                   received_on=received, accepted_on=accepted, version=3)
    applications = list(selectors.application_list(user=user, status="", q=""))
    rows = list(zip(applications, selectors.application_clocks(applications, date(2020, 3, 20)), strict=True))
    rows += [(applications[0], c) for c in CLOCKS]
    return {"applications": rows, "permits": list(selectors.permit_list(user=user, status="", q=""))}


@pytest.mark.parametrize("language", LANGUAGES)
def test_application_rows_are_the_templates_rows(lists, language):
    rows = lists["applications"]
    assert sum(1 for _, c in rows if c) >= 7  # two real clocks, five made
    old, new = render_both(OLD_APPLICATIONS, "{% load permit_rows %}{% application_rows rows %}", language,
                           rows=rows)
    assert new == old
    assert new.count("<tr") == len(rows)


@pytest.mark.parametrize("language", LANGUAGES)
def test_permit_rows_are_the_templates_rows(lists, language):
    old, new = render_both(OLD_PERMITS, "{% load permit_rows %}{% permit_rows page %}", language,
                           page=lists["permits"])
    assert new == old
    assert new.count("<tr") == len(lists["permits"]) == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_rows_is_the_templates_empty_row(db, language):
    for old, new in [(OLD_APPLICATIONS, "{% load permit_rows %}{% application_rows page %}"),
                     (OLD_PERMITS, "{% load permit_rows %}{% permit_rows page %}")]:
        before, after = render_both(old, new, language, page=[], rows=[])
        assert after == before
        assert 'class="muted"' in after


@pytest.mark.parametrize("route", ["permits:applications", "permits:permits"])
def test_list_pages_escape_the_values(client, world, lists, route):
    client.force_login(world.users[Role.CITY_ADMIN])
    html = client.get(reverse(route), {"status": ""}).content.decode()
    assert_escaped(html)


def test_application_page_shows_its_clock(client, world, lists):
    client.force_login(world.users[Role.CITY_ADMIN])
    application = Application.objects.get(status="submitted")
    html = client.get(reverse("permits:application", args=[application.pk])).content.decode()
    with translation.override("zh-hans"):
        expected = Template(OLD_CLOCK).render(Context({"clock": selectors.application_clock(
            application, timezone.localdate())}))
    assert 'data-testid="clock"' in expected and f"<p>{expected}</p>" in html


OLD_CAMPAIGN = """{% load i18n %}{% for row in page %}<tr><td data-label="{% translate 'Unit' %}"><a href="{% url 'permits:unit' row.unit.pk %}">{{ row.unit.name }}</a></td><td data-label="{% translate 'Unified social credit code' %}"><code>{{ row.unit.uscc }}</code></td><td data-label="{% translate 'County' %}">{{ row.unit.county.name }}</td><td data-label="{% translate 'Management class' %}"><span class="badge {{ row.filing_class }}">{{ row.class_label }}</span></td><td data-label="{% translate 'Due' %}">{{ row.due.date|date:"Y-m-d" }}</td><td data-label="{% translate 'Which deadline' %}">{% if row.due.early %}{% blocktranslate with code=row.due.industry %}early list ({{ code }}){% endblocktranslate %}{% else %}{% translate "all other units" %}{% endif %}</td>
<td data-label="{% translate 'State' %}">{% if row.covered %}{% translate "covered" %}{% elif row.past_due %}<span class="clock overdue">{% blocktranslate with n=row.days_left|stringformat:"d"|slice:"1:" %}past due by {{ n }} days{% endblocktranslate %}</span>{% else %}{% blocktranslate with n=row.days_left %}{{ n }} days left{% endblocktranslate %}{% endif %}</td></tr>
{% empty %}<tr><td colspan="7" class="muted">{% translate "No units." %}</td></tr>{% endfor %}"""  # noqa: E501 (the template as it was)


@pytest.mark.parametrize("language", LANGUAGES)
def test_campaign_rows_are_the_templates_rows(world, language):
    """Every branch of the campaign's state and deadline: covered, past due, days left, on the early list
    (a code to escape) or not; a unit named to be escaped; no rows."""
    hostile = UnitFactory.create(name=HOSTILE)
    due = selectors.Due
    rows = [
        {"unit": world.unit_a, "filing_class": "key", "class_label": "重点管理",
         "due": due(date(2020, 6, 30), True, "4411"), "covered": True, "past_due": False, "days_left": 30},
        {"unit": hostile, "filing_class": "simplified", "class_label": "简化管理",
         "due": due(date(2020, 6, 30), True, "<b>&"), "covered": False, "past_due": True, "days_left": -12},
        {"unit": world.unit_b, "filing_class": "registration", "class_label": "登记管理",
         "due": due(date(2020, 9, 30), False, ""), "covered": False, "past_due": False, "days_left": 0},
        {"unit": world.unit_b, "filing_class": "<x>", "class_label": HOSTILE,
         "due": due(None, False, ""), "covered": False, "past_due": False, "days_left": 1234},
    ]
    for page in (rows, []):
        old, new = render_both(OLD_CAMPAIGN, "{% load permit_rows %}{% campaign_rows page %}", language, page=page)
        assert new == old
    assert_escaped(render_both(OLD_CAMPAIGN, "{% load permit_rows %}{% campaign_rows page %}", language,
                               page=rows)[1])
