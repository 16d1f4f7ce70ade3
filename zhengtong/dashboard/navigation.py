"""The navigation each role sees: an entry for each part of the site the user's scope opens
(accounts.scopes), with the count of open alerts on the alerts entry and of the difficulties waiting
in a department officer's inbox on the inbox entry.

Which entries a user sees is decided on each request from their scope; what an entry is (its label in
the active language and its URL) is the same for everyone, so it is made once per process for each
language (``_links``) rather than translated and reversed on every page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts import scopes
from zhengtong.core.compiled import kept
from zhengtong.core.http import url_key
from zhengtong.resumption import selectors as resumption
from zhengtong.screening import selectors as screening

# key: (label, URL name), in the order the entries are shown
ENTRIES = {
    "home": (_("Home"), "home"),
    "units": (_("Units"), "registry:unit_list"),
    "sites": (_("Sites"), "registry:site_list"),
    "people": (_("People"), "registry:person_list"),
    "departments": (_("Departments"), "registry:department_list"),
    "gate": (_("Gate"), "screening:gate_home"),
    "screening": (_("Screening"), "screening:site_list"),
    "alerts": (_("Alerts"), "screening:alerts"),
    "cases": (_("Cases"), "outbreak:case_list"),
    "isolation": (_("Isolation"), "outbreak:isolation_list"),
    "inbox": (_("Inbox"), "resumption:inbox"),
    "resumption": (_("Resumption"), "resumption:overview"),
    "difficulties": (_("Difficulties"), "resumption:difficulty_list"),
    "visits": (_("Visits"), "resumption:visit_list"),
    "donations": (_("Donations"), "resumption:donation_campaigns"),
    "permits": (_("Permits"), "permits:classification"),
    "import": (_("Import"), "registry:unit_import"),
    "users": (_("Accounts"), "account_user_list"),
    "access": (_("Access log"), "access_log"),
    "admin": (_("Admin"), "admin:index"),
}


def menu_for(user, request=None) -> list[dict]:
    """The entries; ``request``: the counts the page has counted already are not counted again."""
    links = _links()

    def entry(key: str, count: int | None = None, url: str | None = None) -> dict:
        label, own_url = links[key]
        item: dict = {"label": f"{label} ({count})" if count else label, "url": url or own_url, "key": key}
        if count is not None:
            item["count"] = count
        return item

    items = [entry("home")]
    if not scopes.has_any_role(user):
        return items
    items += [entry("units"), entry("sites")]
    if scopes.can_see_people(user):
        items.append(entry("people"))
    items.append(entry("departments"))
    if scopes.has_gate_duty(user):
        items.append(entry("gate"))
    if scopes.can_see_screening(user):
        items.append(entry("screening"))
    if scopes.can_see_alerts(user):
        items.append(entry("alerts", screening.open_alert_count(user=user)))
    if scopes.can_see_cases(user):
        items += [entry("cases"), entry("isolation")]
    if scopes.has_difficulty_inbox(user):
        items.append(entry("inbox", resumption.inbox_count(user=user, today=timezone.localdate(), request=request)))
    if scopes.can_see_resumption(user):
        items += [entry("resumption"), entry("difficulties")]
    if scopes.can_see_visits(user):
        items.append(entry("visits"))
    if scopes.can_see_donations(user):
        items.append(entry("donations"))
    own_units = scopes.own_unit_ids(user)
    if scopes.can_see_permit_overview(user):
        items.append(entry("permits"))
    elif own_units:  # a clerk's permit page is the unit's own
        items.append(entry("permits", url=reverse("permits:unit", args=[min(own_units)])))
    if scopes.can_import_units(user):
        items.append(entry("import"))
    if scopes.can_manage_accounts(user):
        items.append(entry("users"))
    if scopes.is_city_admin(user):
        items += [entry("access"), entry("admin")]
    return items


def _links() -> dict[str, tuple[str, str]]:
    """Each entry's label in the active language and its URL, made once per process for each language,
    URLconf and script prefix (``core.http.url_key``)."""
    return kept(_LINKS, url_key(),
                lambda: {entry: (str(label), reverse(name)) for entry, (label, name) in ENTRIES.items()})


_LINKS: dict[tuple, dict[str, tuple[str, str]]] = {}
