"""The demo city's resumption: the page's enterprises in their stages and a few dozen generated
enterprises across the counties in every stage, so that the county officer sees who has not declared,
who is behind plan and the rates by county and industry.

From the page: the TBEA industrial park resumed construction on 5 February; Zhongke Optoelectronics has
fully resumed normal production. invented: every other date, workforce figure and capacity, and every
generated enterprise's declaration. Dates are the story's (2020), moved to the anchor (core.demo_clock).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhengtong.core.demo_clock import story_date
from zhengtong.registry.models import Unit
from zhengtong.resumption.clocks import due_after
from zhengtong.resumption.models import (
    DeclarationStatus,
    ExpectedUnit,
    ResumptionDeclaration,
    ResumptionStage,
    Stage,
)
from zhengtong.resumption.services import lead_department_for

LABEL = "resumption"
GENERATED = 60  # generated enterprises given a declaration (others are left undeclared)
HENGNAN = "430422"  # the demo county officer's county: a share of the generated ones are there


def wipe() -> None:
    ResumptionStage.objects.all().delete()
    ResumptionDeclaration.objects.filter(corrects__isnull=False).delete()
    ResumptionDeclaration.objects.all().delete()
    ExpectedUnit.objects.all().delete()


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _declare(unit: Unit, *, declared: date, planned: date, total: int, by, answer_by=None,
             status: str = DeclarationStatus.FILED, answer: str = "") -> ResumptionDeclaration:
    returned = int(total * 0.8)
    outside = returned // 4
    due = due_after(declared, settings.RESUMPTION_ANSWER_DAYS)
    answered = due.due if status != DeclarationStatus.FILED else None
    return ResumptionDeclaration.objects.create(
        unit=unit, planned_date=planned, workforce_total=total, workforce_returned=returned,
        returned_from_outside=outside, outside_isolated=outside, temperature_checks=True, masks=True,
        disinfection_schedule=True, canteen_arrangements=True, isolation_room=total >= 50,
        declared_on=declared, declared_at=_at(declared), declared_by=by, lead_department=lead_department_for(unit),
        answer_due=due.due, answer_confirmed=due.confirmed, status=status, answer=answer, answered_on=answered,
        answered_at=_at(answered, 15) if answered else None, answered_by=answer_by if answered else None)


def _stage(declaration, stage: str, day: date, pct: int, by, note: str = "") -> ResumptionStage:
    return ResumptionStage.objects.create(unit=declaration.unit, declaration=declaration, stage=stage, reached_on=day,
                                          capacity_pct=pct, note=note, reported_at=_at(day, 17), reported_by=by)


def load(*, admin, named_sites: dict, rng, today: date) -> int:
    users = get_user_model().objects
    clerk = users.filter(username="clerk").first() or admin
    dept = users.filter(username="dept").first() or admin

    def day(month: int, d: int) -> date:
        return story_date(date(2020, month, d), today)

    ok = DeclarationStatus.ACKNOWLEDGED
    count = 0
    tbea = named_sites["tbea"].unit  # from the page: resumed construction on 5 February
    d = _declare(tbea, declared=day(2, 3), planned=day(2, 5), total=360, by=admin, answer_by=dept, status=ok,
                 answer="同意复工，严格落实防控措施")
    _stage(d, Stage.CONSTRUCTION, day(2, 5), 40, admin, "项目工地复工建设")
    _stage(d, Stage.PARTLY, day(2, 20), 70, admin)
    zhongke = named_sites["zhongke"].unit  # from the page: fully resumed normal production
    d = _declare(zhongke, declared=day(2, 6), planned=day(2, 10), total=620, by=clerk, answer_by=dept, status=ok,
                 answer="予以备案")
    _stage(d, Stage.PARTLY, day(2, 10), 55, clerk)
    _stage(d, Stage.FULLY, day(2, 24), 100, clerk, "全面恢复正常生产")
    workshop = named_sites["workshop"].unit
    d = _declare(workshop, declared=day(2, 4), planned=day(2, 6), total=122, by=admin, answer_by=dept, status=ok)
    _stage(d, Stage.PARTLY, day(2, 6), 80, admin)
    count += 3

    named = {s.unit_id for s in named_sites.values()}
    pool = list(Unit.objects.filter(kind=Unit.Kind.ENTERPRISE, status=Unit.Status.ACTIVE).exclude(pk__in=named)
                .order_by("pk").values_list("pk", "county__code"))
    hengnan = [pk for pk, code in pool if code == HENGNAN]
    others = [pk for pk, code in pool if code != HENGNAN]
    chosen = rng.sample(hengnan, min(len(hengnan), GENERATED // 3))
    chosen += rng.sample(others, min(len(others), GENERATED - len(chosen)))
    units = Unit.objects.in_bulk(chosen)
    plans = ("filed_late", "filed", "returned", "behind", "construction", "partly", "fully")
    for i, pk in enumerate(chosen):
        unit = units[pk]
        plan = plans[i % len(plans)]
        declared = today - timedelta(days=rng.randint(1, 2)) if plan == "filed" else day(2, rng.randint(3, 20))
        planned = declared + timedelta(days=rng.randint(2, 7))
        status = {"filed": DeclarationStatus.FILED, "filed_late": DeclarationStatus.FILED,
                  "returned": DeclarationStatus.RETURNED}.get(plan, ok)
        d = _declare(unit, declared=declared, planned=planned, total=rng.randint(8, 300), by=admin, answer_by=dept,
                     status=status, answer="请补充隔离观察室设置情况" if plan == "returned" else "")
        if plan in ("construction", "partly", "fully"):
            first = min(planned, today)
            _stage(d, Stage.CONSTRUCTION if plan == "construction" else Stage.PARTLY, first, rng.randint(20, 60), admin)
            if plan == "fully":
                _stage(d, Stage.FULLY, min(first + timedelta(days=rng.randint(5, 12)), today), 100, admin)
        count += 1
    return count
