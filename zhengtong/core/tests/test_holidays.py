"""The city's holiday calendar: edited in the admin (core's table since issue 14; the rows stay in
the table the permits app made), read by every clock."""

from datetime import date

import pytest
from django.urls import reverse

from zhengtong.core.holidays import city_calendar
from zhengtong.core.models import HolidayOverride

pytestmark = pytest.mark.django_db


def test_the_holiday_calendar_is_edited_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:core_holidayoverride_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_holidayoverride_add")).status_code == 200


def test_the_table_is_the_one_the_permits_app_made():
    assert HolidayOverride._meta.db_table == "permits_holidayoverride"
    assert HolidayOverride.history.model._meta.db_table == "permits_historicalholidayoverride"


def test_city_entries_count_in_the_city_calendar():
    HolidayOverride.objects.create(day=date(2027, 2, 8), kind=HolidayOverride.Kind.HOLIDAY, note="春节")
    HolidayOverride.objects.create(day=date(2027, 2, 13), kind=HolidayOverride.Kind.WORKDAY, note="调休")
    calendar = city_calendar()
    assert not calendar.is_workday(date(2027, 2, 8))  # a Monday the city made a holiday
    assert calendar.is_workday(date(2027, 2, 13))  # a Saturday made a working day
    assert calendar.is_confirmed(date(2027, 6, 1))
