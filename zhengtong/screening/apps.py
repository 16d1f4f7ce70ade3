from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "zhengtong.screening"
    label = "screening"
    verbose_name = _("Screening at sites")

    def ready(self) -> None:
        from zhengtong.registry import demo as registry_demo
        from zhengtong.screening import demo, signals

        post_migrate.connect(signals.ensure_schedules_after_migrate, sender=self,
                             dispatch_uid="screening.ensure_schedules")

        if not any(loader is demo.load for _label, loader in registry_demo.EXTRA_LOADERS):
            registry_demo.EXTRA_LOADERS.append(("entries", demo.load))
            registry_demo.EXTRA_WIPERS.append(demo.wipe)
