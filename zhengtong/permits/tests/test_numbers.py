"""Permit and fixed-source numbers and outlet codes, checked as HJ 608-2017 shows them: each refusal
names its position, older and imported numbers are kept as given and marked, every entry point
calls the one check (permits.numbers)."""

from datetime import date

import pytest
from django.test import override_settings
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import compliance, numbers, selectors, workflow
from zhengtong.permits.forms import outlets_from_rows
from zhengtong.permits.models import Permit
from zhengtong.permits.tests.test_workflow import COMPLETE, paper_mill
from zhengtong.tests_support.codes import make_uscc

USCC = make_uscc(n=608)
GOOD = f"{USCC}001P"


def refusal(value, **kw) -> list[str]:
    with translation.override("en"), pytest.raises(DomainError) as e:
        numbers.check_source_code(value, **kw)
    return e.value.errors["national_number"]


def test_a_number_in_the_hj608_form_is_accepted_and_normalised():
    assert numbers.check_source_code(GOOD).value == GOOD
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GOOD)  # ９１４３… as a Chinese keyboard types it
    assert numbers.check_source_code(f" {full_width.lower()} ").value == GOOD
    assert numbers.check_source_code("").value == ""


def test_a_21_character_number_is_refused_by_its_length():
    (message,) = refusal(GOOD[:21])
    assert "22 characters" in message and "has 21" in message


def test_a_letter_in_the_sequence_is_refused_at_positions_19_to_21():
    (message,) = refusal(f"{USCC}0O1P")
    assert "Positions 19–21" in message and "position 20" in message and "“O”" in message


def test_a_wrong_uscc_check_character_is_refused_at_positions_1_to_18():
    wrong = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    (message,) = refusal(f"{wrong}001P")
    assert message.startswith("Positions 1–18") and "check character" in message


def test_an_identifier_letter_outside_the_configured_set_is_refused_at_position_22():
    (message,) = refusal(f"{USCC}001V")
    assert "Position 22" in message and "“V”" in message and "rule text not confirmed" in message
    with override_settings(PERMIT_IDENTIFIER_LETTERS="PV"):
        assert numbers.check_source_code(f"{USCC}001V").value == f"{USCC}001V"


def test_digits_of_another_script_are_refused_by_position_never_stored():
    arabic = f"{USCC}00\u0661P"  # ١, ARABIC-INDIC DIGIT ONE, which NFKC leaves as it is
    (message,) = refusal(arabic)
    assert "Position 21" in message and "other scripts" in message


def test_each_wrong_position_is_named():
    wrong = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    messages = refusal(f"{wrong}0A1X")
    assert [m.split(" ")[0:2] for m in messages] == [["Positions", "1–18"], ["Positions", "19–21"],
                                                     ["Position", "22"]]


def test_the_substitute_code_of_a_unit_without_a_uscc_is_the_configured_format():
    assert numbers.check_source_code("H9430422000012345a001P").value == "H9430422000012345a001P"
    (message,) = refusal("H9430422000012345o001P")  # o is never the letter (trial rules)
    assert "substitute code" in message and "rule text not confirmed" in message


def test_a_number_dated_before_hj608_came_into_force_is_kept_as_given_and_marked():
    old = "91430422MA4L0000XX0017"  # the 2016 trial rules: position 22 a check character
    code = numbers.check_source_code(old, dated=date(2017, 12, 1))
    assert code.value == old and code.kept_as_given and not code.conforms and code.problems
    # From 2018-03-01 the same number is refused.
    assert refusal(old, dated=date(2018, 3, 1))


def test_a_number_from_imported_history_is_kept_as_given_and_marked():
    code = numbers.check_source_code(f"  {GOOD[:21]}  ", imported=True)
    assert code.value == GOOD[:21] and code.kept_as_given and code.reason == "imported"
    assert [p.positions for p in code.problems] == [""]  # the length


@pytest.mark.parametrize("typed, stored", [("DA001", "DA001"), ("dw012", "DW012"), ("ＤＡ００１", "DA001"),
                                           (" ｄｗ０２０ ", "DW020")])
def test_outlet_codes_are_normalised(typed, stored):
    assert numbers.check_outlet_code(typed) == stored


@pytest.mark.parametrize("typed, words", [
    ("DA00\u0661", "Character 5"),  # Arabic-Indic digit
    ("DA\u0966\u0966\u0967", "Character 3"),  # Devanagari digits
    ("DX001", "Character 2"), ("XA001", "Character 1"), ("DA0O1", "character 4 is “O”"), ("DA01", "5 characters"),
])
def test_outlet_codes_are_refused_by_position(typed, words):
    with translation.override("en"), pytest.raises(DomainError) as e:
        numbers.check_outlet_code(typed, field="outlets[0].code")
    assert words in e.value.errors["outlets[0].code"][0]


