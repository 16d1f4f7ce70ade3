"""The permits app's daily job."""

from datetime import date

import pytest

from zhengtong.accounts.models import Role
from zhengtong.permits import jobs, services
from zhengtong.permits.models import Campaign, CampaignIndustry, Reminder
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_the_daily_job_runs_on_an_empty_city():
    assert "0 application(s) accepted by law" in jobs.daily(today=date(2020, 3, 1))


def test_a_unit_due_within_the_window_is_reminded_once(world):
    unit = UnitFactory(county_code="430422", industry_code="2221")
    services.units_classify(user=world.users[Role.CITY_ADMIN])
    campaign = Campaign.objects.create(name="2020", early_deadline=date(2020, 4, 20), late_deadline=date(2020, 9, 20),
                                       reminder_days=30)
    CampaignIndustry.objects.create(campaign=campaign, industry=Industry.objects.get(code="2221"))
    jobs.daily(today=date(2020, 3, 1))
    assert not Reminder.objects.filter(unit=unit).exists()  # 50 days before: not yet
    jobs.daily(today=date(2020, 3, 25))
    jobs.daily(today=date(2020, 3, 26))
    reminder = Reminder.objects.get(unit=unit)
    assert reminder.due == date(2020, 4, 20) and "2020-04-20" in reminder.message
