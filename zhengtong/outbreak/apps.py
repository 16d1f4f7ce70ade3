from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutbreakConfig(AppConfig):
    """Its demo data (demo.py) is found by convention (core.discovery)."""

    name = "zhengtong.outbreak"
    label = "outbreak"
    verbose_name = _("Outbreak")
