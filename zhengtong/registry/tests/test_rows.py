"""The registry's list rows (registry_rows) write what the templates' loops wrote (issue 16 §8): the same
markup for the same rows in both languages, the values escaped, a registration time as its day in the
city's time zone."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.registry import selectors
from zhengtong.registry.models import Person, SitePerson, Unit
from zhengtong.tests_support.factories import DepartmentFactory, PersonFactory, SiteFactory, UnitFactory
from zhengtong.tests_support.rows import HOSTILE, assert_escaped, render_both

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]

# The templates' loops before the row tags, as they were.
OLD = {
    "unit": """{% load i18n %}{% for unit in page %}
    <tr><td data-label="{% translate 'Name' %}"><a href="{% url 'registry:unit_detail' unit.pk %}">{{ unit.name }}</a></td><td data-label="{% translate 'Unified social credit code' %}"><code>{{ unit.uscc }}</code></td><td data-label="{% translate 'County' %}">{{ unit.county.name }}</td><td data-label="{% translate 'Industry' %}">{{ unit.industry }}</td><td data-label="{% translate 'Status' %}"><span class="badge {{ unit.status }}">{{ unit.get_status_display }}</span></td></tr>
  {% empty %}<tr><td colspan="5" class="muted">{% translate "No units match." %}</td></tr>{% endfor %}""",  # noqa: E501 (the templates as they were)
    "site": """{% load i18n %}{% for site in page %}
    <tr><td data-label="{% translate 'Name' %}"><a href="{% url 'registry:site_detail' site.pk %}">{{ site.name }}</a></td><td data-label="{% translate 'Unit' %}">{{ site.unit.name }}</td><td data-label="{% translate 'Kind' %}">{{ site.get_kind_display }}</td><td data-label="{% translate 'County' %}">{{ site.county.name }}</td><td class="num" data-label="{% translate 'Capacity' %}">{{ site.capacity|default:"—" }}</td><td data-label="{% translate 'Address' %}">{{ site.address|default:"—" }}</td></tr>
  {% empty %}<tr><td colspan="6" class="muted">{% translate "No sites match." %}</td></tr>{% endfor %}""",  # noqa: E501 (the templates as they were)
    "person": """{% load i18n %}{% for person in page %}
    <tr{% if person.is_former %} class="former" data-former="1"{% endif %}><td data-label="{% translate 'Name' %}"><a href="{% url 'registry:person_detail' person.pk %}">{{ person.name }}</a>{% if person.is_former %} <span class="badge closed" data-testid="former">{% if person.left_on %}{% blocktranslate with until=person.left_on|date:"Y-m-d" %}Former, until {{ until }}{% endblocktranslate %}{% else %}{% translate "Former" %}{% endif %}</span>{% endif %}</td><td data-label="{% translate 'ID number' %}">{% if person.unverified %}<span class="badge closed" data-testid="unverified">{% translate "Unverified: no ID number" %}</span>{% else %}<code>{{ person.id_number_masked }}</code>{% endif %}</td><td data-label="{% translate 'Phone' %}">{{ person.phone|default:"—" }}</td><td data-label="{% translate 'Registered' %}">{{ person.created_at|date:"Y-m-d" }}</td></tr>
  {% empty %}<tr><td colspan="4" class="muted">{% translate "No people match." %}</td></tr>{% endfor %}""",  # noqa: E501 (the templates as they were)
    "department": """{% load i18n %}{% for d in page %}<tr><td data-label="{% translate 'Name' %}"><a href="{% url 'registry:department_detail' d.pk %}">{{ d.name }}</a></td><td data-label="{% translate 'Code' %}"><code>{{ d.code }}</code></td><td data-label="{% translate 'Kind' %}">{{ d.get_kind_display }}</td><td data-label="{% translate 'Region' %}">{{ d.region.name }}</td></tr>
  {% empty %}<tr><td colspan="4" class="muted">{% translate "No departments match." %}</td></tr>{% endfor %}""",  # noqa: E501 (the templates as they were)
}
NEW = {kind: f"{{% load registry_rows %}}{{% {kind}_rows page %}}" for kind in OLD}


@pytest.fixture
def rows(world):
    """Rows with what each cell can hold: a name to escape, empty values, a former person with and without
    an end day, one registered without an ID number, one registered late in the evening UTC (the next
    day in the city)."""
    user = world.users[Role.CITY_ADMIN]
    unit = UnitFactory.create(name=HOSTILE, status=Unit.Status.SUSPENDED)
    SiteFactory.create(unit=unit, name=HOSTILE, capacity=0, address="<b>&</b>")
    SiteFactory.create(unit=unit, name="三号车间", capacity=12, kind="prison")
    DepartmentFactory.create(name=HOSTILE, code="a&b", kind="county_department", region=unit.county)
    late = PersonFactory.create(site=world.site_a, name=HOSTILE, phone="<1>")
    Person.objects.filter(pk=late.pk).update(created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    PersonFactory.create(name="无证人员", unverified=True, id_number_hash=None, id_number_masked="")
    former = PersonFactory.create(site=world.site_a, name="离开者")
    SitePerson.objects.filter(person=former).update(until=date(2026, 1, 31))
    people = list(selectors.person_list(user=user, filters={"former": "all"}))
    people[0].is_former, people[0].left_on = True, None  # former with no end day: the template's other branch
    return {
        "unit": list(selectors.unit_list(user=user)),
        "site": list(selectors.site_list(user=user)),
        "person": people,
        "department": list(selectors.department_list(user=user)),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(OLD))
def test_rows_are_the_templates_rows(rows, kind, language):
    old, new = render_both(OLD[kind], NEW[kind], language, page=rows[kind])
    assert new == old
    assert new.count("<tr") == len(rows[kind]) >= 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(OLD))
def test_no_rows_is_the_templates_empty_row(db, kind, language):
    old, new = render_both(OLD[kind], NEW[kind], language, page=[])
    assert new == old
    assert 'class="muted"' in new


def test_person_rows_show_former_unverified_and_the_citys_day(rows):
    people = {p.name: p for p in rows["person"]}
    assert people["离开者"].is_former and people["无证人员"].unverified
    _, new = render_both(OLD["person"], NEW["person"], "en", page=rows["person"])
    assert "Former, until 2026-01-31" in new
    assert '<span class="badge closed" data-testid="former">Former</span>' in new
    assert 'data-testid="unverified"' in new
    assert "2026-03-02" in new  # 17:30 UTC is 01:30 the next day in Asia/Shanghai


@pytest.mark.parametrize("route", ["registry:unit_list", "registry:site_list", "registry:person_list",
                                   "registry:department_list"])
def test_list_pages_escape_the_values(client, world, rows, route):
    client.force_login(world.users[Role.CITY_ADMIN])
    html = client.get(reverse(route), {"former": "all"}).content.decode()
    assert_escaped(html)
