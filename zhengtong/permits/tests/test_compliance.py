"""Compliance reports against the permit's limits, late and missing reports, and enforcement cases
with the legal bases in force on the violation date."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import compliance, law, services
from zhengtong.permits.models import (
    Campaign,
    CampaignIndustry,
    ComplianceReport,
    EnforcementCase,
)
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


DEADLINE = "2099-12-31"  # a rectification deadline after any day of decision here


def at(y, m, d):
    return datetime(y, m, d, 10, tzinfo=SHANGHAI)


@pytest.fixture
def permit(world):
    return issued_permit(world)


def cod(concentration="80", quantity="2", unit="mg/L"):
    return [{"outlet_code": "DW001", "pollutant": "化学需氧量", "concentration": concentration,
             "concentration_unit": unit, "quantity": quantity}]


def test_a_report_within_the_limits_has_no_exceedance(world, permit):
    report = compliance.report_submit(user=world.users[Role.ENTERPRISE_CLERK], permit=permit, kind="quarterly",
                                      period_start=date(2020, 4, 1), values=cod(), now=at(2020, 7, 10))
    assert report.exceedances == [] and report.due == date(2020, 7, 15) and not report.is_late


def test_a_concentration_above_the_limit_is_flagged(world, permit):
    report = compliance.report_submit(user=world.users[Role.ENTERPRISE_CLERK], permit=permit, kind="quarterly",
                                      period_start=date(2020, 4, 1), values=cod("120"), now=at(2020, 7, 10))
    assert [e["what"] for e in report.exceedances] == ["concentration"]


def test_the_years_quantity_adds_up_across_quarters(world, permit):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    for start, when in ((date(2020, 4, 1), at(2020, 7, 10)), (date(2020, 7, 1), at(2020, 10, 10))):
        report = compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=start,
                                          values=cod(quantity="6"), now=when)
    assert [e["what"] for e in report.exceedances] == ["quantity"]  # 12 t > 10 t/a


@pytest.mark.parametrize("kwargs, field", [
    ({"period_start": date(2020, 1, 1)}, "period_start"),  # before the permit
    ({"period_start": date(2020, 5, 1)}, "period_start"),  # not a quarter's start
    ({"period_start": date(2020, 7, 1)}, "period_start"),  # not over on 2020-07-10
    ({"kind": "monthly"}, "kind"),
    ({"values": cod(quantity="-1")}, "values[0].quantity"),
    ({"values": cod(unit="")}, "values[0].concentration_unit"),
    ({"values": [{"outlet_code": "DA009", "pollutant": "x", "quantity": "1"}]}, "values[0].pollutant"),
])
def test_bad_reports_are_refused_with_the_field(world, permit, kwargs, field):
    data = {"kind": "quarterly", "period_start": date(2020, 4, 1), "values": cod(), **kwargs}
    with pytest.raises(DomainError) as e:
        compliance.report_submit(user=world.users[Role.ENTERPRISE_CLERK], permit=permit, now=at(2020, 7, 10), **data)
    assert field in e.value.errors
    assert not ComplianceReport.objects.exists()


def test_a_correction_is_a_new_version_and_the_first_is_kept(world, permit):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    first = compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=date(2020, 4, 1),
                                     values=cod(), now=at(2020, 7, 10))
    with pytest.raises(DomainError):
        compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=date(2020, 4, 1),
                                 values=cod("90"), now=at(2020, 7, 11))
    second = compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=date(2020, 4, 1),
                                      values=cod("90"), correction_reason="抄录错误", now=at(2020, 7, 11))
    first.refresh_from_db()
    assert first.status == "superseded" and first.values.get().concentration == 80
    assert second.version == 2 and second.values.get().concentration == 90


def test_only_the_units_clerk_reports(world, permit):
    with pytest.raises(PermissionDenied):
        compliance.report_submit(user=world.users[Role.PERMIT_REVIEWER], permit=permit, kind="quarterly",
                                 period_start=date(2020, 4, 1), values=cod(), now=at(2020, 7, 10))


def test_missing_and_late_reports_open_cases_once(world, permit):
    compliance.report_submit(user=world.users[Role.ENTERPRISE_CLERK], permit=permit, kind="quarterly",
                             period_start=date(2020, 4, 1), values=cod(), now=at(2020, 7, 20))  # late
    rows = compliance.expected_reports(permit, date(2020, 11, 1))
    assert [(r["kind"], r["start"], r["missing"], r["late"]) for r in rows] == [
        ("quarterly", date(2020, 4, 1), False, True), ("quarterly", date(2020, 7, 1), True, False)]
    opened = compliance.enforcement_scan(today=date(2020, 11, 1))
    assert opened["late_report"] == 1 and opened["missing_report"] == 1
    assert sum(compliance.enforcement_scan(today=date(2020, 11, 1)).values()) == 0


def test_no_permit_after_the_deadline_opens_a_case_with_the_laws_in_force(world):
    unit = UnitFactory(county_code="430422", industry_code="2221", name="无证造纸厂")
    services.units_classify(user=world.users[Role.CITY_ADMIN])
    campaign = Campaign.objects.create(name="2020", early_deadline=date(2020, 4, 20), late_deadline=date(2020, 9, 20))
    CampaignIndustry.objects.create(campaign=campaign, industry=Industry.objects.get(code="2221"))
    compliance.enforcement_scan(today=date(2020, 4, 21))
    case = EnforcementCase.objects.get(unit=unit)
    assert case.kind == "no_permit" and case.violation_date == date(2020, 4, 21)
    # 2020: the water and air laws' 100,000–1,000,000 band; not the 2021 regulation.
    assert {p.key for p in compliance.case_bases(case)} == {"water83", "air99"}
    reviewer = world.users[Role.PERMIT_REVIEWER]
    with pytest.raises(DomainError) as e:
        compliance.case_decide(user=reviewer, case=case, basis="water83", measures=["order_correction"], fine="50000")
    assert "fine" in e.value.errors
    with pytest.raises(DomainError):
        compliance.case_decide(user=reviewer, case=case, basis="reg33", measures=["order_correction"], fine="300000")
    case = compliance.case_decide(user=reviewer, case=case, basis="water83",
                                  measures=["order_correction", "restrict_production"], fine="100000",
                                  deadline=DEADLINE)
    case = compliance.case_move(user=reviewer, case=case, action="rectify")
    with pytest.raises(DomainError):
        compliance.case_move(user=reviewer, case=case, action="close", note="")
    case = compliance.case_move(user=reviewer, case=case, action="close", note="已取得排污许可证，罚款已缴纳")
    assert case.status == "closed" and case.history.count() == 4


def test_from_2021_03_01_no_permit_is_offered_the_regulations_band_as_well():
    keys = {p.key: (p.min_yuan, p.max_yuan) for p in law.penalties_for("no_permit", date(2021, 3, 1))}
    assert keys["reg33"] == (200_000, 1_000_000) and keys["water83"] == (100_000, 1_000_000)
    assert law.penalties_for("late_report", date(2020, 12, 31)) == []


def test_the_per_instance_fine_for_reports_scales_with_instances(world, permit):
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="missing_report", reference="r",
                                          violation_date=date(2021, 7, 16))
    reviewer = world.users[Role.PERMIT_REVIEWER]
    decided = compliance.case_decide(user=reviewer, case=case, basis="reg37", measures=["order_correction"],
                                     fine="40000", instances=2, deadline=DEADLINE)
    assert decided.fine == 40000


def test_an_air_exceedance_is_offered_the_air_law_only(world):
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="exceedance", violation_date=date(2020, 6, 30),
                                          reference="exceed:1:quarterly:2020-04-01:DA001:二氧化硫")
    assert [p.key for p in compliance.case_bases(case)] == ["air99"]


def test_a_correction_after_the_due_date_does_not_make_a_report_late(world, permit):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=date(2020, 4, 1),
                             values=cod(), now=at(2020, 7, 10))
    compliance.report_submit(user=clerk, permit=permit, kind="quarterly", period_start=date(2020, 4, 1),
                             values=cod("81"), correction_reason="更正", now=at(2020, 8, 10))
    rows = compliance.expected_reports(permit, date(2020, 9, 1))
    assert rows[0]["late"] is False and rows[0]["report"].version == 2


CASE_MOVES = [(name, status) for name in compliance.CASES.moves for status in EnforcementCase.Status.values]


@pytest.mark.parametrize(("action", "status"), CASE_MOVES)
def test_a_case_makes_each_move_from_the_tables_states_and_refuses_it_from_the_others(world, action, status):
    """compliance.CASES is the whole truth of a case's path: each move from each status."""
    reviewer = world.users[Role.PERMIT_REVIEWER]
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="x", status=status,
                                          violation_date=date(2020, 5, 1))
    move = compliance.CASES.moves[action]

    def make():
        if action == "decide":
            return compliance.case_decide(user=reviewer, case=case, basis="water83",
                                          measures=["order_correction"], fine="100000", deadline=DEADLINE)
        return compliance.case_move(user=reviewer, case=case, action=action, note="已整改")

    if status in move.sources:
        assert make().status == move.target
        assert action in compliance.case_moves(user=reviewer, case=EnforcementCase(unit=world.unit_a, status=status))
        return
    with translation.override("en"), pytest.raises(DomainError) as e:
        make()
    with translation.override("en"):
        assert e.value.status == 409 and f"“{move.label}” is not possible while the case is" in e.value.message
    case.refresh_from_db()
    assert case.status == status


def test_no_one_but_a_reviewer_of_the_region_is_offered_a_cases_moves(world):
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="x",
                                          violation_date=date(2020, 5, 1))
    assert compliance.case_moves(user=world.users[Role.ENTERPRISE_CLERK], case=case) == {}
    with pytest.raises(PermissionDenied):
        compliance.case_move(user=world.users[Role.ENTERPRISE_CLERK], case=case, action="close", note="x")
