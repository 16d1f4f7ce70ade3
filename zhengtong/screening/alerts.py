"""Alerts to people: rows in the web list, plus any further channel named in
settings.ALERT_CHANNELS (dotted paths of callables taking the Alert; SMS or e-mail later)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhengtong.accounts.models import Role
from zhengtong.screening.models import Alert, Decision, Reason


def site_recipients(site):
    """The site's managers and the officers of its county (active assignments only)."""
    User = get_user_model()
    return User.objects.filter(
        Q(assignments__role=Role.SITE_MANAGER, assignments__site=site, assignments__ended_at__isnull=True)
        | Q(assignments__role=Role.COUNTY_OFFICER, assignments__region_id=site.county_id,
            assignments__ended_at__isnull=True),
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


# The alerts' texts, in one place: the gate page, the device API, the offline batch and the health
# check all say them alike.


def gate_fever_text(*, site, name: str, temperature, admitted: bool = False) -> str:
    """``admitted``: an offline gate let the person in (their entry is a stay: Entry.stay_q)."""
    if admitted:
        return _("Fever at the gate of %(site)s: %(name)s, %(t)s °C, admitted by the offline gate: the person "
                 "is inside.") % {"site": site.name, "name": name, "t": temperature}
    return _("Fever at the gate of %(site)s: %(name)s, %(t)s °C, refused.") % {
        "site": site.name, "name": name, "t": temperature}


def gate_disagreement_text(*, site, name: str, gate_decision: str, decision: str, reason: str) -> str:
    return _("An offline gate at %(site)s %(gate)s %(name)s, but the rules say %(rules)s (%(reason)s).") % {
        "site": site.name, "name": name, "gate": Decision(gate_decision).label,
        "rules": Decision(decision).label, "reason": Reason(reason).label}


def batch_more_fevers_text(*, site, device_name: str, count: int, admitted: int = 0) -> str:
    if admitted:
        return _("%(n)d more people with a fever at the gate of %(site)s, in an offline batch of %(gate)s, "
                 "%(admitted)d of them admitted by the offline gate: see its entries with a fever.") % {
            "n": count, "site": site.name, "gate": device_name, "admitted": admitted}
    return _("%(n)d more people with a fever at the gate of %(site)s, in an offline batch of %(gate)s: "
             "see its entries refused for fever.") % {"n": count, "site": site.name, "gate": device_name}


def batch_disagreements_text(*, site, device_name: str, count: int, admitted: int) -> str:
    return _("The offline gate %(gate)s at %(site)s took %(n)d decisions the rules disagree with "
             "(%(admitted)d admitted whom the rules refuse): see its entries marked as disagreeing.") % {
        "gate": device_name, "site": site.name, "n": count, "admitted": admitted}


def health_fever_text(*, site, name: str, temperature) -> str:
    return _("Fever at the health check of %(site)s: %(name)s, %(t)s °C.") % {
        "site": site.name, "name": name, "t": temperature}
