"""What the home page shows each role: the things in their scope and what needs doing there."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengtong.accounts.models import RoleAssignment
from zhengtong.accounts.scopes import get_scope
from zhengtong.registry import selectors as registry


def assignments_of(user) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(user=user).select_related("region", "department", "site__unit", "unit")
    )


def home_panels(*, user) -> dict:
    """Figures and to-dos for the signed-in user, each computed through the scoped selectors."""
    scope = get_scope(user)
    units = registry.unit_list(user=user)
    sites = registry.site_list(user=user)
    todo = []
    incomplete = units.filter(Q(contact_phone="") | Q(legal_representative="") | Q(address=""))
    if scope.is_city or scope.counties or scope.clerk_units:
        n = incomplete.count()
        if n:
            todo.append({
                "text": _("%(n)d units lack an address, a legal representative or a contact phone.") % {"n": n},
                "url": reverse("registry:unit_list") + "?incomplete=1",
            })
    for a in assignments_of(user):
        if a.site_id:
            todo.append({"text": _("Open the page of your site %(site)s.") % {"site": a.site.name},
                         "url": reverse("registry:site_detail", args=[a.site_id])})
        if a.unit_id:
            todo.append({"text": _("Check your unit's registration: %(unit)s.") % {"unit": a.unit.name},
                         "url": reverse("registry:unit_detail", args=[a.unit_id])})
    todo += _screening_todo(user, scope)
    from zhengtong.permits.selectors import home_todo

    todo += home_todo(user=user, today=timezone.localdate())
    figures = [
        {"label": _("Units"), "value": units.count(), "url": reverse("registry:unit_list")},
        {"label": _("Sites"), "value": sites.count(), "url": reverse("registry:site_list")},
    ]
    if scope.is_city or scope.counties or scope.managed_sites or scope.gate_sites or scope.clerk_units:
        figures.append({"label": _("People"), "value": registry.person_list(user=user).count(),
                        "url": reverse("registry:person_list")})
    return {"assignments": assignments_of(user), "figures": figures, "todo": todo, "has_role": scope.any_role}


def _screening_todo(user, scope) -> list[dict]:
    """Screening to-dos: open alerts; at each managed site, people unchecked today and areas
    overdue for disinfection; the gate of each gatekeeper's site."""
    if not (scope.is_city or scope.counties or scope.managed_sites or scope.gate_sites):
        return []
    from zhengtong.registry.models import Site
    from zhengtong.screening import selectors as screening

    todo = []
    n = screening.open_alert_count(user=user)
    if n:
        todo.append({"text": ngettext("%(n)d open alert to acknowledge.", "%(n)d open alerts to acknowledge.", n)
                     % {"n": n}, "url": reverse("screening:alerts")})
    for site in screening.with_figures(Site.objects.filter(pk__in=scope.managed_sites), user=user):
        if site.unchecked_today:
            todo.append({"text": ngettext("%(site)s: %(n)d person not checked today.",
                                          "%(site)s: %(n)d people not checked today.", site.unchecked_today)
                         % {"site": site.name, "n": site.unchecked_today},
                         "url": reverse("screening:health_checks", args=[site.pk])})
        if site.overdue_areas:
            todo.append({"text": ngettext("%(site)s: %(n)d area overdue for disinfection.",
                                          "%(site)s: %(n)d areas overdue for disinfection.", site.overdue_areas)
                         % {"site": site.name, "n": site.overdue_areas},
                         "url": reverse("screening:disinfection", args=[site.pk])})
    for site in Site.objects.filter(pk__in=scope.gate_sites).order_by("name"):
        todo.append({"text": _("Open the gate screen of %(site)s.") % {"site": site.name},
                     "url": reverse("screening:gate", args=[site.pk])})
    if scope.is_city or scope.counties:
        todo.append({"text": _("See the screening figures of your sites."), "url": reverse("screening:site_list")})
    return todo
