"""The demo city's permit picture: the 2020 campaign, every unit's facts and class, the 270
permits issued 2017–2019 and those of the 2020 campaign (renewed since), registrations, reports,
applications under review and the enforcement cases the daily scan finds.

From the page (Hengyang Daily, February 2020): the campaign under the 2019 catalogue; the 33
industries covered in 2017–2019 due by 20 April 2020, all others by 20 September 2020; 270 permits
issued since 2017 in industries such as steel, cement, thermal power and paper.
Invented: every unit's facts, which units hold the permits, dates, outlets, limits and reports.

Anchored (core.demo_clock): the campaign's deadlines are story dates and move with the anchor, so that they
always lie ahead of it; the permits and registrations of the campaign were decided and filed between
its opening and the anchor, and the reviewer's queue arrived in the days before it. The 270 first
permits of 2017–2019 are history and keep their dates (their renewals follow the law in force on each
date, up to the anchor); the catalogue and the law never move.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from zhengtong.core import demo_clock as story
from zhengtong.core.audit import history_off
from zhengtong.permits import compliance, law, services
from zhengtong.permits.catalogue import load_catalogue
from zhengtong.permits.models import (
    Application,
    ApplicationStep,
    AttachmentRequirement,
    Campaign,
    CampaignIndustry,
    Classification,
    ComplianceReport,
    EnforcementCase,
    FixedSource,
    Permit,
    ReadingDecision,
    Registration,
    ReportValue,
    UnitFacts,
)
from zhengtong.permits.selectors import unit_rows
from zhengtong.permits.workflow import default_report_cadence
from zhengtong.registry.models import Industry, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERMITS_2017_2019 = 270
# The story's campaign (shared/SCENARIO.md): its deadlines from the page; its opening invented.
CAMPAIGN_OPENED = date(2020, 1, 2)
EARLY_DEADLINE, LATE_DEADLINE = date(2020, 4, 20), date(2020, 9, 20)
DECIDED_SO_FAR = 0.8  # share of the open readings a reviewer has decided by the anchor (the first reading)
CAMPAIGN_PERMITS_SO_FAR = 0.6  # share of the campaign's key and simplified units holding a permit by the anchor
REGISTERED_SO_FAR = 0.6  # share of the registration-class units that have filed by the anchor
# The industries the page names; the other 29 of the 33 are in no text we hold (editable data).
EARLY_LIST = {
    "3110": "钢铁", "3120": "钢铁", "3130": "钢铁", "3011": "水泥", "4411": "火电", "4412": "火电",
    "2211": "造纸", "2212": "造纸", "2221": "造纸", "2222": "造纸",
}
ART7_QUANTITIES = {"so2_tpy", "nox_tpy", "dust_tpy", "cod_tpy", "total_nitrogen_tpy", "total_phosphorus_tpy",
                   "ammonia_oil_phenol_tpy", "max_toxic_pollution_equivalent"}
POLLUTANTS = {
    "W": [("化学需氧量", "100", "mg/L"), ("氨氮", "15", "mg/L"), ("总磷", "1", "mg/L")],
    "A": [("颗粒物", "30", "mg/m³"), ("二氧化硫", "200", "mg/m³"), ("氮氧化物", "300", "mg/m³")],
}


def wipe() -> None:
    Application.objects.update(renews=None, previous=None)  # the chains refer both ways
    for model in (EnforcementCase, ReportValue, ComplianceReport, Permit, ApplicationStep, Application,
                  Registration, FixedSource, Classification, ReadingDecision, UnitFacts, CampaignIndustry, Campaign):
        model.objects.all().delete()


def _fact_value(rng, fact):
    """Most units are small: few processes, small capacities (the picture the catalogue expects)."""
    if fact.type == "date":  # the start of operation (catalogue note 2): most units run for years
        return (date(2010, 1, 1) + timedelta(days=rng.randrange(5000))).isoformat()
    if fact.type == "bool":
        if fact.key == "in_industrial_building":
            return rng.random() < 0.8
        if fact.key == "boilers_all_electric":
            return rng.random() < 0.03
        return rng.random() < (0.01 if fact.key == "on_key_list" else 0.12)
    if fact.type == "choices":
        return [rng.choice(fact.choices)[0]]
    if fact.key in ART7_QUANTITIES:
        return round(rng.uniform(0, 0.3), 3)  # Art. 7 quantities of small units
    return round(rng.lognormvariate(1, 2), 1)


def _facts(rng, unit, catalogue) -> dict:
    keys = [k for n in unit_rows(unit, catalogue) for k in catalogue.rows[n].facts]
    facts = {k: _fact_value(rng, catalogue.facts[k]) for k in dict.fromkeys(keys)}
    if rng.random() < 0.06 and facts:
        facts.pop(rng.choice(list(facts)))  # some units have not finished declaring
    return facts


def _declared(unit, facts: dict) -> UnitFacts:
    """The facts as the unit declares them: the whole unit's once, each line's own under the codes
    whose rows ask them (a line fact asked by two lines is declared the same for both)."""
    codes = [unit.industry.code, *sorted(i.code for i in unit.other_industries.all())]
    whole, lines = services.facts_by_line(codes, facts)
    return UnitFacts(unit=unit, facts=whole, lines=lines)


def _add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


def _outlets(rng) -> list[dict]:
    outlets = []
    for medium, count in (("W", 1), ("A", rng.randint(1, 2))):
        for i in range(1, count + 1):
            outlets.append({
                "code": f"D{medium}{i:03d}", "name": "废水总排口" if medium == "W" else f"{i}号废气排口",
                "medium": medium, "destination": "湘江" if medium == "W" else "大气",
                "limits": [{"pollutant": p, "concentration": c, "concentration_unit": u,
                            "annual_quantity": str(round(rng.uniform(2, 60), 1)), "standard": ""}
                           for p, c, u in POLLUTANTS[medium][: rng.randint(2, 3)]]})
    return outlets


def _issue(source, unit, cls, decided: date, admin, rng, renews=None) -> Permit:
    kind = Application.Kind.RENEWAL if renews else Application.Kind.FIRST
    application = Application.objects.create(
        fixed_source=source, kind=kind, renews=renews, status=Application.Status.ISSUED, management_class=cls,
        created_by=admin, submitted_at=_at(decided - timedelta(days=30)), received_on=decided - timedelta(days=30),
        accepted_on=decided - timedelta(days=28), decided_on=decided, reviewer=admin,
        basic_info={"unit_name": unit.name, "address": unit.address, "industry_codes": unit.industry.code})
    years, basis = law.validity_years(decided, renewal=renews is not None)
    outlets = renews.content["outlets"] if renews else _outlets(rng)
    return Permit.objects.create(
        fixed_source=source, application=application, number=source.code(settings.PERMIT_SOURCE_LETTER),
        management_class=cls,
        decided_on=decided, valid_from=decided, valid_until=_add_years(decided, years) - timedelta(1),
        validity_basis=basis, issued_by=admin, report_cadence=default_report_cadence(cls),
        content={"unit_name": unit.name, "uscc": unit.uscc, "address": unit.address,
                 "legal_representative": unit.legal_representative,
                 "industries": [str(unit.industry)], "industry_codes": unit.industry.code,
                 "authority": "衡阳市生态环境局", "outlets": outlets,
                 "monitoring_plan": "按排污单位自行监测技术指南执行", "duties": []})


def _reports(permit: Permit, today: date, admin, rng) -> tuple[list, list]:
    reports, values = [], []
    for row in compliance.expected_reports(permit, today, since=compliance.lookback_start(today), reports=[]):
        if rng.random() < 0.03:
            continue  # a few never filed: the scan finds them
        late = rng.random() < 0.05
        submitted = row["due"] + timedelta(days=rng.randint(3, 20)) if late else row["due"] - timedelta(days=3)
        exceed = rng.random() < 0.02
        report = ComplianceReport(permit=permit, kind=row["kind"], period_start=row["start"], period_end=row["end"],
                                  due=row["due"], submitted_at=_at(submitted), submitted_by=admin)
        vals = []
        for outlet in permit.content["outlets"]:
            for lim in outlet["limits"]:
                limit = float(lim["concentration"])
                measured = limit * (1.3 if exceed else rng.uniform(0.3, 0.9))
                vals.append({"outlet_code": outlet["code"], "pollutant": lim["pollutant"],
                             "concentration": round(measured, 2), "concentration_unit": lim["concentration_unit"],
                             "quantity": round(float(lim["annual_quantity"]) * rng.uniform(0.2, 0.6)
                                               / (1 if row["kind"] == "annual" else 4), 3)})
        if exceed:
            first = vals[0]
            report.exceedances = [{"outlet": first["outlet_code"], "pollutant": first["pollutant"],
                                   "what": "concentration", "actual": str(first["concentration"]),
                                   "limit": next(lim["concentration"] for o in permit.content["outlets"]
                                                 for lim in o["limits"] if lim["pollutant"] == first["pollutant"]),
                                   "unit": first["concentration_unit"], "medium": first["outlet_code"][1]}]
        reports.append(report)
        values.append(vals)
    return reports, values


LABEL = "permits"


def load(*, admin, named_sites: dict, rng, today: date) -> int:
    """Returns the number of permits written; permits lapse, reports fall due and applications arrive
    as of ``today``. The demo's records are written without history rows (as the registry demo's
    are): their history starts with what the user does."""
    with history_off(), transaction.atomic():
        return _load(admin=admin, named_sites=named_sites, rng=rng, today=today)


def _decide_readings(admin, rng, today: date) -> None:
    """Most open readings decided by the bureau (the first reading, with an invented reason); the
    rest still need review on the anchor."""
    rng = random.Random(rng.random())  # a stream of its own: the demo's other draws stay as they were
    decisions = [
        ReadingDecision(unit_id=unit_id, source=source, reading=point["reading"], key=point["key"], choice="a",
                        reason="演示数据：局务会议研究，按第一种理解执行", decided_by=admin, decided_at=_at(today))
        for unit_id, source, points in Classification.objects.filter(management_class="review").order_by(
            "pk").values_list("unit_id", "source", "open_readings")
        for point in points if not point["chosen"] and rng.random() < DECIDED_SO_FAR]
    ReadingDecision.objects.bulk_create(decisions, batch_size=2000)
    if decisions:
        services.units_classify(user=admin)


def _load(*, admin, named_sites: dict, rng, today: date) -> int:
    catalogue = load_catalogue()
    early_deadline, late_deadline = story.story_date(EARLY_DEADLINE, today), story.story_date(LATE_DEADLINE, today)
    opened = story.story_date(CAMPAIGN_OPENED, today)
    campaign = Campaign.objects.create(
        name=f"{early_deadline.year}年度排污许可证申领与核发", early_deadline=early_deadline,
        late_deadline=late_deadline,
        early_list_source="衡阳日报2020年2月：钢铁、水泥、火电、造纸等33个行业（其余29个行业未见原文，待补充）")
    industries = {i.code: i for i in Industry.objects.filter(code__in=EARLY_LIST)}
    CampaignIndustry.objects.bulk_create([
        CampaignIndustry(campaign=campaign, industry=industries[c], note=f"页面所列：{w}")
        for c, w in EARLY_LIST.items() if c in industries])

    units = list(Unit.objects.select_related("industry").prefetch_related("other_industries"))
    clerk_unit = named_sites["zhongke"].unit
    UnitFacts.objects.bulk_create([
        _declared(u, _facts(rng, u, catalogue)) for u in units if u.pk != clerk_unit.pk], batch_size=2000)
    facts = {"on_key_list": False, "solvent_coating_tpy": 15, "in_industrial_building": True,
             **{k: False for k in ("has_boiler", "has_furnace", "has_surface_treatment", "has_water_treatment")}}
    _declared(clerk_unit, {k: v for k, v in facts.items() if k in catalogue.facts}).save()
    services.units_classify(user=admin)
    _decide_readings(admin, rng, today)

    classes = dict(Classification.objects.filter(source=1).values_list("unit_id", "management_class"))
    needing = [u for u in units if classes.get(u.pk) in ("key", "simplified") and u.pk != clerk_unit.pk]
    needing.sort(key=lambda u: (u.industry.code not in EARLY_LIST, rng.random()))
    # One unit of the early list has not applied yet: past the early deadline the daily job finds it.
    late = next((u for u in reversed(needing) if u.industry.code in EARLY_LIST), None)
    if late is not None:
        needing.remove(late)
        needing.append(late)
    early, campaign_2020 = needing[:PERMITS_2017_2019], needing[PERMITS_2017_2019:]
    waiting, campaign_2020 = campaign_2020[:12], campaign_2020[12:]
    holders = [(u, date(2017, 7, 1) + timedelta(days=rng.randint(0, 900))) for u in early]  # history: not moved
    so_far = (today - opened).days - 1  # the campaign's days before the anchor
    holders += [(u, opened + timedelta(days=rng.randint(0, so_far)))
                for u in campaign_2020 if u is not late and rng.random() < CAMPAIGN_PERMITS_SO_FAR]  # rest: to apply
    sources = FixedSource.objects.bulk_create([FixedSource(unit=u, sequence=1, address=u.address) for u, _d in holders])
    permits = []
    for (unit, decided), source in zip(holders, sources, strict=True):
        source.unit = unit
        permit = _issue(source, unit, classes[unit.pk], decided, admin, rng)
        permits.append(permit)
        while permit.valid_until < today and rng.random() < 0.95:
            renewal = permit.valid_until - timedelta(days=rng.randint(40, 80))
            old = permit
            old.status, old.ended_on, old.end_reason = Permit.Status.SUPERSEDED, renewal, "延续"
            old.save(update_fields=["status", "ended_on", "end_reason"])
            permit = _issue(source, unit, old.management_class, renewal, admin, rng, renews=old)
            permits.append(permit)
        if permit.valid_until < today:
            permit.status, permit.ended_on, permit.end_reason = Permit.Status.EXPIRED, permit.valid_until, "expired"
            permit.save(update_fields=["status", "ended_on", "end_reason"])

    all_reports, all_values = [], []
    for permit in permits:
        reports, values = _reports(permit, today, admin, rng)
        all_reports += reports
        all_values += values
    ComplianceReport.objects.bulk_create(all_reports, batch_size=2000)
    ReportValue.objects.bulk_create([ReportValue(report=r, **v) for r, vals in zip(all_reports, all_values, strict=True)
                                     for v in vals], batch_size=5000)

    registration_units = [u for u in units if classes.get(u.pk) == "registration"]
    for unit in registration_units[: int(len(registration_units) * REGISTERED_SO_FAR)]:
        source = FixedSource.objects.create(unit=unit, sequence=1, address=unit.address)
        filed = opened + timedelta(days=rng.randint(0, so_far))
        Registration.objects.create(
            fixed_source=source, number=source.code(settings.REGISTRATION_SOURCE_LETTER), unit_name=unit.name,
            address=unit.address or "—",
            industry_codes=unit.industry.code, legal_representative=unit.legal_representative or "—",
            contact_name=unit.contact_name or "—", contact_phone=unit.contact_phone or "—",
            discharge_destinations="生活污水经化粪池处理后排入市政管网", standards="GB 8978-1996",
            control_measures="设备密闭、定期维护", management_class="registration",
            filed_at=_at(filed), filed_by=admin, valid_until=_add_years(filed, 5))

    # The city's own application documents (invented, as the demo's other data): one for every application.
    AttachmentRequirement.objects.create(name="建设项目环境影响评价文件及批复", order=1,
                                         note="演示数据：本市管理员在后台“本市要求的申请材料”中维护")
    for i, unit in enumerate(waiting):  # the reviewer's queue: applications received in recent days
        source = FixedSource.objects.create(unit=unit, sequence=1, address=unit.address)
        received = today - timedelta(days=i + 1)
        status = Application.Status.SUBMITTED if i % 2 == 0 else Application.Status.ACCEPTED
        Application.objects.create(
            fixed_source=source, status=status, management_class=classes[unit.pk], created_by=admin,
            submitted_at=_at(received), received_on=received,
            accepted_on=received + timedelta(days=1) if status == Application.Status.ACCEPTED else None,
            basic_info={"unit_name": unit.name, "address": unit.address, "industry_codes": unit.industry.code,
                        "production_description": "（演示）", "legal_representative": "—", "contact_name": "—",
                        "contact_phone": "—"},
            facilities=[{"name": "主要生产线", "kind": "production", "capacity": "—"}],
            monitoring_plan="按排污单位自行监测技术指南执行")
    _second_location(clerk_unit, facts, catalogue)
    compliance.enforcement_scan(today=today)
    return len(permits)


def _second_location(unit, facts: dict, catalogue) -> None:
    """The clerk's unit also coats at a second plant (fixed source 002, invented): less solvent there,
    so the two locations differ in class and the clerk sees each with its own facts and filing."""
    FixedSource.objects.get_or_create(unit=unit, sequence=1, defaults={"address": unit.address})
    FixedSource.objects.create(unit=unit, sequence=2, address="衡阳市高新区二期标准厂房（演示）")
    second = {**{k: v for k, v in facts.items() if k in catalogue.facts}, "solvent_coating_tpy": 4}
    declared = _declared(unit, second)
    declared.source = 2
    declared.save()
    services.source_classify(unit=unit, source=2)
