"""Difficulties, step 2 (issue 19): reporting, routing by the city's table, reassignment by the county,
the department's clocks in working days (across the 2020 May Day holiday, the Spring Festival the State
Council extended to 2 February, a city-entered holiday, and a year the library does not know), the
thread, confirming, reopening and rating, the state table and the scopes."""

import logging
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.core.models import HolidayOverride
from zhengtong.resumption import selectors, services
from zhengtong.resumption.models import Difficulty, DifficultyEvent, DifficultyRoute
from zhengtong.tests_support.factories import DepartmentFactory, UserFactory
from zhengtong.tests_support.statemachines import docstring_tables

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 10)  # a Monday


def report(w, today=DAY, **data):
    data = {"category": "raw_materials", "title": "缺少钢材", "details": "上游钢厂未复工，库存只够三天。", **data}
    return services.difficulty_report(user=w.users[Role.ENTERPRISE_CLERK], unit=w.unit_a, data=data, today=today)


def officer(w, department=None):
    return UserFactory.create(role=Role.DEPARTMENT_OFFICER, department=department or w.department)


def move(user, d, action, today=DAY, **data):
    return services.difficulty_move(user=user, difficulty=d, action=action, data=data, today=today)


def test_the_docstring_tables_are_the_tables_the_code_runs():
    assert docstring_tables(services.__doc__) == [services.DECLARATIONS.as_rows(), services.DIFFICULTIES.as_rows()]


def test_a_difficulty_is_routed_by_the_citys_table_else_to_the_lead_department(world):
    assert report(world).department == world.department  # no route: the lead department (setting "*": fgw)
    other = DepartmentFactory.create(code="sjj", name="市审计局", kind="city_department",
                                     region=world.department.region)
    DifficultyRoute.objects.create(category="funds", department=other)
    d = report(world, category="funds")
    assert d.department == other
    first = d.events.get()
    assert (first.kind, first.to_status, first.department) == ("report", "reported", other)


@pytest.mark.parametrize(("data", "field"), [
    ({"category": "weather"}, "category"), ({"title": ""}, "title"), ({"details": "  "}, "details"),
    ({"title": "x" * 101}, "title"), ({"details": "a\x00b"}, "details"),
])
def test_bad_reports_name_their_field_and_save_nothing(world, data, field):
    with pytest.raises(DomainError) as e:
        report(world, **data)
    assert field in e.value.errors
    assert not Difficulty.objects.exists()


def test_only_the_units_clerk_reports(world):
    for role in (Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER):
        with pytest.raises(PermissionDenied):
            services.difficulty_report(user=world.users[role], unit=world.unit_a,
                                       data={"category": "other", "title": "t", "details": "d"})


def test_due_dates_across_the_may_day_holiday_of_2020(world):
    # 30 April 2020; 1–5 May were holidays and Saturday 9 May a make-up working day (chinesecalendar):
    # the 5th working day after is Monday 11 May
    with override_settings(DIFFICULTY_RESOLVE_DAYS={"*": 5}):
        d = report(world, today=date(2020, 4, 30))
    assert (d.accept_due, d.resolve_due, d.due_confirmed) == (date(2020, 5, 7), date(2020, 5, 11), True)


def test_due_dates_in_the_spring_festival_the_state_council_extended_to_2_february(world):
    # reported on 28 January 2020: the holiday ran to Sunday 2 February (the State Council's extension;
    # Saturday 1 February was no longer a make-up working day), so the clocks start on Monday 3 February
    d = report(world, today=date(2020, 1, 28))
    assert (d.accept_due, d.resolve_due) == (date(2020, 2, 4), date(2020, 2, 7))


def test_due_dates_across_a_city_entered_holiday(world):
    for day in range(3, 8):  # the city extended its own holiday by the week of 3–7 February
        HolidayOverride.objects.create(day=date(2020, 2, day), kind="holiday", note="本市延迟复工")
    d = report(world, today=date(2020, 1, 28))
    assert (d.accept_due, d.resolve_due) == (date(2020, 2, 11), date(2020, 2, 14))


