from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutbreakConfig(AppConfig):
    """Its demo data (demo.py) is found by convention (core.discovery). Its ``ready()`` registers the
    isolation orders with the ports screening declares, and pre-release isolation with the port the
    registry declares (releases): the one thing ``ready()`` does for another app."""

    name = "zhengtong.outbreak"
    label = "outbreak"
    verbose_name = _("Outbreak")

    def ready(self) -> None:
        from zhengtong.outbreak.isolation import register_with_screening
        from zhengtong.outbreak.prerelease import register_with_registry

        register_with_screening()
        register_with_registry()
