"""The demo city's resumption: the page's enterprises in their stages and a few hundred generated
enterprises across the counties in every stage, so that the county officer sees who has not declared,
who is behind plan and the rates by county and industry.

From the page: the TBEA industrial park resumed construction on 5 February; Zhongke Optoelectronics has
fully resumed normal production; the city party secretary visited four units on 27 February and gave
instructions (``_visits``: by title; the instructions' departments and dates invented). invented: every
other date, workforce figure and capacity, and every generated enterprise's declaration. Dates are the
story's (2020), moved to the anchor (core.demo_clock).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhengtong.core.demo_clock import story_date
from zhengtong.registry.models import Department, Unit
from zhengtong.resumption.clocks import due_after
from zhengtong.resumption.models import (
    DeclarationStatus,
    Difficulty,
    DifficultyAttachment,
    DifficultyCategory,
    DifficultyEvent,
    DifficultyRoute,
    ExpectedUnit,
    InspectionVisit,
    Instruction,
    InstructionEvent,
    ResumptionDeclaration,
    ResumptionStage,
    Stage,
)
from zhengtong.resumption.services import DIFFICULTIES, lead_department_for, route_for, start_clocks

LABEL = "resumption"
GENERATED = 300  # generated enterprises given a declaration, a few hundred (others are left undeclared)
HENGNAN = "430422"  # the demo county officer's county: a share of the generated ones are there


def wipe() -> None:
    from zhengtong.resumption.models import Donation, DonationCampaign

    InstructionEvent.objects.all().delete()
    Instruction.objects.all().delete()
    InspectionVisit.objects.all().delete()
    Donation.objects.filter(corrects__isnull=False).delete()
    Donation.objects.all().delete()
    DonationCampaign.objects.all().delete()
    DifficultyAttachment.objects.all().delete()
    DifficultyEvent.objects.all().delete()
    Difficulty.objects.all().delete()
    DifficultyRoute.objects.all().delete()
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


def _county_gate() -> tuple[Unit, int] | None:
    """invented: the factory of the demo county officer's county (衡南县) that screens at its gate
    (screening's demo; ``screening.selectors.county_gate_site``) declares a workforce far above what its
    gate admits: a total of 2.5 times the people who come to its gate, so a returned workforce (80% of
    the total) of twice them, while about nine in ten of them come in each day. Its measured workforce is
    then about 45% of the declared figure, a gap the county officer sees flagged (ZT_WORKFORCE_GAP_PCT,
    30% by default).
    (unit, declared total), or None when the demo has no such factory."""
    from zhengtong.registry.models import Region
    from zhengtong.screening import selectors as screening_selectors

    county = Region.objects.filter(code=HENGNAN).first()
    site = screening_selectors.county_gate_site(county.pk) if county is not None else None
    if site is None:
        return None
    return site.unit, len(screening_selectors.county_gate_people(site)) * 5 // 2


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
    gate = _county_gate()
    plans = ("filed_late", "filed", "returned", "behind", "construction", "partly", "fully")
    for i, pk in enumerate(chosen):
        unit = units[pk]
        plan = plans[i % len(plans)]
        declared = today - timedelta(days=rng.randint(1, 2)) if plan == "filed" else day(2, rng.randint(3, 20))
        planned = declared + timedelta(days=rng.randint(2, 7))
        status = {"filed": DeclarationStatus.FILED, "filed_late": DeclarationStatus.FILED,
                  "returned": DeclarationStatus.RETURNED}.get(plan, ok)
        total = rng.randint(8, 300)  # drawn for every unit, the gate factory's too: the draws stay in order
        if gate is not None and pk == gate[0].pk:  # its figure, declared before its gate's two weeks
            total = gate[1]
            if plan == "filed":
                declared, planned = day(2, 10), day(2, 12)
        d = _declare(unit, declared=declared, planned=planned, total=total, by=admin, answer_by=dept,
                     status=status, answer="请补充隔离观察室设置情况" if plan == "returned" else "")
        if plan in ("construction", "partly", "fully"):
            first = min(planned, today)
            _stage(d, Stage.CONSTRUCTION if plan == "construction" else Stage.PARTLY, first, rng.randint(20, 60), admin)
            if plan == "fully":
                _stage(d, Stage.FULLY, min(first + timedelta(days=rng.randint(5, 12)), today), 100, admin)
        count += 1
    if gate is not None and gate[0].pk not in units:  # not drawn: it declares all the same (no draw)
        d = _declare(gate[0], declared=day(2, 10), planned=day(2, 12), total=gate[1], by=admin, answer_by=dept,
                     status=ok, answer="予以备案")
        _stage(d, Stage.PARTLY, day(2, 12), 60, admin, "部分复产")
        count += 1
    count += _donations(admin=admin, day=day)
    count += _visits(admin=admin, named_sites=named_sites, hengnan=hengnan, day=day, today=today)
    return count + _difficulties(admin=admin, clerk=clerk, dept=dept, named_sites=named_sites, hengnan=hengnan,
                                 rng=rng, today=today)


# The donation drive --------------------------------------------------------------------------------

# From the page (27 February 2020): "yesterday afternoon" the party members and cadres of the party
# committee office's system donated to support epidemic prevention; the city's party secretary, deputy
# secretary, a standing committee member and secretary-general, and a city leader donated first. The
# leaders are named by title only; the other donors and every amount are invented.
LEADERS = ("市委书记", "市委副书记", "市委常委、市委秘书长", "市领导")
MEMBERS = (("王建华", "市委办秘书一科"), ("李红梅", "市委办秘书一科"), ("张志强", "市委办综合科"),
           ("刘晓燕", "市委办综合科"), ("陈国平", "市委督查室"), ("杨丽", "市委督查室"), ("赵文斌", "市委机要局"),
           ("周海燕", "市委机要局"), ("吴俊", "市委办信息科"), ("郑桂兰", "市委办信息科"))


def _donations(*, admin, day) -> int:
    from zhengtong.registry.models import Department
    from zhengtong.resumption.models import Donation, DonationCampaign, DonorKind

    office = Department.objects.filter(code="swb").first()
    if office is None:
        return 0
    campaign = DonationCampaign.objects.create(
        name="市委办系统党员干部支持新冠肺炎疫情防控捐款", organiser=office, starts_on=day(2, 26),
        purpose="响应党中央号召，支持新冠肺炎疫情防控工作", created_by=admin)
    rows = [Donation(campaign=campaign, donor_kind=DonorKind.PERSON, donor_name=title, organisation="市委",
                     party_member=True, is_leader=True, title="", amount=amount, donated_on=day(2, 26),
                     recorded_by=admin, recorded_at=_at(day(2, 26), 15))
            for title, amount in zip(LEADERS, (2000, 1500, 1500, 1000), strict=True)]
    rows += [Donation(campaign=campaign, donor_kind=DonorKind.PERSON, donor_name=name, organisation=unit,
                      party_member=True, amount=amount, donated_on=day(2, 26), recorded_by=admin,
                      recorded_at=_at(day(2, 26), 16))
             for (name, unit), amount in zip(MEMBERS, (500, 500, 300, 300, 500, 200, 300, 200, 200, 300), strict=True)]
    rows.append(Donation(campaign=campaign, donor_kind=DonorKind.ORGANISATION, donor_name="市委办机关工会",
                         organisation="市委办机关工会", amount=5000, donated_on=day(2, 27), recorded_by=admin,
                         recorded_at=_at(day(2, 27), 10)))
    Donation.objects.bulk_create(rows)
    return len(rows)


# Difficulties --------------------------------------------------------------------------------------

# invented: the routing table (the page names only the departments) and every difficulty below; the page
# says the county and the city departments must help enterprises solve their difficulties.
ROUTES: dict[str, str] = {DifficultyCategory.APPROVALS.value: "sthjj"}  # every other category: 市发改委 (fgw)


def _difficulty(unit, category: str, title: str, details: str, reported: date, steps, *, by) -> Difficulty:
    """A difficulty reported on ``reported`` and moved by ``steps`` ((action, day, user, text, rating) each,
    checked against the state table), with its thread."""
    d = Difficulty(unit=unit, category=category, title=title, details=details, department=route_for(unit, category),
                   reported_on=reported, reported_at=_at(reported, 10), reported_by=by)
    start_clocks(d, reported)
    d.save()
    DifficultyEvent.objects.create(difficulty=d, kind="report", to_status=d.status, department=d.department,
                                   text=details, at=_at(reported, 10), by=by)
    for action, day, user, text, rating in steps:
        move = DIFFICULTIES.check(d.status, action)
        before = d.status
        if action == "accept":
            d.accepted_on = day
        elif action == "resolve":
            d.resolved_on = day
        elif action == "reopen":
            d.resolve_due = due_after(day, settings.DIFFICULTY_RESOLVE_DAYS.get("*", 5)).due
        elif action == "confirm":
            d.closed_on, d.rating = day, rating
        if move.target:
            d.status = move.target
        DifficultyEvent.objects.create(difficulty=d, kind=action, from_status=before, to_status=d.status, text=text,
                                       rating=rating, at=_at(day, 14), by=user)
    d.save()
    return d


def _difficulties(*, admin, clerk, dept, named_sites: dict, hengnan: list[int], rng, today: date) -> int:
    fgw = Department.objects.filter(code="fgw").first()
    for category in DifficultyCategory.values:
        department = Department.objects.filter(code=ROUTES.get(category, "fgw")).first() or fgw
        if department is not None:
            DifficultyRoute.objects.create(category=category, department=department)
    C = DifficultyCategory
    zhongke, tbea = named_sites["zhongke"].unit, named_sites["tbea"].unit
    workshop = named_sites["workshop"].unit

    def ago(n: int) -> date:
        return today - timedelta(days=n)

    made = [
        _difficulty(zhongke, C.PREVENTION_SUPPLIES, "口罩和测温枪不足",
                    "复产后每日需口罩1200只，现库存仅够两天；红外测温枪缺4把。",
                    ago(18), [("accept", ago(17), dept, "已受理，协调市工信部门调拨。", None),
                              ("resolve", ago(15), dept, "已调拨口罩2万只、测温枪4把。", None),
                              ("confirm", ago(14), clerk, "已收到，感谢。", 5)], by=clerk),
        _difficulty(zhongke, C.LOGISTICS, "原料运输车辆通行受阻", "外省供应商货车进市需通行证，已停运三天。",
                    ago(6), [("accept", ago(5), dept, "已受理。", None),
                             ("reply", ago(4), clerk, "车牌号已补充提交。", None),
                             ("resolve", ago(1), dept, "已办理重点物资运输车辆通行证。", None)], by=clerk),
        _difficulty(zhongke, C.FUNDS, "流动资金紧张", "一季度订单减少，工资和社保支付压力大，希望协调贷款展期。",
                    ago(2), [("accept", ago(1), dept, "已受理，转请人民银行协调。", None)], by=clerk),
        _difficulty(tbea, C.WORKFORCE, "外地工人返岗难", "项目320名工人中约90人在外省，需包车接返并安排隔离。",
                    ago(8), [], by=admin),
        _difficulty(tbea, C.RAW_MATERIALS, "钢材供应不足", "钢结构用钢材到货不足计划的一半。",
                    ago(12), [("accept", ago(11), dept, "已受理。", None),
                              ("resolve", ago(7), dept, "已协调钢厂优先供货。", None),
                              ("reopen", ago(5), admin, "只到货三成，仍不能满足施工。", None)], by=admin),
        _difficulty(workshop, C.OTHER, "职工子女托管", "学校未开学，部分双职工子女无人照看。", today, [], by=admin),
    ]
    units = Unit.objects.in_bulk(hengnan[:6])
    asks = ((C.APPROVALS, "环评审批能否容缺办理"), (C.WORKFORCE, "招工难"), (C.RAW_MATERIALS, "原材料断供"),
            (C.LOGISTICS, "产品发货难"), (C.FUNDS, "贷款到期需展期"), (C.PREVENTION_SUPPLIES, "消毒液不足"))
    for i, unit in enumerate(units.values()):
        category, title = asks[i % len(asks)]
        reported = ago(rng.randint(4, 10))
        steps = [] if i % 2 == 0 else [("accept", reported + timedelta(days=1), dept, "已受理。", None)]
        made.append(_difficulty(unit, category, title, "请协调解决。", reported, steps, by=admin))
    return len(made)


# Leaders' visits and instructions ------------------------------------------------------------------

# From the page (27 February 2020, morning): the city party secretary visited 衡州监狱, 衡南县福利中心, the TBEA
# industrial park and 湖南中科光电 on prevention and resumption, and gave instructions on the difficulties
# he heard of; "Hengnan County and the city departments must support and help the enterprises". The
# leader is named by title. The instructions' wording follows the page; the departments they went to,
# the due dates and what became of them are invented. invented: an earlier visit (by "a city leader",
# 14 February) to the TBEA park and a generated Hengnan enterprise, so that the departments have an
# instruction past its due date and one confirmed done.
SECRETARY_VISIT = ("市委书记", "调研疫情防控和复工复产工作：压紧压实责任，落实更严格的管理措施，"
                   "坚决防止外部传染源输入，精准稳妥推进企业复工复产。")


def _visits(*, admin, named_sites: dict, hengnan: list[int], day, today: date) -> int:
    from zhengtong.accounts import scopes
    from zhengtong.resumption import visits

    users = get_user_model().objects
    fgw = Department.objects.filter(code="fgw").first()
    if fgw is None:
        return 0
    dept = users.filter(username="dept").first()  # the demo's officer of 市发改委, else the city acts
    dept = dept if dept is not None and scopes.can_handle_instruction(dept, fgw.pk) else admin
    county = users.filter(username="county").first()  # of 衡南县: confirms what was done there

    def department(code: str) -> Department:
        return Department.objects.filter(code=code).first() or fgw

    def moves(instruction, steps) -> None:
        for k, (action, when, hour, user, text) in enumerate(steps, start=1):  # a few minutes apart in an hour
            visits.instruction_move(user=user, instruction=instruction, action=action, data={"text": text},
                                    today=when, at=_at(when, hour) + timedelta(minutes=10 * k))

    prison, welfare = named_sites["prison"].unit, named_sites["welfare"].unit
    tbea, zhongke = named_sites["tbea"].unit, named_sites["zhongke"].unit
    enterprise = Unit.objects.filter(pk__in=hengnan).order_by("pk").first() or welfare
    if county is None or not scopes.can_follow_instruction(county, recorder_id=admin.pk,
                                                           county_ids={enterprise.county_id}):
        county = admin
    earlier = day(2, 14)
    visit = visits.visit_record(user=admin, today=earlier, at=_at(earlier, 17), data={
        "leader_title": "市领导", "visited_on": earlier, "units": [tbea, enterprise],
        "summary": "调研重点项目和企业复工复产准备情况。",
        "instructions": [
            {"text": "协调解决项目外地工人返岗和隔离安排。", "unit": tbea, "department": fgw, "due_on": day(2, 21)},
            {"text": "帮助企业落实口罩、消毒液等防疫物资，尽快具备复工条件。", "unit": enterprise,
             "department": department("hengnan-gov"), "due_on": day(2, 21)}]})
    overdue, done = visit.instructions.order_by("id")
    moves(overdue, [("accept", day(2, 15), 9, dept, "已受理，会同人社部门对接。"),
                    ("reply", day(2, 19), 15, dept, "已联系包车两辆，外省工人隔离点正在落实。")])
    moves(done, [("accept", day(2, 15), 10, admin, "已受理。"),
                 ("report_done", day(2, 20), 16, admin, "已调配口罩5000只、消毒液200公斤，企业已具备复工条件。"),
                 ("confirm", day(2, 21), 9, county, "经核实，已落实。")])
    story = day(2, 27)
    visit = visits.visit_record(user=admin, today=story, at=_at(story, 12), data={
        "leader_title": SECRETARY_VISIT[0], "visited_on": story, "units": [prison, welfare, tbea, zhongke],
        "summary": SECRETARY_VISIT[1],
        "instructions": [
            {"text": "严肃纪律、严格管理、严密防控，关心关爱一线干警，为大家专心抗“疫”解决后顾之忧。", "unit": prison,
             "department": department("shigu-gov"), "due_on": day(3, 5)},
            {"text": "实施更严格的管理措施，防止外部传染源输入。", "unit": welfare,
             "department": department("hengnan-gov"), "due_on": day(2, 29)},
            {"text": "精准稳妥推进项目建设，协调解决项目推进中遇到的困难和问题。", "unit": tbea, "department": fgw,
             "due_on": day(3, 12)},
            {"text": "精准稳妥推进产能恢复，支持企业技术研发，协调解决生产经营中的困难。", "unit": zhongke,
             "department": fgw, "due_on": day(3, 12)},
            {"text": "衡南县及市直有关部门要加强对企业的支持和帮扶，积极为企业做好服务，协调解决企业遇到的困难和问题。",
             "unit": None, "department": department("hengnan-gov"), "due_on": day(3, 12)}]})
    rows = list(visit.instructions.order_by("id"))
    moves(rows[0], [("accept", story, 12, admin, "已受理。")])
    moves(rows[1], [("accept", story, 12, admin, "已受理。"),
                    ("report_done", story, 12, admin, "福利中心自1月26日起全封闭管理，已再次核查门禁和人员进出登记。")])
    return 2
