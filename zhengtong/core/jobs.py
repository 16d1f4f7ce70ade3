"""Scheduled jobs of core (core.scheduling; ``zhengtong run_job NAME`` runs one by hand):

=================================  ======================================  ==================================
schedule name                      function                                when
=================================  ======================================  ==================================
core.expire_exports                jobs.expire_exports                     every hour, on the hour
=================================  ======================================  ==================================
"""

from datetime import datetime

from zhengtong.core import exportjobs
from zhengtong.core.scheduling import HOURLY, Job


def expire_exports(now: datetime | None = None) -> str:
    """Exports past EXPORT_KEEP_HOURS: their files deleted, the rows marked expired."""
    return f"expired {exportjobs.exports_expire(now=now)} export(s)"


JOBS = [
    Job("core.expire_exports", "zhengtong.core.jobs.expire_exports", HOURLY),
]