def test_resolution_days_are_per_category(world):
    with override_settings(DIFFICULTY_RESOLVE_DAYS={"funds": 10, "*": 5}):
        assert report(world, category="funds").resolve_due == date(2020, 2, 24)
        assert report(world, category="logistics").resolve_due == date(2020, 2, 17)


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday_and_says_so(world, caplog):
    with caplog.at_level(logging.WARNING, logger="zhengtong.resumption.clocks"):
        d = report(world, today=date(2027, 1, 28))
    assert (d.accept_due, d.due_confirmed) == (date(2027, 2, 1), False)
    assert "not confirmed" in caplog.text
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    assert "节假日日历未确认" in client.get(reverse("resumption:difficulty", args=[d.pk])).content.decode()


def test_the_whole_path_accept_reply_resolve_reopen_resolve_confirm_with_a_rating(world):
    d = report(world)
    dept, clerk = officer(world), world.users[Role.ENTERPRISE_CLERK]
    assert set(services.difficulty_moves_allowed(user=dept, difficulty=d)) == {"accept", "reply"}
    assert set(services.difficulty_moves_allowed(user=clerk, difficulty=d)) == {"reply"}
    d = move(dept, d, "accept")
    d = move(dept, d, "reply", text="已联系钢厂")
    d = move(clerk, d, "reply", text="谢谢")
    with pytest.raises(DomainError) as e:
        move(dept, d, "resolve")
    assert "text" in e.value.errors
    d = move(dept, d, "resolve", text="钢厂已复工供货", today=date(2020, 2, 12))
    assert set(services.difficulty_moves_allowed(user=clerk, difficulty=d)) == {"reply", "confirm", "reopen"}
    d = move(clerk, d, "reopen", text="只到了一半", today=date(2020, 2, 13))
    assert (d.status, d.resolve_due) == ("reopened", date(2020, 2, 20))
    d = move(dept, d, "resolve", text="剩余部分已送达", today=date(2020, 2, 14))
    with pytest.raises(DomainError) as e:
        move(clerk, d, "confirm", rating="6")
    assert "rating" in e.value.errors
    with pytest.raises(DomainError) as e:
        move(clerk, d, "confirm")
    assert "rating" in e.value.errors
    d = move(clerk, d, "confirm", rating="4", today=date(2020, 2, 15))
    assert (d.status, d.rating, d.closed_on) == ("closed", 4, date(2020, 2, 15))
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds == ["report", "accept", "reply", "reply", "resolve", "reopen", "resolve", "confirm"]


def test_a_reply_to_a_closed_difficulty_is_refused(world):
    d = report(world)
    dept, clerk = officer(world), world.users[Role.ENTERPRISE_CLERK]
    for action, user, data in (("accept", dept, {}), ("resolve", dept, {"text": "已解决"}),
                               ("confirm", clerk, {"rating": "5"})):
        d = move(user, d, action, **data)
    for user in (dept, clerk, world.users[Role.CITY_ADMIN]):
        with pytest.raises(DomainError) as e:
            move(user, d, "reply", text="再补充一句")
        assert e.value.status == 409 and "status" in e.value.errors
    assert d.events.count() == 4


