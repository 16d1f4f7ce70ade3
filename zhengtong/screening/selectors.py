"""Reads of screening at sites, scoped through accounts.scopes."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.registry.codes import CodeError, check_id_number
from zhengtong.registry.errors import DomainError
from zhengtong.registry.identity import id_number_hash
from zhengtong.registry.models import Person, Site
from zhengtong.screening.passes import read_pass_code


def gate_sites(*, user) -> QuerySet[Site]:
    """Sites where the user may screen people."""
    s = scopes.get_scope(user)
    if s.is_city:
        return Site.objects.all()
    return Site.objects.filter(scopes.screening_sites_q(user))


def identify(*, site: Site, code: str) -> Person:
    """The person a gate identifies by a pass code or an ID number. A pass must be this site's;
    an ID number may be anyone's (a visitor), and an unknown one says so."""
    code = (code or "").strip()
    if code.startswith("ZTP1:"):
        parsed = read_pass_code(code)
        if parsed is None or parsed[0] != site.pk:
            raise DomainError(_("This pass is not valid at this site."), field="code")
        person = Person.objects.filter(pk=parsed[1], memberships__site=site).first()
        if person is None:
            raise DomainError(_("This pass is not valid at this site."), field="code")
        return person
    try:
        number = check_id_number(code)
    except CodeError as e:
        raise DomainError(str(e), field="code") from None
    person = Person.objects.filter(id_number_hash=id_number_hash(number)).first()
    if person is None:
        raise DomainError(_("Nobody with this ID number is registered: register them as a visitor."),
                          field="code", status=404)
    return person


def search_site_people(*, site: Site, q: str, limit: int = 10) -> QuerySet[Person]:
    """The site's own people by name (for the gate's search box)."""
    q = (q or "").replace("\x00", "").strip()
    if not q:
        return Person.objects.none()
    return Person.objects.filter(memberships__site=site, name__icontains=q).distinct().order_by("name")[:limit]
