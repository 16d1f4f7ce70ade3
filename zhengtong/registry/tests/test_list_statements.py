"""The registry's lists write part of their SQL once (issue 16 §8): the people list's scope filter and
its former-people annotations per scope and kinds of filter (selectors.person_list), whether the user
may register people (may_register_people) and the counties of the filter forms (county_names). What
they answer must be what the ORM answers for each user, filter, site and day."""

from datetime import date

import pytest
from django.db.models import OuterRef, Q

from zhengtong.accounts import scopes
from zhengtong.accounts.models import Role
from zhengtong.registry import selectors
from zhengtong.registry.forms import SiteFilterForm, UnitFilterForm
from zhengtong.registry.models import Person, Region, SitePerson
from zhengtong.tests_support.factories import PersonFactory, SiteFactory, SitePersonFactory

pytestmark = pytest.mark.django_db


def orm_person_list(user, filters: dict, day: date):
    """person_list as the ORM wrote all of it before its SQL was kept (the reference)."""
    qs = Person.objects.filter(scopes.people_q(user))
    if filters.get("q"):
        qs = qs.filter(selectors.person_search_q(filters["q"]))
    relations = SitePerson.objects.filter(scopes.people_relations_q(user), person=OuterRef("pk"))
    if filters.get("site"):
        qs = qs.filter(pk__in=SitePerson.objects.filter(site_id=filters["site"]).values("person_id"))
        relations = relations.filter(site_id=filters["site"])
    if filters.get("relation"):
        qs = qs.filter(pk__in=SitePerson.objects.filter(relation=filters["relation"]).values("person_id"))
        relations = relations.filter(relation=filters["relation"])
    qs = selectors.with_former(qs, relations, day)
    if filters.get("former") == "only":
        qs = qs.filter(Q(is_former=True))
    elif filters.get("former") != "all":
        qs = qs.exclude(Q(is_former=True))
    return qs.order_by("name", "id")


@pytest.fixture
def relations(world):
    """People whose relations end on different days, at both sites, as workers and visitors."""
    other = SiteFactory.create(unit=world.unit_a, name="三号车间")
    ended = PersonFactory.create(name="王离", site=None)
    SitePersonFactory.create(person=ended, site=world.site_a, since=date(2020, 1, 1), until=date(2020, 3, 1))
    SitePersonFactory.create(person=ended, site=other, since=date(2020, 1, 1), until=date(2020, 5, 1),
                             relation="visitor")
    SitePersonFactory.create(person=world.person_b, site=other, since=date(2020, 1, 1), until=date(2020, 4, 1))
    PersonFactory.create(name="赵访", site=other, relation="visitor")
    return other


SHAPES = [{}, {"former": "all"}, {"former": "only"}, {"relation": "visitor", "former": "all"},
          {"relation": "worker", "former": "only"}, {"q": "王"}, {"site": "SITE_A", "former": "all"},
          {"site": "OTHER", "former": "only"}, {"site": "OTHER", "relation": "visitor", "former": "all"}]


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.SITE_MANAGER, Role.ENTERPRISE_CLERK,
                                  Role.DEPARTMENT_OFFICER])
def test_the_people_list_answers_as_the_orm_for_each_scope_filter_site_and_day(world, relations, role,
                                                                                   time_machine):
    user = world.users[role]
    sites = {"SITE_A": str(world.site_a.pk), "OTHER": str(relations.pk)}
    for day in (date(2020, 2, 1), date(2020, 3, 15), date(2020, 4, 15), date(2020, 6, 1)):
        time_machine.move_to(f"{day.isoformat()} 12:00+08:00", tick=False)
        for shape in SHAPES:
            filters = {k: sites.get(v, v) for k, v in shape.items()}
            kept = list(selectors.person_list(user=user, filters=filters).values_list("pk", "is_former", "left_on"))
            orm = list(orm_person_list(user, filters, day).values_list("pk", "is_former", "left_on"))
            assert kept == orm, (role, day, shape)


def test_the_kept_sql_changes_with_the_day_the_site_and_the_relation(world, relations, time_machine):
    """The same kept statement, given other values, answers otherwise: the values are not written in."""
    user = world.users[Role.CITY_ADMIN]
    former = {"former": "only"}
    time_machine.move_to("2020-02-01 12:00+08:00", tick=False)
    assert "王离" not in [p.name for p in selectors.person_list(user=user, filters=former)]
    time_machine.move_to("2020-06-01 12:00+08:00", tick=False)
    assert "王离" in [p.name for p in selectors.person_list(user=user, filters=former)]
    by_site = {s.pk: [p.name for p in selectors.person_list(user=user, filters={"site": s.pk, "former": "all"})]
               for s in (world.site_a, relations)}
    assert "张三" in by_site[world.site_a.pk] and "张三" not in by_site[relations.pk]
    assert "赵访" in by_site[relations.pk] and "赵访" not in by_site[world.site_a.pk]
    visitors = [p.name for p in selectors.person_list(user=user, filters={"relation": "visitor", "former": "all"})]
    workers = [p.name for p in selectors.person_list(user=user, filters={"relation": "worker", "former": "all"})]
    assert "赵访" in visitors and "赵访" not in workers and "张三" in workers and "张三" not in visitors


def test_the_kept_sql_is_one_per_scope_and_kind_of_filter(world):
    selectors._PEOPLE_SQL.clear()
    manager = world.users[Role.SITE_MANAGER]
    for filters in ({}, {"q": "张"}, {"q": "李", "former": "all"}, {"former": "only"}):
        list(selectors.person_list(user=manager, filters=filters))
    assert len(selectors._PEOPLE_SQL) == 1
    list(selectors.person_list(user=manager, filters={"site": world.site_a.pk}))
    list(selectors.person_list(user=manager, filters={"relation": "worker"}))
    list(selectors.person_list(user=world.users[Role.COUNTY_OFFICER]))
    assert len(selectors._PEOPLE_SQL) == 4


def test_a_scope_without_people_lists_nobody_without_a_statement(world, django_assert_num_queries):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    scopes.scope_key(reviewer)  # the user's scope is read once a request
    with django_assert_num_queries(0):
        people = selectors.person_list(user=reviewer, filters={"former": "all"})
        assert list(people.values_list("pk", "is_former", "left_on")) == []


def test_who_may_register_people(world):
    assert selectors.may_register_people(user=world.users[Role.SITE_MANAGER])
    assert selectors.may_register_people(user=world.users[Role.CITY_ADMIN])
    assert not selectors.may_register_people(user=world.users[Role.DEPARTMENT_OFFICER])
    assert not selectors.may_register_people(user=world.users["none"])


def test_a_county_added_is_a_choice_of_the_filter_forms_at_once(world):
    city = Region.objects.get(code=selectors.CITY_CODE)
    before = selectors.county_names()
    assert before == list(selectors.county_choices().values_list("code", "name"))
    Region.objects.create(code="430499", name="新区", level=Region.Level.DISTRICT, parent=city)
    assert ("430499", "新区") in selectors.county_names()
    for form in (UnitFilterForm(), SiteFilterForm()):
        assert ("430499", "新区 (430499)") in form.fields["county"].choices