def test_a_forms_rows_group_full_width_and_half_width_codes_as_one_outlet():
    rows = [{"code": "ＤＷ００１", "name": "总排口", "destination": "", "pollutant": "COD", "concentration": "50",
             "concentration_unit": "mg/L", "annual_quantity": "", "standard": ""},
            {"code": "DW001", "name": "", "destination": "", "pollutant": "氨氮", "concentration": "5",
             "concentration_unit": "mg/L", "annual_quantity": "", "standard": ""}]
    (outlet,) = outlets_from_rows(rows)
    assert outlet["code"] == "DW001" and len(outlet["limits"]) == 2


# Entry points ---------------------------------------------------------------------------------


@pytest.fixture
def approved(world):
    clerk, reviewer = world.users[Role.ENTERPRISE_CLERK], world.users[Role.PERMIT_REVIEWER]
    application = workflow.application_create(user=clerk, unit=paper_mill(world), on=date(2020, 3, 10))
    application = workflow.application_update(user=clerk, application=application, data={
        **COMPLETE, "public_notice_from": date(2020, 3, 2), "public_notice_to": date(2020, 3, 9)})
    application = workflow.application_submit(user=clerk, application=application, on=date(2020, 3, 10))
    application = workflow.application_accept(user=reviewer, application=application, on=date(2020, 3, 11))
    return workflow.application_approve(user=reviewer, application=application, on=date(2020, 4, 1))


@pytest.mark.django_db
def test_the_issue_step_refuses_a_platform_number_with_a_letter_in_the_sequence(world, approved):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    with translation.override("en"), pytest.raises(DomainError) as e:
        workflow.application_issue(user=reviewer, application=approved, national_number=f"{USCC}0O1P",
                                   on=date(2020, 4, 3))
    assert "Positions 19–21" in e.value.errors["national_number"][0]
    assert not Permit.objects.exists()
    permit = workflow.application_issue(user=reviewer, application=approved, national_number=f" {GOOD.lower()}",
                                        on=date(2020, 4, 3))
    assert permit.national_number == GOOD and permit.number == f"{world.unit_a.uscc}001P"


@pytest.mark.django_db
def test_the_issue_page_names_the_position_of_a_21_character_number(world, approved, client):
    client.force_login(world.users[Role.PERMIT_REVIEWER])
    response = client.post(f"/permits/applications/{approved.pk}/issue/", {"national_number": GOOD[:21]},
                           follow=True)
    assert "共22位" in response.content.decode() and "此编号有21位" in response.content.decode()  # zh-hans
    assert not Permit.objects.exists()


@pytest.mark.django_db
def test_a_report_refuses_an_outlet_code_in_another_scripts_digits(world, approved):
    reviewer, clerk = world.users[Role.PERMIT_REVIEWER], world.users[Role.ENTERPRISE_CLERK]
    permit = workflow.application_issue(user=reviewer, application=approved, on=date(2020, 4, 3))
    with translation.override("en"), pytest.raises(DomainError) as e:
        compliance.report_submit(user=clerk, permit=permit, kind="annual", period_start=date(2020, 1, 1),
                                 values=[{"outlet_code": "DW00\u0661", "pollutant": "化学需氧量",
                                          "quantity": "1"}])
    assert "Character 5" in e.value.errors["values[0].outlet_code"][0]


@pytest.mark.django_db
def test_an_application_refuses_an_outlet_code_in_another_scripts_digits(world):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    application = workflow.application_create(user=clerk, unit=paper_mill(world), on=date(2020, 3, 10))
    outlets = [{**COMPLETE["outlets"][0], "code": "DW\u0966\u0966\u0967"}]
    with translation.override("en"), pytest.raises(DomainError) as e:
        workflow.application_update(user=clerk, application=application, data={"outlets": outlets})
    assert "Character 3" in e.value.errors["outlets[0].code"][0]
    assert not application.outlets.exists()


@pytest.mark.django_db
def test_a_stored_number_not_in_the_form_is_flagged_on_the_permit_not_a_crash(world, approved, client):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    permit = workflow.application_issue(user=reviewer, application=approved, on=date(2020, 4, 3))
    Permit.objects.filter(pk=permit.pk).update(national_number=f"{USCC}0O1")  # stored before the check
    permit.refresh_from_db()
    with translation.override("en"):
        (check,) = selectors.number_checks(permit=permit)
    assert check.value == f"{USCC}0O1" and not check.kept_as_given and "has 21" in check.problems[0]
    client.force_login(reviewer)
    response = client.get(f"/permits/permits/{permit.pk}/", headers={"accept-language": "en"})
    assert response.status_code == 200 and 'data-testid="number-check"' in response.content.decode()
    public = client.get("/permits/public/?q=" + USCC[:8], headers={"accept-language": "en"})
    assert public.status_code == 200 and 'data-testid="number-not-hj608"' in public.content.decode()


@pytest.mark.django_db
def test_a_permit_decided_before_2018_03_01_keeps_its_number_as_given(world, approved):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    approved.decided_on = date(2018, 2, 1)
    approved.save()
    old = "91430422MA4L0000XX0017"
    permit = workflow.application_issue(user=reviewer, application=approved, national_number=old,
                                        on=date(2018, 2, 2))
    assert permit.national_number == old
    (check,) = selectors.number_checks(permit=permit)
    assert check.kept_as_given
