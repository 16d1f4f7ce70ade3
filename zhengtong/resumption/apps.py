from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResumptionConfig(AppConfig):
    """Resumption of work and production: declarations and their stages, difficulties routed to
    departments on working-day clocks. Its demo data (demo.py) is found by convention (core.discovery)."""

    name = "zhengtong.resumption"
    label = "resumption"
    verbose_name = _("Resumption")
