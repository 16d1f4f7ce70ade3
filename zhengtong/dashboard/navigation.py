"""The navigation each role sees: an entry for each part of the site the user's scope opens
(accounts.scopes), with the count of open alerts on the alerts entry and of the difficulties waiting
in a department officer's inbox on the inbox entry."""

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts import scopes
from zhengtong.resumption import selectors as resumption
from zhengtong.screening import selectors as screening


def menu_for(user, request=None) -> list[dict]:
    """The entries; ``request``: the counts the page has counted already are not counted again."""
    items = [{"label": _("Home"), "url": reverse("home"), "key": "home"}]
    if not scopes.has_any_role(user):
        return items
    items.append({"label": _("Units"), "url": reverse("registry:unit_list"), "key": "units"})
    items.append({"label": _("Sites"), "url": reverse("registry:site_list"), "key": "sites"})
    if scopes.can_see_people(user):
        items.append({"label": _("People"), "url": reverse("registry:person_list"), "key": "people"})
    items.append({"label": _("Departments"), "url": reverse("registry:department_list"), "key": "departments"})
    if scopes.has_gate_duty(user):
        items.append({"label": _("Gate"), "url": reverse("screening:gate_home"), "key": "gate"})
    if scopes.can_see_screening(user):
        items.append({"label": _("Screening"), "url": reverse("screening:site_list"), "key": "screening"})
    if scopes.can_see_alerts(user):
        n = screening.open_alert_count(user=user)
        items.append({"label": format_lazy("{} ({})", _("Alerts"), n) if n else _("Alerts"),
                      "url": reverse("screening:alerts"), "key": "alerts", "count": n})
    if scopes.can_see_cases(user):
        items.append({"label": _("Cases"), "url": reverse("outbreak:case_list"), "key": "cases"})
        items.append({"label": _("Isolation"), "url": reverse("outbreak:isolation_list"), "key": "isolation"})
    if scopes.has_difficulty_inbox(user):
        n = resumption.inbox_count(user=user, today=timezone.localdate(), request=request)
        items.append({"label": format_lazy("{} ({})", _("Inbox"), n) if n else _("Inbox"),
                      "url": reverse("resumption:inbox"), "key": "inbox", "count": n})
    if scopes.can_see_resumption(user):
        items.append({"label": _("Resumption"), "url": reverse("resumption:overview"), "key": "resumption"})
        items.append({"label": _("Difficulties"), "url": reverse("resumption:difficulty_list"),
                      "key": "difficulties"})
    if scopes.can_see_visits(user):
        items.append({"label": _("Visits"), "url": reverse("resumption:visit_list"), "key": "visits"})
    if scopes.can_see_donations(user):
        items.append({"label": _("Donations"), "url": reverse("resumption:donation_campaigns"), "key": "donations"})
    own_units = scopes.own_unit_ids(user)
    if scopes.can_see_permit_overview(user):
        items.append({"label": _("Permits"), "url": reverse("permits:classification"), "key": "permits"})
    elif own_units:  # a clerk's permit page is the unit's own
        items.append({"label": _("Permits"), "url": reverse("permits:unit", args=[min(own_units)]),
                      "key": "permits"})
    if scopes.can_import_units(user):
        items.append({"label": _("Import"), "url": reverse("registry:unit_import"), "key": "import"})
    if scopes.can_manage_accounts(user):
        items.append({"label": _("Accounts"), "url": reverse("account_user_list"), "key": "users"})
    if scopes.is_city_admin(user):
        items.append({"label": _("Access log"), "url": reverse("access_log"), "key": "access"})
        items.append({"label": _("Admin"), "url": reverse("admin:index"), "key": "admin"})
    return items
