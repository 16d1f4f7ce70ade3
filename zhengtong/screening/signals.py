"""Signal handlers of screening, connected in ScreeningConfig.ready()."""


def ensure_schedules_after_migrate(sender, *, using, apps=None, verbosity=1, **kwargs) -> None:
    """After every ``migrate``, the scheduled jobs of screening exist (screening.jobs.ensure_schedules)."""
    from zhengtong.screening import jobs

    try:
        schedule_model = apps.get_model("django_q", "Schedule") if apps is not None else None
    except LookupError:  # django_q's tables are not there (migrated back to zero)
        return
    outcome = jobs.ensure_schedules(schedule_model=schedule_model, using=using)
    if verbosity >= 2:
        for name, what in outcome.items():
            print(f"  Schedule {name}: {what}")
