"""Scheduled jobs of screening, run by django-q2's worker (``zhengtong qcluster``), outside any request.

Each job returns a short summary, which django-q2 keeps with the task (admin: Django Q › Successful tasks).
``JOBS`` declares their schedules (core.scheduling writes them after every ``migrate``; ``zhengtong
run_job NAME`` runs one by hand):

=================================  ======================================  ==================================
schedule name                      function                                when
=================================  ======================================  ==================================
screening.close_overdue_stays      jobs.close_overdue_stays                every hour, on the hour
screening.maintain_partitions      jobs.maintain_partitions                every day at 02:30 Asia/Shanghai
screening.count_admitted           jobs.count_admitted                     every day at 02:45 Asia/Shanghai
screening.purge_entries            jobs.purge_entries                      every day at 03:00 Asia/Shanghai
screening.end_rotations            jobs.end_rotations                      every day at 00:10 Asia/Shanghai
=================================  ======================================  ==================================
"""

from datetime import datetime, time

from django.utils import timezone

from zhengtong.core.scheduling import DAILY, HOURLY, Job
from zhengtong.screening import counts, partitions, rotations, services


def close_overdue_stays(now: datetime | None = None) -> str:
    """Stays with no exit after the maximum stay (MAX_STAY_HOURS) are closed, marked as estimated."""
    closed = services.stays_close_overdue(now=now)
    return f"closed {closed} overdue stay(s)"


def count_admitted(now: datetime | None = None) -> str:
    """People admitted per site and day (AdmittedDaily, kept past retention): yesterday, the days before it
    within ZT_ADMITTED_RECOUNT_DAYS, and any whole day since the latest counted (screening.counts)."""
    now = now or timezone.now()
    span = counts.days_to_count(now=now)
    if span is None:
        return "no whole day to count"
    first, last = span
    rows = counts.admitted_count(first=first, last=last, now=now)
    return f"counted {first:%Y-%m-%d}–{last:%Y-%m-%d}: {rows} site-day(s)"


def purge_entries(now: datetime | None = None) -> str:
    """Personal entry data past the retention period (ENTRY_RETENTION_DAYS) that no case holds."""
    return partitions.drop_expired_partitions(now=now).summary()


def maintain_partitions(now: datetime | None = None) -> str:
    """This month's partition of the entries table and the next three exist (PostgreSQL)."""
    if not partitions.is_partitioned():
        return "entries are not partitioned on this database: nothing to do"
    created = partitions.ensure_partitions(months_ahead=3, now=now)
    if not created:
        return "partitions up to date"
    return "created " + ", ".join(f"{name} ({moved} rows moved from DEFAULT)" for name, moved in created.items())


def end_rotations(now: datetime | None = None) -> str:
    """Closed-duty rotations whose last day on duty has passed end: their members are isolated through
    the port the outbreak app answers (screening.rotations.rotation_end)."""
    ended = rotations.rotations_end_due(now=now)
    if not ended:
        return "no rotation to end"
    return "; ".join(f"{e.rotation.site.name} {e.rotation.name}: {e.ordered} isolated, {e.refused} not"
                     + ("" if e.asked else " (no app orders isolation)") for e in ended)


JOBS = [
    Job("screening.close_overdue_stays", "zhengtong.screening.jobs.close_overdue_stays", HOURLY),
    Job("screening.maintain_partitions", "zhengtong.screening.jobs.maintain_partitions", DAILY, time(2, 30)),
    Job("screening.count_admitted", "zhengtong.screening.jobs.count_admitted", DAILY, time(2, 45)),
    Job("screening.purge_entries", "zhengtong.screening.jobs.purge_entries", DAILY, time(3, 0)),
    Job("screening.end_rotations", "zhengtong.screening.jobs.end_rotations", DAILY, time(0, 10)),
]

