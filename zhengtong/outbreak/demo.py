"""The demo city's outbreak picture: one suspected case at the rail-welding workshop, reported by
the screening at its gate the day before the demo's today, for a county officer to confirm or
exclude and to trace (the screening demo puts the case's person in a welding team of three, in the
production area every day, so the trace finds at least two contacts to isolate); and every inmate of
the prison due for release within RELEASE_DUE_DAYS in pre-release isolation in its release wing
(出监监区), from 14 days before the release date, three of them with release dates set here, one due
out today.

From the page: the prison isolates inmates due for release before they leave. invented: the case, its
person (one of the workshop's staff), its dates and symptoms, which inmates and their dates. The page
reports no case in Hengyang's special sites; this one is the demo's exercise.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from zhengtong.outbreak.models import (
    Case,
    CaseMove,
    CaseStatus,
    IsolationCheck,
    IsolationMove,
    IsolationOrder,
    IsolationPlace,
    IsolationReason,
    Trace,
    TraceContact,
)
from zhengtong.registry.models import SitePerson

LABEL = "cases"
TEMPERATURES = [Decimal(t) for t in ("36.2", "36.4", "36.5", "36.6", "36.7")]


def wipe() -> None:
    for model in (IsolationCheck, IsolationMove, IsolationOrder, TraceContact, Trace, CaseMove, Case):
        model.objects.all().delete()


def load(*, admin, named_sites: dict, rng, today: date) -> int:
    site = named_sites["workshop"]
    member = (SitePerson.objects.filter(site=site, relation__in=SitePerson.BELONGS)
              .select_related("person").order_by("person_id").first())
    if member is None:
        return 0
    reported = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(9, 40)))
    case = Case.objects.create(person=member.person, site=site, county=site.county, status=CaseStatus.SUSPECTED,
                               onset_date=today - timedelta(days=2), symptoms="发热（37.9 °C）、干咳",
                               where_found="门岗体温检测", reported_at=reported, reported_by=admin)
    CaseMove.objects.create(case=case, action="report", to_status=CaseStatus.SUSPECTED, at=reported, by=admin,
                            reason="门岗测温发热，已送发热门诊")
    prison = named_sites["prison"]
    _pre_release(admin, prison, rng, today)
    return 1


def _pre_release(admin, prison, rng, today: date) -> None:
    """Every inmate due for release within RELEASE_DUE_DAYS is in pre-release isolation, from 14 days
    before the release date until it; three of them (one due out today, whose isolation ends today, so
    that a county officer releases the order and the prison the inmate) get their release dates here."""
    inmates = list(SitePerson.objects.filter(site=prison, relation=SitePerson.Relation.INMATE, until__isnull=True)
                   .order_by("person_id")[:3])
    for days_left, member in zip((0, 5, 11), inmates, strict=False):
        member.release_date = today + timedelta(days=days_left)
        member.save(update_fields=["release_date"])
    due = (SitePerson.objects.filter(site=prison, relation=SitePerson.Relation.INMATE, until__isnull=True,
                                     release_date__gte=today,
                                     release_date__lte=today + timedelta(days=settings.RELEASE_DUE_DAYS))
           .select_related("person").order_by("release_date", "person_id"))
    for member in due:
        assert member.release_date is not None  # the filter's
        start = timezone.make_aware(datetime.combine(member.release_date - timedelta(days=14), time(8, 0)))
        order = IsolationOrder.objects.create(
            person=member.person, county=prison.county, reason=IsolationReason.PRE_RELEASE, place=IsolationPlace.SITE,
            site=prison, place_note="出监监区（刑释前隔离）", start=start, planned_end=member.release_date,
            ordered_by=admin, ordered_at=start)
        IsolationMove.objects.create(order=order, action=IsolationMove.Action.ORDER, at=start, by=admin,
                                     note="刑释前14天集中隔离")
        days_in = (today - start.date()).days
        IsolationCheck.objects.bulk_create([
            IsolationCheck(order=order, checked_on=today - timedelta(days=d), temperature=rng.choice(TEMPERATURES),
                           checked_at=timezone.make_aware(datetime.combine(today - timedelta(days=d), time(7, 30))),
                           checked_by=admin)
            for d in range(days_in, -1, -1)])
