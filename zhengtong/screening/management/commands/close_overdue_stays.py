"""`zhengtong close_overdue_stays`: close stays with no exit after the maximum stay, as the hourly job does."""

from django.conf import settings
from django.core.management.base import BaseCommand

from zhengtong.screening import jobs


class Command(BaseCommand):
    help = (
        "Close every admitted stay with no exit that began more than the maximum stay ago (ZT_MAX_STAY_HOURS, "
        f"now {settings.MAX_STAY_HOURS:g} h): its exit is set to entry + maximum stay and marked as estimated. "
        "The scheduled job screening.close_overdue_stays does the same every hour."
    )

    def handle(self, *args, **options):
        self.stdout.write(jobs.close_overdue_stays())
