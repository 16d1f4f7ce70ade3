from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Its scheduled jobs (jobs.py) and demo data (demo.py) are found by convention (core.discovery)."""

    name = "zhengtong.screening"
    label = "screening"
    verbose_name = _("Screening at sites")
