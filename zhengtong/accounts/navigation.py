"""The navigation each role sees."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts import scopes


def menu_for(user) -> list[dict]:
    s = scopes.get_scope(user)
    items = [{"label": _("Home"), "url": reverse("home"), "key": "home"}]
    if not s.any_role:
        return items
    items.append({"label": _("Units"), "url": reverse("registry:unit_list"), "key": "units"})
    items.append({"label": _("Sites"), "url": reverse("registry:site_list"), "key": "sites"})
    if s.is_city or s.counties or s.managed_sites or s.gate_sites or s.clerk_units:
        items.append({"label": _("People"), "url": reverse("registry:person_list"), "key": "people"})
    items.append({"label": _("Departments"), "url": reverse("registry:department_list"), "key": "departments"})
    if s.is_city or s.managed_sites or s.gate_sites:
        items.append({"label": _("Gate"), "url": reverse("screening:gate_home"), "key": "gate"})
    if s.is_city or s.counties or s.managed_sites or s.gate_sites:
        items.append({"label": _("Screening"), "url": reverse("screening:site_list"), "key": "screening"})
    if s.is_city or s.counties or s.managed_sites:
        from zhengtong.screening.selectors import open_alert_count

        n = open_alert_count(user=user)
        items.append({"label": format_lazy("{} ({})", _("Alerts"), n) if n else _("Alerts"),
                      "url": reverse("screening:alerts"), "key": "alerts", "count": n})
    if s.is_city or s.counties or s.region_reads or s.city_reads:
        items.append({"label": _("Permits"), "url": reverse("permits:classification"), "key": "permits"})
    elif s.clerk_units:  # a clerk's permit page is the unit's own
        items.append({"label": _("Permits"), "url": reverse("permits:unit", args=[min(s.clerk_units)]),
                      "key": "permits"})
    if scopes.can_import_units(user):
        items.append({"label": _("Import"), "url": reverse("registry:unit_import"), "key": "import"})
    if s.is_city:
        items.append({"label": _("Admin"), "url": reverse("admin:index"), "key": "admin"})
    return items
