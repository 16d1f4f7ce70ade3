"""The demo city's permit picture (`zhengtong demo`)."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from zhengtong.permits.models import (
    Application,
    Campaign,
    Classification,
    ComplianceReport,
    EnforcementCase,
    Permit,
    ReadingDecision,
    Registration,
)
from zhengtong.registry import demo
from zhengtong.tests_support.demo import ANCHOR, demo_clock

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_2020_campaign_the_270_permits_and_every_class():
    with demo_clock(ANCHOR):
        call_command("demo", "--today", ANCHOR.isoformat(), units=1500, sites=20, people=500, stdout=io.StringIO())

    campaign = Campaign.objects.get()
    assert (campaign.early_deadline, campaign.late_deadline) == (date(2020, 4, 20), date(2020, 9, 20))
    assert {"3011", "4411", "2221", "3120"} <= set(campaign.early_industries.values_list("industry__code", flat=True))

    first = Permit.objects.filter(application__kind="first", decided_on__year__in=[2017, 2018, 2019])
    assert first.count() == 270
    assert all(p.number.endswith("001P") and len(p.number) == 22 for p in first)

    classes = set(Classification.objects.values_list("management_class", flat=True))
    assert {"key", "simplified", "registration", "none", "undetermined", "review"} <= classes
    assert ReadingDecision.objects.exists()  # most open readings decided, the rest need review
    clerk_unit = Classification.objects.get(unit__name="湖南中科光电有限公司", source=1)
    assert clerk_unit.management_class == "simplified" and clerk_unit.deciding_row == 89
    # its second plant (fixed source 002) coats less solvent: registration there, by the same row
    second = Classification.objects.get(unit=clerk_unit.unit, source=2)
    assert second.management_class == "registration" and second.deciding_row == 89
    assert not Permit.objects.filter(fixed_source__unit=clerk_unit.unit).exists()

    assert Registration.objects.exists()
    # On the anchor the campaign's deadlines lie ahead: nobody is late yet. Past the early deadline, the
    # daily job finds the units of the early list that still hold no permit.
    assert not EnforcementCase.objects.filter(kind__in=["no_permit", "no_registration"]).exists()
    later = campaign.early_deadline + timedelta(days=1)
    with demo_clock(later):
        from zhengtong.core.scheduling import all_jobs

        demo.run_job_as_of(next(job for job in all_jobs() if job.name == "permits.daily"), later)
    assert EnforcementCase.objects.filter(kind="no_permit", violation_date=later).exists()


def test_the_demo_permits_are_as_of_the_day_given_by_today():
    out = io.StringIO()
    with demo_clock(ANCHOR):
        call_command("demo", "--today", "2020-02-27", units=200, sites=20, people=500, stdout=out)

    assert "today 2020-02-27" in out.getvalue()
    # Permits issued 2017–2019 have not yet expired or been renewed on 27 February 2020 (they have by now).
    assert Permit.objects.exists()
    assert not Permit.objects.exclude(status=Permit.Status.VALID).exists()
    assert not ComplianceReport.objects.filter(period_end__gte=date(2020, 2, 27)).exists()
    assert not Application.objects.filter(received_on__gte=date(2020, 2, 27)).exists()
