from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    """Its scheduled job (jobs.py), demo data (demo.py) and catalogue (refdata.py) are found by
    convention (core.discovery)."""

    name = "zhengtong.permits"
    label = "permits"
    verbose_name = _("Pollutant discharge permits")
