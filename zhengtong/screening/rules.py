"""The screening rules, decided in one place. The gate screen, the device API and the offline
sync all call ``decide``; its facts are gathered by screening.services.

Rules (shared/domain/epidemic.md; the issue "Sites: closed management, the gate screen …"):
1. A temperature is accepted from 34.0 to 43.0 °C in steps of 0.1; a value from 95 to 110 looks
   like °F and is an input error with a hint, never converted; anything else outside is an input
   error. Input errors are not decisions: nothing is recorded, the gate types it again.
2. A temperature at or above the fever threshold (city setting ZT_FEVER_THRESHOLD, default 37.3,
   overridable per site) is a fever: refused, and an alert goes out.
3. A person under an active isolation order is refused.
4. Under closed management, anyone who does not belong to the site (inmate, resident, staff,
   worker) is refused.
5. With "no visitors" every visitor is refused; with "by appointment only" a visitor is admitted
   only on the day of their registered visit (the relation's ``since`` date).
6. A former member, whose relation as one of the site's people (inmate, resident, staff, worker)
   has ended (its ``until`` has passed), is refused as such, before rules 4 and 5.
7. Under closed management, on a day when a closed-duty rotation of the site is on duty
   (screening.rotations), a staff member who is in no rotation on duty that day is refused.
The first rule that refuses gives the reason; every decision is recorded with it.

Rules 6, 7, 4 and 5's "no visitors" do not depend on the person's temperature or health: ``refused_on_sight``
says them as soon as the person is identified at the gate (before a visitor is registered), and
``decide`` applies the same function, so that what the gate says first is what it records.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError
from zhengtong.registry.models import SitePerson, VisitorPolicy
from zhengtong.screening.models import Decision, Reason

LOWEST, HIGHEST = Decimal("34.0"), Decimal("43.0")
FAHRENHEIT = (Decimal("95"), Decimal("110"))


def parse_temperature(value, field: str = "temperature") -> Decimal:
    """A temperature in °C with one decimal, or a DomainError telling the gate to type it again."""
    try:
        t = Decimal(str(value).strip().replace(",", ".").replace("℃", "").replace("°C", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Type the temperature in °C, e.g. 36.5."), field=field) from None
    if not t.is_finite():
        raise DomainError(_("Type the temperature in °C, e.g. 36.5."), field=field)
    if FAHRENHEIT[0] <= t <= FAHRENHEIT[1]:
        raise DomainError(
            _("%(t)s looks like degrees Fahrenheit. Type the temperature in °C (98.6 °F is 37.0 °C).") % {"t": t},
            field=field,
        )
    if not LOWEST <= t <= HIGHEST:
        raise DomainError(
            _("%(t)s °C cannot be a body temperature: type it again (34.0–43.0 °C).") % {"t": t}, field=field
        )
    return t.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fever_threshold(site) -> Decimal:
    if site.fever_threshold is not None:
        return site.fever_threshold
    return Decimal(str(settings.FEVER_THRESHOLD))


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one person at one site at one moment."""

    site_active: bool
    closed: bool
    visitor_policy: str
    threshold: Decimal
    relation: str | None  # the person's relation to the site, None when they have none
    relation_since: date | None
    isolated: bool
    temperature: Decimal
    day: date
    former_until: date | None = None  # the day a relation as one of the site's people ended (rule 6)
    off_duty: bool = False  # staff of a closed site, in no rotation on duty that day (rule 7)


@dataclass(frozen=True)
class Result:
    decision: str
    reason: str

    @property
    def admitted(self) -> bool:
        return self.decision == Decision.ADMIT


def refused_on_sight(*, closed: bool, visitor_policy: str, relation: str | None,
                     former_until: date | None = None, off_duty: bool = False) -> str | None:
    """The reason (rules 6, 7, 4 and 5) a person with this relation to the site (None: none in force)
    is refused whatever their temperature: a former member (``former_until``: the day their relation
    ended), a staff member off duty while a rotation is on duty (``off_duty``), under closed
    management anyone who does not belong, with "no visitors" every visitor. None when only the
    screening can tell."""
    if relation in SitePerson.BELONGS:
        return Reason.OFF_DUTY if off_duty and closed and relation == SitePerson.Relation.STAFF else None
    if former_until is not None:
        return Reason.FORMER
    if closed:
        return Reason.CLOSED
    if visitor_policy == VisitorPolicy.NONE:
        return Reason.NO_VISITORS
    return None


def decide(f: Facts) -> Result:
    if f.temperature >= f.threshold:
        return Result(Decision.REFUSE, Reason.FEVER)
    if not f.site_active:
        return Result(Decision.REFUSE, Reason.INACTIVE)
    if f.isolated:
        return Result(Decision.REFUSE, Reason.ISOLATION)
    on_sight = refused_on_sight(closed=f.closed, visitor_policy=f.visitor_policy, relation=f.relation,
                                former_until=f.former_until, off_duty=f.off_duty)
    if on_sight is not None:
        return Result(Decision.REFUSE, on_sight)
    if (f.relation not in SitePerson.BELONGS and f.visitor_policy == VisitorPolicy.APPOINTMENT
            and f.relation_since != f.day):
        return Result(Decision.REFUSE, Reason.APPOINTMENT)
    return Result(Decision.ADMIT, Reason.OK)
