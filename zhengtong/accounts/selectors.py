"""What the home page shows each role: the things in their scope and what needs doing there."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

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
    figures = [
        {"label": _("Units"), "value": units.count(), "url": reverse("registry:unit_list")},
        {"label": _("Sites"), "value": sites.count(), "url": reverse("registry:site_list")},
    ]
    if scope.is_city or scope.counties or scope.managed_sites or scope.gate_sites or scope.clerk_units:
        figures.append({"label": _("People"), "value": registry.person_list(user=user).count(),
                        "url": reverse("registry:person_list")})
    return {"assignments": assignments_of(user), "figures": figures, "todo": todo, "has_role": scope.any_role}
