"""Scheduled jobs of screening, run by django-q2's worker (``zhengtong qcluster``), outside any request.

Each job returns a short summary, which django-q2 keeps with the task (admin: Django Q › Successful tasks).
``ensure_schedules`` writes their schedules (rows of ``django_q.Schedule``); it runs after every
``migrate`` (screening.signals), so a deployment that migrates has them:

=================================  ======================================  ==================================
schedule name                      function                                when
=================================  ======================================  ==================================
screening.close_overdue_stays      jobs.close_overdue_stays                every hour, on the hour
screening.maintain_partitions      jobs.maintain_partitions                every day at 02:30 Asia/Shanghai
screening.purge_entries            jobs.purge_entries                      every day at 03:00 Asia/Shanghai
=================================  ======================================  ==================================

The code decides what runs; the admin may change when (type, next run): ``ensure_schedules`` keeps an
existing schedule's timing and only puts back its function, arguments and endless repeats.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from zhengtong.screening import partitions, services

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURLY, DAILY = "H", "D"  # django_q.models.Schedule.HOURLY / DAILY


def close_overdue_stays(now: datetime | None = None) -> str:
    """Stays with no exit after the maximum stay (MAX_STAY_HOURS) are closed, marked as estimated."""
    closed = services.close_overdue_stays(now=now)
    return f"closed {closed} overdue stay(s)"


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


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    schedule_type: str
    at: time | None = None  # time of day in Asia/Shanghai, for daily jobs

    def first_run(self, now: datetime) -> datetime:
        if self.schedule_type == HOURLY:
            return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        local = now.astimezone(SHANGHAI)
        run = datetime.combine(local.date(), self.at, tzinfo=SHANGHAI)
        if run <= local:
            run = datetime.combine(local.date() + timedelta(days=1), self.at, tzinfo=SHANGHAI)
        return run.astimezone(UTC)


# Other apps add their jobs here in their AppConfig.ready() (permits: deadline reminders).
JOBS = [
    Job("screening.close_overdue_stays", "zhengtong.screening.jobs.close_overdue_stays", HOURLY),
    Job("screening.maintain_partitions", "zhengtong.screening.jobs.maintain_partitions", DAILY, time(2, 30)),
    Job("screening.purge_entries", "zhengtong.screening.jobs.purge_entries", DAILY, time(3, 0)),
]


def ensure_schedules(*, schedule_model=None, using: str = DEFAULT_DB_ALIAS, now: datetime | None = None) -> dict:
    """Create the missing schedules and repair the existing ones; running it again changes nothing.
    Returns {schedule name: "created" | "updated" | "unchanged"}. ``schedule_model`` is the historical
    model when called from post_migrate."""
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model
    now = now or timezone.now()
    manager = schedule_model._default_manager.db_manager(using)
    outcome = {}
    for job in JOBS:
        rows = list(manager.filter(name=job.name).order_by("pk"))
        if not rows:
            manager.create(name=job.name, func=job.func, schedule_type=job.schedule_type, repeats=-1,
                           next_run=job.first_run(now))
            outcome[job.name] = "created"
            continue
        schedule, duplicates = rows[0], rows[1:]
        for duplicate in duplicates:  # two processes migrating at once may both have created it
            duplicate.delete()
        wanted = {"func": job.func, "args": None, "kwargs": None, "hook": None, "repeats": -1}
        # The admin saves blank text fields as "", which means the same as None here.
        changed = [name for name, value in wanted.items()
                   if (getattr(schedule, name) if name == "repeats" else getattr(schedule, name) or None) != value]
        if schedule.next_run is None:
            wanted["next_run"] = job.first_run(now)
            changed.append("next_run")
        for name in changed:
            setattr(schedule, name, wanted[name])
        if changed:
            schedule.save(update_fields=changed)
        outcome[job.name] = "updated" if changed or duplicates else "unchanged"
    return outcome
