from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "zhengtong.permits"
    label = "permits"
    verbose_name = _("Pollutant discharge permits")

    def ready(self) -> None:
        from datetime import time

        from zhengtong.permits.refdata import load_catalogue_entries
        from zhengtong.registry import refdata
        from zhengtong.screening import jobs

        if not any(job.name == "permits.daily" for job in jobs.JOBS):
            jobs.JOBS.append(jobs.Job("permits.daily", "zhengtong.permits.jobs.daily", jobs.DAILY, time(8, 0)))
        from zhengtong.permits import demo
        from zhengtong.registry import demo as registry_demo

        if not any(loader is demo.load for _label, loader in registry_demo.EXTRA_LOADERS):
            registry_demo.EXTRA_LOADERS.append(("permits", demo.load))
            registry_demo.EXTRA_WIPERS.insert(0, demo.wipe)
        if not any(loader is load_catalogue_entries for _name, loader in refdata.EXTRA_LOADERS):
            refdata.EXTRA_LOADERS.append(("catalogue", load_catalogue_entries))
