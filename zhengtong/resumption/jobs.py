"""Scheduled jobs of the resumption app, run by django-q2's worker (``zhengtong qcluster``).

=================================  ======================================  ==================================
schedule name                      function                                when
=================================  ======================================  ==================================
resumption.daily                   jobs.daily                              every day at 08:00 Asia/Shanghai
=================================  ======================================  ==================================

``JOBS`` declares it (core.scheduling writes the schedule after every ``migrate``; ``zhengtong run_job
resumption.daily`` runs it by hand; the demo runs it once on its anchor day).
"""

from datetime import datetime, time

from django.utils import timezone

from zhengtong.core.scheduling import DAILY, Job
from zhengtong.resumption import services


def daily(now: datetime | None = None) -> str:
    """The resumption app's daily run: difficulties past their acceptance or resolution due date
    escalate to their department's head (services.difficulties_escalate), once per clock."""
    now = now or timezone.now()
    escalated = services.difficulties_escalate(today=timezone.localdate(now), now=now)
    return f"{escalated} difficulty clock(s) escalated"


JOBS = [
    Job("resumption.daily", "zhengtong.resumption.jobs.daily", DAILY, time(8, 0)),
]
