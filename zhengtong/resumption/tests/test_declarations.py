"""Resumption, step 1 (issue 19): declarations and their stages, the lead department's answer on its
working-day clock, corrections as new records, the rates by county and industry section with their
denominator, scopes and the pages."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.core.models import HolidayOverride
from zhengtong.resumption import selectors, services
from zhengtong.resumption.models import ExpectedUnit, ResumptionDeclaration, ResumptionStage
from zhengtong.tests_support.factories import UnitFactory, UserFactory
from zhengtong.tests_support.statemachines import docstring_tables

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 3)  # a Monday: the first working day after the extended Spring Festival


def declare(w, role=Role.ENTERPRISE_CLERK, unit=None, today=DAY, **data):
    data = {"planned_date": "2020-02-05", "workforce_total": "100", "workforce_returned": "60",
            "returned_from_outside": "20", "outside_isolated": "15", "temperature_checks": True, "masks": "on",
            **data}
    return services.declaration_file(user=w.users[role], unit=unit or w.unit_a, data=data, today=today)


def stage(w, today=DAY + timedelta(days=3), corrects=None, **data):
    data = {"stage": "construction", "reached_on": "2020-02-05", "capacity_pct": "30", **data}
    return services.stage_report(user=w.users[Role.ENTERPRISE_CLERK], unit=w.unit_a, data=data, corrects=corrects,
                                 today=today)


def lead_officer(w):
    return UserFactory.create(username="fgw-officer", role=Role.DEPARTMENT_OFFICER, department=w.department)


def fields(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def test_the_docstring_table_is_the_table_the_code_runs():
    assert docstring_tables(services.__doc__)[0] == services.DECLARATIONS.as_rows()


def test_a_clerk_declares_and_the_lead_department_answer_is_due_in_two_working_days(world):
    d = declare(world)
    assert (d.workforce_total, d.workforce_returned, d.masks, d.isolation_room) == (100, 60, True, False)
    assert d.lead_department == world.department  # the setting's "*": 市发改委
    assert d.answer_due == date(2020, 2, 5) and d.answer_confirmed


def test_the_answer_clock_skips_a_city_entered_holiday(world):
    HolidayOverride.objects.create(day=date(2020, 2, 4), kind="holiday", note="本市延长假期")
    assert declare(world).answer_due == date(2020, 2, 6)


@pytest.mark.parametrize(("data", "field"), [
    ({"workforce_returned": "101"}, "workforce_returned"),  # more returned than the total
    ({"returned_from_outside": "61"}, "returned_from_outside"),
    ({"outside_isolated": "21"}, "outside_isolated"),
    ({"workforce_total": "-1"}, "workforce_total"),
    ({"workforce_total": "十"}, "workforce_total"),
    ({"workforce_total": ""}, "workforce_total"),
    ({"planned_date": "2020-02-30"}, "planned_date"),
    ({"planned_date": ""}, "planned_date"),
])
def test_bad_declarations_name_their_field_and_save_nothing(world, data, field):
    with pytest.raises(DomainError) as e:
        declare(world, **data)
    assert field in fields(e)
    assert not ResumptionDeclaration.objects.exists()


def test_the_database_refuses_more_returned_than_the_total(world):
    d = declare(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResumptionDeclaration.objects.filter(pk=d.pk).update(workforce_returned=101)


def test_only_the_units_clerk_or_the_city_declares(world):
    for role in (Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.PERMIT_REVIEWER):
        with pytest.raises(PermissionDenied):
            declare(world, role=role)
    with pytest.raises(PermissionDenied):  # the clerk of unit a declares nothing for unit b
        declare(world, unit=world.unit_b)
    assert declare(world, role=Role.CITY_ADMIN).declared_by == world.users[Role.CITY_ADMIN]


def test_a_correction_is_a_new_declaration_with_its_reason_and_the_first_is_kept(world):
    first = declare(world)
    with pytest.raises(DomainError) as e:
        declare(world, workforce_total="120")
    assert "reason" in fields(e)
    second = declare(world, workforce_total="120", reason="漏报了外包工人", today=DAY + timedelta(days=1))
    first.refresh_from_db()
    assert (first.workforce_total, second.corrects, second.reason) == (100, first, "漏报了外包工人")
    assert services.current_declaration(world.unit_a) == second
    assert second.answer_due == date(2020, 2, 6)
    with pytest.raises(DomainError) as e:  # the lead department answers the correction, not the first
        services.declaration_answer(user=world.users[Role.CITY_ADMIN], declaration=first, action="acknowledge",
                                    answer="")
    assert e.value.status == 409


def test_the_lead_department_acknowledges_or_returns_with_a_reason(world):
    d = declare(world)
    officer = lead_officer(world)
    assert set(services.declaration_moves_allowed(user=officer, declaration=d)) == {"acknowledge", "return"}
    for role in (Role.DEPARTMENT_OFFICER, Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER):  # another department's
        assert services.declaration_moves_allowed(user=world.users[role], declaration=d) == {}
        with pytest.raises(PermissionDenied):
            services.declaration_answer(user=world.users[role], declaration=d, action="acknowledge", answer="")
    with pytest.raises(DomainError) as e:
        services.declaration_answer(user=officer, declaration=d, action="return", answer="")
    assert "answer" in fields(e)
    d = services.declaration_answer(user=officer, declaration=d, action="return", answer="缺隔离室",
                                    today=date(2020, 2, 4))
    assert (d.status, d.answer, d.answered_by) == ("returned", "缺隔离室", officer)
    with pytest.raises(DomainError) as e:
        services.declaration_answer(user=officer, declaration=d, action="acknowledge", answer="")
    assert e.value.status == 409


@pytest.mark.parametrize(("data", "field"), [
    ({"reached_on": "2020-02-02"}, "reached_on"),  # earlier than the declaration (2020-02-03)
    ({"reached_on": "2020-02-07"}, "reached_on"),  # after today
    ({"capacity_pct": "101"}, "capacity_pct"),
    ({"capacity_pct": "-5"}, "capacity_pct"),
    ({"capacity_pct": "50.5"}, "capacity_pct"),
    ({"capacity_pct": ""}, "capacity_pct"),
    ({"stage": "restarted"}, "stage"),
])
def test_bad_stages_name_their_field_and_save_nothing(world, data, field):
    declare(world)
    with pytest.raises(DomainError) as e:
        stage(world, today=DAY + timedelta(days=3), **data)
    assert field in fields(e)
    assert not ResumptionStage.objects.exists()


def test_the_error_of_a_stage_before_the_declaration_says_so(world):
    declare(world)
    with pytest.raises(DomainError) as e:
        stage(world, reached_on="2020-01-20")
    assert "2020-02-03" in e.value.errors["reached_on"][0]


def test_a_stage_needs_a_declaration(world):
    with pytest.raises(DomainError) as e:
        stage(world)
    assert "stage" in fields(e)


def test_the_database_refuses_a_capacity_over_100(world):
    declare(world)
    s = stage(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResumptionStage.objects.filter(pk=s.pk).update(capacity_pct=101)


def test_a_stage_is_corrected_by_a_new_record_with_its_reason(world):
    declare(world)
    wrong = stage(world, capacity_pct="80")
    with pytest.raises(DomainError) as e:
        stage(world, corrects=wrong, capacity_pct="30")
    assert "reason" in fields(e)
    right = stage(world, corrects=wrong, capacity_pct="30", reason="把人数比例当成了产能")
    wrong.refresh_from_db()
    assert wrong.capacity_pct == 80 and right.corrects == wrong
    assert selectors.unit_stages(unit=world.unit_a) == [right]
    with pytest.raises(DomainError):
        stage(world, corrects=wrong, capacity_pct="40", reason="再改")
    kinds = [(i.kind, i.struck) for i in selectors.unit_timeline(unit=world.unit_a)]
    assert kinds[0][0] == "复工申报"
    assert sum(1 for _, struck in kinds if struck) == 1


def test_rates_count_expected_units_by_county_and_section_with_the_denominator(world):
    UnitFactory.create(county_code=world.unit_a.county.code, name="衡南第二厂")  # expected, not declared
    UnitFactory.create(county_code=world.unit_a.county.code, name="衡南协会", kind="social_organisation")
    excluded = UnitFactory.create(county_code=world.unit_a.county.code, name="衡南停产厂")
    ExpectedUnit.objects.create(unit=excluded, expected=False, reason="已停产")
    declare(world)
    stage(world, stage="fully", capacity_pct="100")
    admin = world.users[Role.CITY_ADMIN]
    rows, total = selectors.rates_by_county(user=admin, today=DAY + timedelta(days=3))
    hengnan = next(r for r in rows if r.key == world.unit_a.county_id)
    assert (hengnan.expected, hengnan.declared, hengnan.resumed, hengnan.fully) == (2, 1, 1, 1)
    assert hengnan.resumed_pct == "50.0%" and hengnan.trend[-1] == 1 and hengnan.trend[0] == 0
    assert total.expected == 3  # unit b in 衡阳县 too
    sections = selectors.rates_by_section(user=admin, today=DAY + timedelta(days=3))
    assert [(r.key, r.expected, r.resumed) for r in sections] == [("C", 3, 1)]
    county_rows, _ = selectors.rates_by_county(user=world.users[Role.COUNTY_OFFICER], today=DAY)
    assert [r.key for r in county_rows] == [world.unit_a.county_id]


def test_who_has_not_declared_and_who_is_behind_plan(world):
    declare(world)  # planned 2020-02-05
    officer = world.users[Role.COUNTY_OFFICER]
    later = DAY + timedelta(days=5)
    assert list(selectors.units_overview(user=officer, today=later, show="behind")) == [world.unit_a]
    assert list(selectors.units_overview(user=officer, today=DAY, show="behind")) == []
    stage(world, today=later)
    assert list(selectors.units_overview(user=officer, today=later, show="behind")) == []
    admin = world.users[Role.CITY_ADMIN]
    assert list(selectors.units_overview(user=admin, today=later, show="undeclared")) == [world.unit_b]


def test_scopes_of_the_pages(world):
    declare(world, today=date.today())
    officer = lead_officer(world)
    unit_url = reverse("resumption:unit", args=[world.unit_a.pk])
    expectations = {  # role: (overview status or redirect, unit page)
        Role.CITY_ADMIN: (200, 200), Role.COUNTY_OFFICER: (200, 200), Role.ENTERPRISE_CLERK: (302, 200),
        Role.GATEKEEPER: (404, 404), Role.SITE_MANAGER: (404, 404), Role.PERMIT_REVIEWER: (404, 404),
        Role.DEPARTMENT_OFFICER: (302, 404),  # another department: only the declarations filed with it
    }
    for role, (overview, page) in expectations.items():
        client = Client()
        client.force_login(world.users[role])
        assert client.get(reverse("resumption:overview")).status_code == overview, role
        assert client.get(unit_url).status_code == page, role
    client = Client()
    client.force_login(officer)
    assert client.get(unit_url).status_code == 200
    body = client.get(reverse("resumption:declaration_list")).content.decode()
    assert world.unit_a.name in body
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    assert client.get(reverse("resumption:unit", args=[world.unit_b.pk])).status_code == 404
    # a unit that has not declared: the city and its county open its page (the units list links it)
    assert not ResumptionDeclaration.objects.filter(unit=world.unit_b).exists()
    for role, status in ((Role.CITY_ADMIN, 200), (Role.COUNTY_OFFICER, 404)):
        client.force_login(world.users[role])
        assert client.get(reverse("resumption:unit", args=[world.unit_b.pk])).status_code == status, role
    county_b = UserFactory.create(role=Role.COUNTY_OFFICER, region=world.unit_b.county)
    client.force_login(county_b)
    assert client.get(reverse("resumption:unit", args=[world.unit_b.pk])).status_code == 200


def test_the_pages_show_a_field_error_and_the_overview_the_denominator(world):
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("resumption:declare", args=[world.unit_a.pk])
    response = client.post(url, {"planned_date": "2020-02-05", "workforce_total": "10", "workforce_returned": "11",
                                 "returned_from_outside": "0", "outside_isolated": "0"})
    assert response.status_code == 400
    assert "返岗人数（11）多于职工总数（10）" in response.content.decode()
    assert not ResumptionDeclaration.objects.exists()
    response = client.post(url, {"planned_date": "2020-02-05", "workforce_total": "10", "workforce_returned": "8",
                                 "returned_from_outside": "0", "outside_isolated": "0", "masks": "on"})
    assert response.status_code == 302
    client.force_login(world.users[Role.COUNTY_OFFICER])
    body = client.get(reverse("resumption:overview")).content.decode()
    assert "应申报" in body and world.unit_a.county.name in body


# Corrections through the page: the hidden field names the declaration corrected -------------------

FORM = {"planned_date": "2020-02-06", "workforce_total": "120", "workforce_returned": "90",
        "returned_from_outside": "10", "outside_isolated": "10", "masks": "on"}
KEPT = ("planned_date", "workforce_total", "workforce_returned", "returned_from_outside", "outside_isolated",
        "masks", "temperature_checks", "status", "reason", "corrects_id", "declared_on")


def kept(d):
    d.refresh_from_db()
    return tuple(getattr(d, f) for f in KEPT)


def test_the_correction_page_names_the_declaration_in_force_and_a_correction_keeps_it(world):
    first = declare(world)
    before = kept(first)
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("resumption:declare", args=[world.unit_a.pk])
    body = client.get(url).content.decode()
    assert f'<input type="hidden" name="corrects" value="{first.pk}">' in body
    assert 'data-testid="corrected-declaration"' in body and "100" in body  # what is corrected, shown
    assert 'name="planned_date" value="2020-02-05"' in body  # prefilled as <input type=date> reads it (ISO)
    assert "提交更正" in body
    response = client.post(url, {**FORM, "corrects": str(first.pk)})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = client.post(url, {**FORM, "corrects": str(first.pk), "reason": "漏报了外包工人"})
    assert response.status_code == 302
    second = ResumptionDeclaration.objects.get(corrects=first)
    assert (second.workforce_total, second.reason, second.unit) == (120, "漏报了外包工人", world.unit_a)
    assert kept(first) == before  # the original stays as it was filed
    assert services.current_declaration(world.unit_a) == second


def test_a_first_declarations_page_carries_no_hidden_correction(world):
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    body = client.get(reverse("resumption:declare", args=[world.unit_a.pk])).content.decode()
    assert 'name="corrects"' not in body and 'name="reason"' not in body


def test_another_units_declaration_cannot_be_corrected_by_editing_the_hidden_value(world):
    mine = declare(world)
    theirs = declare(world, role=Role.CITY_ADMIN, unit=world.unit_b)
    before = kept(theirs), kept(mine)
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    for url in (reverse("resumption:declare", args=[world.unit_a.pk]),
                reverse("resumption:declare", args=[world.unit_b.pk])):
        response = client.post(url, {**FORM, "corrects": str(theirs.pk), "reason": "改别人的"})
        assert response.status_code == 404
    for raw in ("999999", "abc", "-1"):
        response = client.post(reverse("resumption:declare", args=[world.unit_a.pk]),
                               {**FORM, "corrects": raw, "reason": "x"})
        assert response.status_code == 404, raw
    assert ResumptionDeclaration.objects.count() == 2
    assert (kept(theirs), kept(mine)) == before
    with pytest.raises(PermissionDenied):  # nor through the service, whoever calls it
        services.declaration_file(user=world.users[Role.CITY_ADMIN], unit=world.unit_a, corrects=theirs,
                                  data={**FORM, "reason": "x"}, today=DAY)


def test_a_page_shown_before_another_correction_is_refused_and_shows_the_one_in_force(world):
    first = declare(world)
    second = declare(world, workforce_total="110", reason="第一次更正")
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("resumption:declare", args=[world.unit_a.pk])
    response = client.post(url, {**FORM, "corrects": str(first.pk), "reason": "第二次更正"})
    assert response.status_code == 409
    body = response.content.decode()
    assert f'<input type="hidden" name="corrects" value="{second.pk}">' in body
    assert ResumptionDeclaration.objects.count() == 2
    # a first declaration's page sent after the unit declared: refused likewise, never a silent correction
    response = client.post(url, {**FORM, "reason": "x"})
    assert response.status_code == 409 and ResumptionDeclaration.objects.count() == 2
    assert response.context["form"].non_field_errors()


def test_a_stage_of_another_unit_cannot_be_corrected_by_editing_the_hidden_value(world, time_machine):
    time_machine.move_to("2020-02-08 10:00+08:00", tick=False)
    declare(world)
    mine = stage(world)
    declare(world, role=Role.CITY_ADMIN, unit=world.unit_b)
    theirs = services.stage_report(user=world.users[Role.CITY_ADMIN], unit=world.unit_b, today=DAY + timedelta(days=3),
                                   data={"stage": "construction", "reached_on": "2020-02-05", "capacity_pct": "30"})
    client = Client()
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("resumption:stage_new", args=[world.unit_a.pk]) + f"?corrects={mine.pk}"
    body = client.get(url).content.decode()
    assert f'name="corrects" value="{mine.pk}"' in body and 'name="reached_on" value="2020-02-05"' in body
    data = {"stage": "construction", "reached_on": "2020-02-05", "capacity_pct": "40", "reason": "改"}
    assert client.post(url, {**data, "corrects": str(theirs.pk)}).status_code == 404  # the form's value counts
    assert ResumptionStage.objects.count() == 2
    assert client.post(url, {**data, "corrects": str(mine.pk)}).status_code == 302
    assert ResumptionStage.objects.get(corrects=mine).capacity_pct == 40
    mine.refresh_from_db()
    assert mine.capacity_pct == 30


def test_rates_read_the_stages_in_force_and_their_days(world):
    """The rates' one statement (a unit's first stage day and first full-stage day, in force) against a
    corrected stage: a full stage corrected to a partial one on a later day counts as that."""
    declare(world)
    wrong = stage(world, stage="fully", capacity_pct="100", reached_on="2020-02-05")
    stage(world, corrects=wrong, stage="partly", capacity_pct="60", reached_on="2020-02-07", reason="记错了阶段和日期",
          today=date(2020, 2, 7))
    admin = world.users[Role.CITY_ADMIN]

    def hengnan(today):
        rows, _total = selectors.rates_by_county(user=admin, today=today)
        r = next(r for r in rows if r.key == world.unit_a.county_id)
        return r.declared, r.resumed, r.fully

    assert hengnan(date(2020, 2, 6)) == (1, 0, 0)  # the corrected stage of the 5th is not in force
    assert hengnan(date(2020, 2, 7)) == (1, 1, 0)
    later = date(2020, 2, 7) + timedelta(days=14)  # the trend: resumed as of each of the last weeks
    rows, _total = selectors.rates_by_county(user=admin, today=later)
    r = next(r for r in rows if r.key == world.unit_a.county_id)
    assert r.trend == (0, 0, 1, 1, 1)
    assert selectors.trend_days(later)[2] == date(2020, 2, 7)
