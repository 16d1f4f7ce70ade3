from django.apps import AppConfig
from django.apps import apps as installed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared library, installed for its tables (the holiday calendar, the access log), its
    management command (``run_job``) and to write the schedules after ``migrate``. It imports no app:
    it finds the apps' jobs by convention (core.discovery)."""

    name = "zhengtong.core"
    label = "core"
    verbose_name = _("Holiday calendar and access log")

    def ready(self) -> None:
        from zhengtong.core import demo_clock, scheduling
        from zhengtong.core.choices import fast_choice_displays

        for model in installed.get_models(include_auto_created=True):  # ours: their list pages show labels
            if model.__module__.startswith("zhengtong."):
                fast_choice_displays(model)

        # Django sends post_migrate once per app that has models; listen to the one that owns the
        # Schedule table, so that the schedules are written once per migrate.
        post_migrate.connect(scheduling.ensure_schedules_after_migrate, sender=installed.get_app_config("django_q"),
                             dispatch_uid="core.ensure_schedules")
        # A flush (the test suite's, between tests that commit) empties the demo's state behind what a
        # process kept of it; Django's flush sends post_migrate.
        post_migrate.connect(demo_clock.forget_kept, sender=self, dispatch_uid="core.demo_state_forget")
