"""`zhengtong run_job [NAME | --list]`: run one scheduled job by hand, or list them all.

The jobs are every app's ``jobs.JOBS`` (core.scheduling), the same ones django-q2's worker runs on
their schedules; running one here does what the worker does and prints the summary it keeps.
"""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.core import scheduling


class Command(BaseCommand):
    help = (
        "Run a scheduled job now, as django-q2's worker would, and print its summary; without a name (or "
        "with --list) list every job with its schedule and what it does."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the job's schedule name, e.g. screening.close_overdue_stays")
        parser.add_argument("--list", action="store_true", help="list the jobs and run none")

    def handle(self, *args, **options):
        jobs = scheduling.all_jobs()
        if options["list"] or not options["name"]:
            self._list(jobs)
            return
        job = next((j for j in jobs if j.name == options["name"]), None)
        if job is None:
            raise CommandError(f"No scheduled job named “{options['name']}”. The jobs are: "
                               + ", ".join(j.name for j in jobs) + ".")
        self.stdout.write(str(job.run()))

    def _list(self, jobs: list[scheduling.Job]) -> None:
        name_width = max((len(j.name) for j in jobs), default=0)
        when_width = max((len(j.when()) for j in jobs), default=0)
        for job in jobs:
            self.stdout.write(f"{job.name:<{name_width}}  {job.when():<{when_width}}  {job.summary_line()}".rstrip())
