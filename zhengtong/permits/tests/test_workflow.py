"""The application's path from draft to issued permit: every allowed move, every refused one, the
statutory clocks, and the permit's number, term and end."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.core.workdays import DayBasis
from zhengtong.permits import services, workflow
from zhengtong.permits.models import Application, ApplicationStep, Permit, UnitFacts
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db

OUTLETS = [
    {"code": "DW001", "name": "废水总排口", "destination": "湘江",
     "limits": [{"pollutant": "化学需氧量", "concentration": "100", "concentration_unit": "mg/L",
                 "annual_quantity": "12.5", "standard": "GB 3544-2008"},
                {"pollutant": "氨氮", "concentration": "8", "concentration_unit": "mg/L", "annual_quantity": "1.2"}]},
    {"code": "da001", "name": "锅炉废气排口",
     "limits": [{"pollutant": "二氧化硫", "concentration": "200", "concentration_unit": "mg/m³"}]},
]
COMPLETE = {
    "production_description": "年产机制纸5万吨", "legal_representative": "王五", "contact_name": "赵六",
    "contact_phone": "0734-1234567", "address": "衡南县云集镇", "monitoring_plan": "废水总排口COD每日自动监测",
    "facilities": [{"name": "造纸机", "kind": "production", "capacity": "5万吨/年"},
                   {"name": "污水处理站", "kind": "treatment", "capacity": "3000吨/日"}],
    "outlets": OUTLETS,
}


@pytest.fixture
def clerk(world):
    return world.users[Role.ENTERPRISE_CLERK]


@pytest.fixture
def reviewer(world):
    return world.users[Role.PERMIT_REVIEWER]


def paper_mill(world):
    """unit_a as a paper mill (2221): key management by row 37, with no general processes."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={"has_boiler": False, "has_furnace": False,
                                               "has_surface_treatment": False, "has_water_treatment": False})
    services.unit_classify(unit=unit)
    return unit


