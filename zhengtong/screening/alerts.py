"""Alerts to people: rows in the web list, plus any further channel named in
settings.ALERT_CHANNELS (dotted paths of callables taking the Alert; SMS or e-mail later)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.module_loading import import_string

from zhengtong.accounts.models import Role
from zhengtong.screening.models import Alert


def site_recipients(site):
    """The site's managers and the officers of its county."""
    User = get_user_model()
    return User.objects.filter(
        Q(assignments__role=Role.SITE_MANAGER, assignments__site=site)
        | Q(assignments__role=Role.COUNTY_OFFICER, assignments__region_id=site.county_id),
        is_active=True,
    ).distinct()


def notify(*, kind: str, site, person=None, message: str) -> list[Alert]:
    alerts = Alert.objects.bulk_create([
        Alert(recipient=user, kind=kind, site=site, person=person, message=message[:300])
        for user in site_recipients(site)
    ])
    for path in getattr(settings, "ALERT_CHANNELS", []):
        channel = import_string(path)
        for alert in alerts:
            channel(alert)
    return alerts