def test_the_county_officer_reassigns_to_a_department_that_exists(world):
    d = report(world)
    county = world.users[Role.COUNTY_OFFICER]
    other = DepartmentFactory.create(code="gxj", name="市工信局", kind="city_department",
                                     region=world.department.region)
    for bad in ("99999999", "abc", "", str(world.department.pk)):  # missing, nonsense, none, the same one
        with pytest.raises(DomainError) as e:
            move(county, d, "reassign", department=bad)
        assert "department" in e.value.errors
    inactive = DepartmentFactory.create(code="old", name="已撤销局", kind="city_department",
                                        region=world.department.region, is_active=False)
    with pytest.raises(DomainError):
        move(county, d, "reassign", department=str(inactive.pk))
    d = move(county, d, "reassign", department=str(other.pk), text="属工信局职责", today=date(2020, 2, 12))
    assert (d.department, d.status, d.accept_due, d.resolve_due) == (other, "reported", date(2020, 2, 14),
                                                                     date(2020, 2, 19))
    assert d.events.last().department == other
    with pytest.raises(PermissionDenied):  # the first department no longer acts on it
        move(officer(world), d, "accept")
    with pytest.raises(PermissionDenied):  # only the county (or the city) reassigns
        move(world.users[Role.ENTERPRISE_CLERK], d, "reassign", department=str(world.department.pk))


def test_overdue_difficulties_are_found_for_the_county_and_the_city(world):
    d = report(world)  # accept due 12 Feb
    county = world.users[Role.COUNTY_OFFICER]
    assert list(selectors.difficulty_list(user=county, today=date(2020, 2, 12), status="overdue")) == []
    assert list(selectors.difficulty_list(user=county, today=date(2020, 2, 13), status="overdue")) == [d]
    assert selectors.difficulty_clock(d, date(2020, 2, 13))["overdue"]


def test_who_sees_which_difficulties(world):
    d = report(world)
    mine = officer(world)
    elsewhere = officer(world, DepartmentFactory.create(code="tjj", name="市统计局", kind="city_department",
                                                        region=world.department.region))
    sees = {role: d in selectors.difficulty_list(user=world.users[role], today=DAY) for role in world.users}
    assert sees == {Role.CITY_ADMIN: True, Role.COUNTY_OFFICER: True, Role.ENTERPRISE_CLERK: True,
                    Role.DEPARTMENT_OFFICER: False, Role.SITE_MANAGER: False, Role.GATEKEEPER: False,
                    Role.PERMIT_REVIEWER: False, "none": False}
    assert d in selectors.difficulty_list(user=mine, today=DAY)
    assert d not in selectors.difficulty_list(user=elsewhere, today=DAY)
    url = reverse("resumption:difficulty", args=[d.pk])
    for user, code in ((mine, 200), (elsewhere, 404), (world.users[Role.GATEKEEPER], 404)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == code


def test_the_pages_report_and_move_a_difficulty(world):
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    response = client.post(reverse("resumption:difficulty_new"), {"unit": world.unit_a.pk, "category": "funds",
                                                                  "title": "", "details": "贷款到期"})
    assert response.status_code == 400 and not Difficulty.objects.exists()
    response = client.post(reverse("resumption:difficulty_new"), {"unit": world.unit_b.pk, "category": "funds",
                                                                  "title": "x", "details": "y"})
    assert response.status_code == 400 and not Difficulty.objects.exists()  # not the clerk's unit
    response = client.post(reverse("resumption:difficulty_new"), {"unit": world.unit_a.pk, "category": "funds",
                                                                  "title": "流动资金紧张", "details": "贷款到期"})
    d = Difficulty.objects.get()
    assert response.status_code == 302 and d.unit == world.unit_a
    dept = officer(world)
    client.force_login(dept)
    assert client.post(reverse("resumption:difficulty_move", args=[d.pk, "accept"]), {"text": ""}).status_code == 302
    body = client.post(reverse("resumption:difficulty_move", args=[d.pk, "resolve"]), {"text": ""})
    assert body.status_code == 400 and "请写明如何解决的" in body.content.decode()
    client.force_login(world.users[Role.COUNTY_OFFICER])
    response = client.post(reverse("resumption:difficulty_move", args=[d.pk, "reassign"]), {"department": "424242"})
    assert response.status_code == 400 and "请选择一个存在的部门" in response.content.decode()
    assert DifficultyEvent.objects.filter(difficulty=d).count() == 2
