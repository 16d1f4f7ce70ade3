"""`zhengtong run_job`: every app's scheduled jobs, listed and run by hand."""

import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhengtong.screening.models import Entry
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db


def run_job(*args) -> str:
    out = StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("args", [(), ("--list",)])
def test_it_lists_every_job_with_its_schedule_and_what_it_does(args):
    lines = run_job(*args).splitlines()
    assert [line.split()[0] for line in lines] == [
        "core.expire_exports", "screening.close_overdue_stays", "screening.maintain_partitions",
        "screening.count_admitted", "screening.purge_entries", "screening.end_rotations", "permits.daily",
        "resumption.daily"]
    assert "every hour, on the hour" in lines[0] and "Exports past EXPORT_KEEP_HOURS" in lines[0]
    assert "every hour, on the hour" in lines[1] and "Stays with no exit after the maximum stay" in lines[1]
    assert "every day at 00:10 Asia/Shanghai" in lines[5] and "Closed-duty rotations" in lines[5]
    assert "every day at 08:00 Asia/Shanghai" in lines[6] and "The permits app's daily run" in lines[6]
    assert "every day at 08:00 Asia/Shanghai" in lines[7] and "The resumption app's daily run" in lines[7]


def test_it_runs_a_job_and_prints_its_summary(settings):
    settings.MAX_STAY_HOURS = 8
    began = timezone.now() - timedelta(hours=9)
    stay = Entry.objects.create(client_uuid=uuid.uuid4(), site=SiteFactory(), person=PersonFactory(),
                                entered_at=began, temperature=Decimal("36.5"), decision="admit", reason="ok")

    assert run_job("screening.close_overdue_stays").strip() == "closed 1 overdue stay(s)"
    stay.refresh_from_db()
    assert stay.left_estimated and stay.left_at == began + timedelta(hours=8)


def test_an_unknown_job_is_refused_with_the_known_names():
    with pytest.raises(CommandError, match=r"No scheduled job named “screening.nope”.*screening.purge_entries.*"
                                           r"permits.daily"):
        run_job("screening.nope")
