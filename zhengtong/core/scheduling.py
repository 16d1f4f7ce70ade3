"""Scheduled jobs: what a job is, where the project finds them and how their schedules are written.

Each app declares its jobs in its own ``jobs.py`` as ``JOBS = [Job(...), ...]`` (core.discovery);
django-q2's worker (``zhengtong qcluster``) runs them outside any request, and ``zhengtong run_job``
runs one by hand. A job's function takes no required argument and returns a short summary, which
django-q2 keeps with the task (admin: Django Q › Successful tasks).

``ensure_schedules`` writes their schedules (rows of ``django_q.Schedule``). It runs after every
``migrate`` (``ensure_schedules_after_migrate``, connected once in ``CoreConfig.ready()``), so a
deployment that migrates has them. The code decides what runs; the admin may change when (type, next
run): ``ensure_schedules`` keeps an existing schedule's timing and only puts back its function,
arguments and endless repeats.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.module_loading import import_string

from zhengtong.core import discovery

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURLY, DAILY = "H", "D"  # django_q.models.Schedule.HOURLY / DAILY


@dataclass(frozen=True)
class Job:
    name: str  # the schedule's name, "<app label>.<job>"
    func: str  # dotted path of the function django-q2 calls
    schedule_type: str
    at: time | None = None  # time of day in Asia/Shanghai, for daily jobs

    def first_run(self, now: datetime) -> datetime:
        if self.schedule_type == HOURLY:
            return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        local, at = now.astimezone(SHANGHAI), self.at or time(0, 0)
        run = datetime.combine(local.date(), at, tzinfo=SHANGHAI)
        if run <= local:
            run = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=SHANGHAI)
        return run.astimezone(UTC)

    def when(self) -> str:
        """The schedule in words, as the code sets it (the admin may have changed it since)."""
        if self.schedule_type == HOURLY:
            return "every hour, on the hour"
        return f"every day at {self.at:%H:%M} Asia/Shanghai"

    def function(self):
        return import_string(self.func)

    def summary_line(self) -> str:
        """The first line of the function's docstring."""
        doc = (self.function().__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def run(self) -> str:
        return self.function()()


def all_jobs() -> list[Job]:
    """Every app's jobs, in the order of INSTALLED_APPS (core.discovery); a name is used once."""
    jobs: list[Job] = []
    for app, module in discovery.app_modules("jobs"):
        for job in getattr(module, "JOBS", ()):
            if any(job.name == other.name for other in jobs):
                raise ValueError(f"Two scheduled jobs are named {job.name!r} (the second in {app.name}.jobs).")
            jobs.append(job)
    return jobs


def ensure_schedules(*, schedule_model=None, using: str = DEFAULT_DB_ALIAS, now: datetime | None = None) -> dict:
    """Create the missing schedules and repair the existing ones; running it again changes nothing.
    Returns {schedule name: "created" | "updated" | "unchanged"}. ``schedule_model`` is the historical
    model when called from post_migrate."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    now = now or timezone.now()
    manager = schedule_model._default_manager.db_manager(using)
    outcome = {}
    for job in all_jobs():
        rows = list(manager.filter(name=job.name).order_by("pk"))
        if not rows:
            manager.create(name=job.name, func=job.func, schedule_type=job.schedule_type, repeats=-1,
                           next_run=job.first_run(now))
            outcome[job.name] = "created"
            continue
        schedule, duplicates = rows[0], rows[1:]
        for duplicate in duplicates:  # two processes migrating at once may both have created it
            duplicate.delete()
        wanted: dict[str, object] = {"func": job.func, "args": None, "kwargs": None, "hook": None, "repeats": -1}
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


def ensure_schedules_after_migrate(sender, *, using, apps=None, verbosity=1, **kwargs) -> None:
    """post_migrate handler: after every ``migrate`` (and test-database flush) the schedules exist.
    Connected with django_q's app as sender, so it runs once per migrate, not once per app."""
    try:
        schedule_model = apps.get_model("django_q", "Schedule") if apps is not None else None
    except LookupError:  # django_q's tables are not there (migrated back to zero)
        return
    outcome = ensure_schedules(schedule_model=schedule_model, using=using)
    if verbosity >= 2:
        for name, what in outcome.items():
            print(f"  Schedule {name}: {what}")