def simplified_unit(world):
    """unit_a as a coated-paper maker (2223) with wastewater and waste gas: simplified, row 37."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2223")
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={
        "has_boiler": False, "has_furnace": False, "has_surface_treatment": False, "has_water_treatment": False,
        "industrial_wastewater": True, "industrial_waste_gas": True, "in_industrial_building": True})
    assert services.unit_classify(unit=unit).management_class == "simplified"
    return unit


def drafted(world, clerk, *, unit=None, notice=(date(2020, 3, 2), date(2020, 3, 9))):
    unit = unit or paper_mill(world)
    application = workflow.application_create(user=clerk, unit=unit, on=date(2020, 3, 10))
    data = {**COMPLETE, "public_notice_from": notice[0], "public_notice_to": notice[1]} if notice else COMPLETE
    return workflow.application_update(user=clerk, application=application, data=data)


def submitted(world, clerk, on=date(2020, 3, 10), **kw):
    return workflow.application_submit(user=clerk, application=drafted(world, clerk, **kw), on=on)


def test_the_whole_path_to_an_issued_permit(world, clerk, reviewer):
    application = submitted(world, clerk)
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 3, 11))
    application = workflow.application_approve(user=reviewer, application=application, on=date(2020, 4, 1))
    permit = workflow.application_issue(user=reviewer, application=application, national_number="",
                                        on=date(2020, 4, 3))
    unit = world.unit_a
    assert permit.number == f"{unit.uscc}001P" and len(permit.number) == 22
    # Decided 2020-04-01 under 办法2018 Art. 21: a first permit runs three years.
    assert (permit.valid_from, permit.valid_until) == (date(2020, 4, 1), date(2023, 3, 31))
    assert "第二十一条" in permit.validity_basis
    assert [o["code"] for o in permit.content["outlets"]] == ["DA001", "DW001"]
    assert permit.content["outlets"][1]["limits"][0] == {
        "pollutant": "化学需氧量", "concentration": "100", "concentration_unit": "mg/L", "annual_quantity": "12.5",
        "standard": "GB 3544-2008"}
    assert [s.action for s in ApplicationStep.objects.filter(application=application)] == [
        "submit", "accept", "approve", "issue"]
    application.refresh_from_db()
    assert application.status == "issued"


def test_a_permit_decided_under_the_2021_regulation_runs_five_years(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2021, 3, 10), notice=(date(2021, 3, 1), date(2021, 3, 2)))
    workflow.application_accept(user=reviewer, application=application, on=date(2021, 3, 11))
    workflow.application_approve(user=reviewer, application=application, on=date(2021, 3, 20))
    permit = workflow.application_issue(user=reviewer, application=application, on=date(2021, 3, 22))
    assert permit.valid_until == date(2026, 3, 19) and "条例" in permit.validity_basis


def test_issuing_before_the_decision_is_refused_and_says_what_is_needed(world, clerk, reviewer):
    application = submitted(world, clerk)
    with translation.override("en"), pytest.raises(DomainError) as e:
        workflow.application_issue(user=reviewer, application=application, on=date(2020, 3, 11))
    assert e.value.status == 409 and "Approved" in e.value.message
    assert not Permit.objects.exists()


def test_submitting_an_incomplete_application_names_every_missing_material(world, clerk):
    application = workflow.application_create(user=clerk, unit=paper_mill(world), on=date(2020, 3, 10))
    with pytest.raises(DomainError) as e:
        workflow.application_submit(user=clerk, application=application, on=date(2020, 3, 10))
    assert {"production_description", "facilities", "outlets", "monitoring_plan", "public_notice_from"} <= set(
        e.value.errors)
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_key_disclosure_shorter_than_five_working_days_is_refused_under_the_2018_rules(world, clerk):
    # 2020-01-20 (Mon) to 2020-01-23 (Thu): four working days, then the Spring Festival.
    application = drafted(world, clerk, notice=(date(2020, 1, 20), date(2020, 1, 23)))
    with translation.override("en"), pytest.raises(DomainError) as e:
        workflow.application_submit(user=clerk, application=application, on=date(2020, 2, 3))
    assert "lasted 4 working days" in e.value.errors["public_notice_to"][0]


@pytest.mark.parametrize("outlet, field", [
    ({"code": "DX001", "name": "x", "limits": [{"pollutant": "COD", "annual_quantity": "1"}]}, "outlets[0].code"),
    ({"code": "DW001", "name": "x", "limits": [{"pollutant": "COD", "concentration": "50"}]},
     "outlets[0].limits[0].concentration_unit"),
    ({"code": "DW001", "name": "x", "limits": [{"pollutant": "COD", "annual_quantity": "-1"}]},
     "outlets[0].limits[0].annual_quantity"),
    ({"code": "DW001", "name": "x", "limits": []}, "outlets[0].limits"),
])
def test_bad_outlets_and_limits_are_named(world, clerk, outlet, field):
    application = workflow.application_create(user=clerk, unit=paper_mill(world), on=date(2020, 3, 10))
    with pytest.raises(DomainError) as e:
        workflow.application_update(user=clerk, application=application, data={"outlets": [outlet]})
    assert field in e.value.errors
    assert not application.outlets.exists()


def test_a_second_application_while_one_is_open_is_refused(world, clerk):
    drafted(world, clerk)
    with pytest.raises(DomainError) as e:
        workflow.application_create(user=clerk, unit=world.unit_a, on=date(2020, 3, 11))
    assert e.value.status == 409


def test_a_submitted_application_is_never_changed(world, clerk):
    application = submitted(world, clerk)
    with pytest.raises(DomainError):
        workflow.application_update(user=clerk, application=application, data={"monitoring_plan": "改"})


def test_return_within_three_working_days_then_completion_is_a_new_version(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2020, 3, 10))
    returned = workflow.application_return(user=reviewer, application=application, missing="缺少监测方案附件",
                                           on=date(2020, 3, 13))
    new = workflow.application_revise(user=clerk, application=returned, on=date(2020, 3, 14))
    old = Application.objects.get(pk=application.pk)
    assert old.status == "superseded" and old.monitoring_plan == COMPLETE["monitoring_plan"]
    assert new.version == 2 and new.previous_id == old.pk and new.status == "draft"
    assert sorted(new.outlets.values_list("code", flat=True)) == ["DA001", "DW001"]


def test_after_the_notice_limit_the_application_counts_as_accepted_on_receipt(world, clerk, reviewer):
    # Received Friday 2020-03-13; 许可法 Art. 32: five working days -> notice due 2020-03-20.
    application = submitted(world, clerk, on=date(2020, 3, 13))
    with pytest.raises(DomainError):
        workflow.application_return(user=reviewer, application=application, missing="x", on=date(2020, 3, 23))
    assert workflow.applications_deem_accepted(today=date(2020, 3, 23)) == 1
    application.refresh_from_db()
    assert application.status == "accepted" and application.accepted_on == date(2020, 3, 13)
    assert application.deemed_accepted


def test_the_decision_clock_counts_working_days_across_the_2020_spring_festival(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2020, 1, 16), notice=(date(2020, 1, 2), date(2020, 1, 9)))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 1, 20))
    state = workflow.decision_clock(application, date(2020, 2, 3))
    # 20 working days (setting, 办法2018 limit not confirmed) from Monday 2020-01-20: three before the
    # holidays (01-24..02-02), then 17 from 02-03.
    assert state.basis == DayBasis.WORKING and state.due == date(2020, 2, 25)
    assert not state.overdue
    assert workflow.decision_clock(application, date(2020, 2, 26)).overdue


def test_one_extension_of_ten_days_with_the_heads_approval(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2020, 1, 16), notice=(date(2020, 1, 2), date(2020, 1, 9)))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 1, 20))
    with pytest.raises(DomainError):
        workflow.application_extend(user=reviewer, application=application, approval="")
    application = workflow.application_extend(user=reviewer, application=application, approval="局长批准：现场核查")
    assert workflow.decision_clock(application, date(2020, 2, 3)).due == date(2020, 3, 10)
    with pytest.raises(DomainError):
        workflow.application_extend(user=reviewer, application=application, approval="再次")


def test_refusal_needs_written_reasons(world, clerk, reviewer):
    application = workflow.application_accept(user=reviewer, application=submitted(world, clerk),
                                              on=date(2020, 3, 11))
    with pytest.raises(DomainError) as e:
        workflow.application_decline(user=reviewer, application=application, action="refuse", reasons=" ")
    assert "reasons" in e.value.errors
    refused = workflow.application_decline(user=reviewer, application=application, action="refuse",
                                           reasons="排放浓度超过标准", on=date(2020, 3, 20))
    assert refused.status == "refused" and refused.decision_reasons == "排放浓度超过标准"


def test_the_clerk_cannot_accept_and_another_countys_reviewer_cannot_act(world, clerk):
    application = submitted(world, clerk)
    with pytest.raises(PermissionDenied):
        workflow.application_accept(user=clerk, application=application)
    other = UserFactory(username="reviewer-b", role=Role.PERMIT_REVIEWER, department=_county_b_department(world))
    with pytest.raises(PermissionDenied):
        workflow.application_accept(user=other, application=application)


def _county_b_department(world):
    from zhengtong.registry.models import Department

    return Department.objects.create(code="hy-sthj", name="衡阳县生态环境分局", kind="county_department",
                                     region=world.unit_b.county)


def test_a_registration_class_unit_cannot_apply(world, clerk):
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="5211")
    unit.save()
    with pytest.raises(DomainError):
        workflow.application_create(user=clerk, unit=unit)


def issued(world, clerk, reviewer, unit=None):
    application = submitted(world, clerk, unit=unit) if unit else submitted(world, clerk)
    workflow.application_accept(user=reviewer, application=application, on=date(2020, 3, 11))
    workflow.application_approve(user=reviewer, application=application, on=date(2020, 4, 1))
    return workflow.application_issue(user=reviewer, application=application, on=date(2020, 4, 3))


def test_a_renewal_replaces_the_permit_and_runs_five_years(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    renewal = workflow.application_create(user=clerk, unit=world.unit_a, kind="renewal", renews=permit,
                                          on=date(2023, 1, 10))
    assert sorted(renewal.outlets.values_list("code", flat=True)) == ["DA001", "DW001"]
    renewal = workflow.application_update(user=clerk, application=renewal, data={
        "public_notice_from": date(2023, 1, 2), "public_notice_to": date(2023, 1, 9),
        "facilities": COMPLETE["facilities"], "production_description": "年产机制纸5万吨"})
    workflow.application_submit(user=clerk, application=renewal, on=date(2023, 1, 10))
    workflow.application_accept(user=reviewer, application=renewal, on=date(2023, 1, 11))
    workflow.application_approve(user=reviewer, application=renewal, on=date(2023, 2, 1))
    new = workflow.application_issue(user=reviewer, application=renewal, on=date(2023, 2, 2))
    permit.refresh_from_db()
    assert permit.status == "superseded" and new.status == "valid"
    assert new.valid_until == date(2028, 1, 31)  # 条例 Art. 14: five years


def test_a_renewal_after_expiry_is_refused(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    with pytest.raises(DomainError) as e:
        workflow.application_create(user=clerk, unit=world.unit_a, kind="renewal", renews=permit,
                                    on=date(2023, 4, 1))
    assert "renews" in e.value.errors


def test_revocation_ends_the_permit_with_its_reason(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    with pytest.raises(PermissionDenied):
        workflow.permit_end(user=clerk, permit=permit, action="revoke", reason="x")
    ended = workflow.permit_end(user=reviewer, permit=permit, action="revoke", reason="以欺骗手段取得",
                                on=date(2020, 6, 1))
    assert ended.status == "revoked" and ended.ended_on == date(2020, 6, 1)
    with pytest.raises(DomainError):
        workflow.permit_end(user=reviewer, permit=permit, action="cancel", reason="again")


def test_a_simplified_unit_gets_twenty_days_and_needs_no_disclosure(world, clerk, reviewer):
    unit = simplified_unit(world)
    application = submitted(world, clerk, unit=unit, notice=None, on=date(2021, 4, 1))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2021, 4, 2))
    state = workflow.decision_clock(application, date(2021, 4, 2))
    assert state.limit_days == 20


def test_expired_permits_are_marked_by_the_daily_job(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    assert workflow.permits_expire(today=date(2023, 3, 31)) == 0
    assert workflow.permits_expire(today=date(2023, 4, 1)) == 1
    permit.refresh_from_db()
    assert permit.status == "expired"


STATUSES = [s for s in Application.Status.values]


@pytest.mark.parametrize("action", sorted(workflow.MOVES))
def test_every_move_is_refused_from_every_status_it_does_not_start_from(world, clerk, reviewer, action):
    """The table in workflow.py is the whole truth: any other start is a 409 naming the allowed ones."""
    unit = paper_mill(world)
    move = workflow.MOVES[action]
    user = clerk if move.who == workflow.CLERK else reviewer
    calls = {
        "submit": lambda a: workflow.application_submit(user=user, application=a),
        "return": lambda a: workflow.application_return(user=user, application=a, missing="x"),
        "revise": lambda a: workflow.application_revise(user=user, application=a),
        "accept": lambda a: workflow.application_accept(user=user, application=a),
        "not_accept": lambda a: workflow.application_decline(user=user, application=a, action="not_accept",
                                                             reasons="x"),
        "notice": lambda a: workflow.application_notice(user=user, application=a, start=date(2020, 1, 1),
                                                        end=date(2020, 1, 2)),
        "extend": lambda a: workflow.application_extend(user=user, application=a, approval="x"),
        "approve": lambda a: workflow.application_approve(user=user, application=a),
        "refuse": lambda a: workflow.application_decline(user=user, application=a, action="refuse", reasons="x"),
        "issue": lambda a: workflow.application_issue(user=user, application=a),
        "withdraw": lambda a: workflow.application_withdraw(user=user, application=a),
        "pause": lambda a: workflow.application_pause(user=user, application=a, action="pause", note="x"),
        "resume": lambda a: workflow.application_pause(user=user, application=a, action="resume"),
    }
    assert set(calls) == set(workflow.MOVES)
    source = services.fixed_source_for(unit=unit)
    for status in STATUSES:
        if status in move.sources:
            continue
        Application.objects.filter(fixed_source=source).delete()
        application = Application.objects.create(fixed_source=source, status=status, management_class="key",
                                                 created_by=clerk, received_on=date(2020, 3, 2),
                                                 accepted_on=date(2020, 3, 3), decided_on=date(2020, 3, 20))
        with pytest.raises(DomainError) as e:
            calls[action](application)
        assert e.value.status == 409, (action, status)
        application.refresh_from_db()
        assert application.status == status


def test_after_approval_the_certificate_clock_runs_ten_working_days(world, clerk, reviewer):
    from zhengtong.permits import selectors

    application = workflow.application_accept(user=reviewer, application=submitted(world, clerk),
                                              on=date(2020, 3, 11))
    application = workflow.application_approve(user=reviewer, application=application, on=date(2020, 4, 1))
    clock = selectors.application_clock(application, date(2020, 4, 2))
    # 10 working days from Wednesday 2020-04-01, Qingming (04-04..04-06) in between.
    assert clock["article"] == "行政许可法 第四十四条" and clock["state"].due == date(2020, 4, 16)


def test_a_pause_for_expert_review_does_not_count_and_is_noticed(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2020, 3, 10))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 3, 11))
    due = workflow.decision_clock(application, date(2020, 3, 12)).due
    assert "pause" in workflow.allowed_moves(user=reviewer, application=application)
    with pytest.raises(DomainError):
        workflow.application_pause(user=reviewer, application=application, action="pause", note="")
    workflow.application_pause(user=reviewer, application=application, action="pause", note="专家评审",
                               on=date(2020, 3, 16))
    assert workflow.allowed_moves(user=reviewer, application=application).count("resume") == 1
    with pytest.raises(DomainError):
        workflow.application_pause(user=reviewer, application=application, action="pause", note="again")
    workflow.application_pause(user=reviewer, application=application, action="resume", on=date(2020, 3, 23))
    # Monday 03-16 to Monday 03-23: five working days stood still, so the due date moves by five.
    later = workflow.decision_clock(application, date(2020, 3, 24)).due
    from zhengtong.core.workdays import DayBasis, add_days
    assert later == add_days(due, 5, DayBasis.WORKING).due


def test_accepting_after_the_notice_limit_counts_from_the_day_received(world, clerk, reviewer):
    application = submitted(world, clerk, on=date(2020, 3, 10))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 3, 30))
    assert application.accepted_on == date(2020, 3, 10) and application.deemed_accepted


def test_a_renewal_is_decided_in_twenty_days_and_a_revoked_permit_cannot_be_renewed(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    renewal = workflow.application_create(user=clerk, unit=world.unit_a, kind="renewal", renews=permit,
                                          on=date(2023, 1, 10))
    renewal.status, renewal.received_on, renewal.accepted_on = "accepted", date(2023, 1, 10), date(2023, 1, 11)
    renewal.save()
    assert workflow.decision_clock(renewal, date(2023, 1, 12)).limit_days == 20
    workflow.application_approve(user=reviewer, application=renewal, on=date(2023, 1, 20))
    workflow.permit_end(user=reviewer, permit=permit, action="revoke", reason="x", on=date(2023, 1, 21))
    with pytest.raises(DomainError):
        workflow.application_issue(user=reviewer, application=renewal, on=date(2023, 1, 22))


def test_another_units_permit_cannot_be_named_for_an_application(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    other_clerk = UserFactory(username="clerk-b3", role=Role.ENTERPRISE_CLERK, unit=world.unit_b)
    world.unit_b.industry = Industry.objects.get(code="2221")
    world.unit_b.save()
    services.unit_classify(unit=world.unit_b)
    for kind in ("first", "renewal"):
        with pytest.raises(DomainError):
            workflow.application_create(user=other_clerk, unit=world.unit_b, kind=kind, renews=permit)
    assert not Application.objects.filter(fixed_source=permit.fixed_source, status="draft").exists()


APPLICATION_MOVES = [(name, source) for name, move in workflow.MOVES.items() for source in move.sources]


@pytest.mark.parametrize(("action", "source"), APPLICATION_MOVES)
def test_every_move_in_the_table_is_made_from_each_status_it_starts_from(world, clerk, reviewer, action, source):
    """The other half of the table's truth: where it allows a move, the service makes it and the
    application lands where the table says (or stays, for a move on the side)."""
    move = workflow.MOVES[action]
    user = clerk if move.who == workflow.CLERK else reviewer
    application = drafted(world, clerk)
    Application.objects.filter(pk=application.pk).update(
        status=source, received_on=date(2020, 3, 10), accepted_on=date(2020, 3, 11), decided_on=date(2020, 3, 20))
    application.refresh_from_db()
    on = date(2020, 3, 11) if source == "submitted" else date(2020, 3, 21)
    if action == "resume":
        workflow.application_pause(user=user, application=application, action="pause", note="专家评审", on=on)
    calls = {
        "submit": lambda a: workflow.application_submit(user=user, application=a, on=date(2020, 3, 10)),
        "return": lambda a: workflow.application_return(user=user, application=a, missing="x", on=on),
        "revise": lambda a: workflow.application_revise(user=user, application=a, on=on),
        "accept": lambda a: workflow.application_accept(user=user, application=a, on=on),
        "not_accept": lambda a: workflow.application_decline(user=user, application=a, action="not_accept",
                                                             reasons="x", on=on),
        "notice": lambda a: workflow.application_notice(user=user, application=a, start=on, end=on, on=on),
        "extend": lambda a: workflow.application_extend(user=user, application=a, approval="x", on=on),
        "approve": lambda a: workflow.application_approve(user=user, application=a, on=on),
        "refuse": lambda a: workflow.application_decline(user=user, application=a, action="refuse", reasons="x",
                                                         on=on),
        "issue": lambda a: workflow.application_issue(user=user, application=a, on=on),
        "withdraw": lambda a: workflow.application_withdraw(user=user, application=a, on=on),
        "pause": lambda a: workflow.application_pause(user=user, application=a, action="pause", note="x", on=on),
        "resume": lambda a: workflow.application_pause(user=user, application=a, action="resume", on=on),
    }
    calls[action](application)
    application.refresh_from_db()
    assert application.status == (move.target or source)
    assert application.steps.filter(action=action, from_status=source).exists()


def test_a_refused_move_names_the_move_and_the_status_in_the_users_language(world, clerk, reviewer):
    application = drafted(world, clerk)
    with translation.override("zh-hans"), pytest.raises(DomainError) as e:
        workflow.application_approve(user=reviewer, application=application)
    assert e.value.message == "申请状态为“草稿”时不能执行“准予许可”；该操作要求状态为：已受理, 公示中。"


PERMIT_STATUSES = [s for s in Permit.Status.values if s != "valid"]


@pytest.mark.parametrize("action", ["revoke", "cancel"])
def test_a_permit_is_ended_from_valid_only_and_a_refusal_names_the_move(world, clerk, reviewer, action):
    permit = issued(world, clerk, reviewer)
    for status in PERMIT_STATUSES:
        Permit.objects.filter(pk=permit.pk).update(status=status)
        with translation.override("en"), pytest.raises(DomainError) as e:
            workflow.permit_end(user=reviewer, permit=permit, action=action, reason="x")
        with translation.override("en"):
            label = str(Permit.Status(status).label)
        assert e.value.status == 409 and f"while the permit is “{label}”" in e.value.message, status
        assert Permit.objects.get(pk=permit.pk).status == status
    Permit.objects.filter(pk=permit.pk).update(status="valid")
    ended = workflow.permit_end(user=reviewer, permit=permit, action=action, reason="x")
    assert ended.status == workflow.PERMITS.target(action)


@pytest.mark.parametrize("kind", ["renewal", "change"])
def test_only_a_valid_permit_is_renewed_or_changed(world, clerk, reviewer, kind):
    permit = issued(world, clerk, reviewer)
    for status in PERMIT_STATUSES:
        Permit.objects.filter(pk=permit.pk).update(status=status)
        permit.refresh_from_db()
        with pytest.raises(DomainError) as e:
            workflow.application_create(user=clerk, unit=world.unit_a, kind=kind, renews=permit, on=date(2023, 1, 10))
        assert "renews" in e.value.errors and e.value.status == 409, status
    Permit.objects.filter(pk=permit.pk).update(status="valid")
    permit.refresh_from_db()
    assert workflow.application_create(user=clerk, unit=world.unit_a, kind=kind, renews=permit,
                                       on=date(2023, 1, 10)).renews == permit


def test_the_daily_job_expires_valid_permits_only(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    for status in PERMIT_STATUSES:
        Permit.objects.filter(pk=permit.pk).update(status=status)
        assert workflow.permits_expire(today=date(2024, 1, 1)) == 0
        assert Permit.objects.get(pk=permit.pk).status == status


def test_the_permit_page_moves_follow_the_role_and_the_status(world, clerk, reviewer):
    permit = issued(world, clerk, reviewer)
    assert list(workflow.permit_moves(user=clerk, permit=permit)) == ["renew", "change", "cancel"]
    assert list(workflow.permit_moves(user=reviewer, permit=permit)) == ["replace", "revoke", "cancel"]
    permit.status = "revoked"
    assert workflow.permit_moves(user=clerk, permit=permit) == {}
