"""Issue 15, step 2: bad input on the permit pages never reaches a 500 and never half-saves. A NUL
(which PostgreSQL refuses, even in a query) or another control character in a list filter or a free
text, a digit of another script in a number, a text longer than the history's reason column: each list
answers, each refusal names its field as the page names it, in the user's language, and nothing is saved."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.permits import services, workflow
from zhengtong.permits.forms import CASE_LABELS, COLUMN_LABELS, MOVE_LABELS, REASON_LABELS, REPORT_LABELS
from zhengtong.permits.models import Application, ComplianceReport, EnforcementCase, Permit
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.registry.models import Industry

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
UNSTORABLE = "含有无法保存的字符"  # clean_text's message in zh-hans, the default language


def zh(text) -> str:
    """A label (lazy) or a message id in zh-hans, the pages' default language."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def reviewer(client, world):
    client.force_login(world.users[Role.PERMIT_REVIEWER])
    return client


@pytest.fixture
def clerk(client, world):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    return client


@pytest.fixture
def case(world):
    return EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="x",
                                          violation_date=date(2020, 5, 1))


# List filters ------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{"q": NUL}, {"status": NUL}, {"q": "\x01"}, {"status": "²"}])
def test_the_application_list_answers_any_filter(reviewer, params):
    assert reviewer.get(reverse("permits:applications"), params).status_code == 200


@pytest.mark.parametrize("params", [{"status": NUL}, {"kind": NUL}, {"status": "\x1f", "kind": "x\x00"}])
def test_the_case_list_answers_any_filter(reviewer, case, params):
    assert reviewer.get(reverse("permits:cases"), params).status_code == 200


@pytest.mark.parametrize("q", ["²", "٣", "1²", "a\x00b"])
def test_the_public_catalogue_answers_digits_of_any_script(client, q):
    """str.isdigit() takes "²", int() refuses it: the search by row number reads ASCII digits only."""
    assert client.get(reverse("permits:catalogue"), {"q": q}).status_code == 200


def test_the_catalogue_still_finds_a_row_by_its_number(client):
    body = page_text(client.get(reverse("permits:catalogue"), {"q": "109"}))
    assert "锅炉" in body


# Free text ---------------------------------------------------------------------------------


def _permit(world):
    outlet = {"code": "DW001", "name": "总排口", "medium": "W", "limits": [
        {"pollutant": "氨氮", "concentration": "8", "concentration_unit": "mg/L", "annual_quantity": "1"}]}
    return issued_permit(world, valid_until=date(2030, 3, 31), cadence=("annual",), outlets=(outlet,))


@pytest.mark.parametrize("notes", [NUL, "a\x01b"])
def test_a_report_with_a_control_character_in_its_notes_names_the_notes(clerk, world, notes):
    permit = _permit(world)
    response = clerk.post(reverse("permits:report_file", args=[permit.pk]), {
        "kind": "annual", "period_start": "2021-01-01", "v-0-quantity": "0.8", "notes": notes})
    assert response.status_code == 200
    assert f"{zh(REPORT_LABELS['notes'])}: {UNSTORABLE}" in page_text(response)
    assert not ComplianceReport.objects.exists()


def test_a_report_with_a_nul_in_a_unit_of_measure_names_the_outlet_pollutant_and_column(clerk, world):
    permit = _permit(world)
    response = clerk.post(reverse("permits:report_file", args=[permit.pk]), {
        "kind": "annual", "period_start": "2021-01-01", "v-0-concentration": "9.5", "v-0-unit": "mg\x00/L"})
    assert response.status_code == 200
    body = page_text(response)
    assert f"DW001 · 氨氮 · {zh(COLUMN_LABELS['concentration_unit'])}: {UNSTORABLE}" in body
    assert "values[0]" not in body
    assert not ComplianceReport.objects.exists()


@pytest.mark.parametrize("start", ["9999-12-01", "2021-02-30", "２０２１-01-01", "2021-01-01\x00"])
def test_a_report_period_that_is_no_date_or_in_the_far_future_names_the_period(clerk, world, start):
    permit = _permit(world)
    response = clerk.post(reverse("permits:report_file", args=[permit.pk]), {
        "kind": "annual", "period_start": start, "v-0-quantity": "0.8"})
    assert response.status_code == 200
    assert f"{zh(REPORT_LABELS['period_start'])}: " in page_text(response)
    assert not ComplianceReport.objects.exists()


@pytest.mark.parametrize("note", [NUL, "\x07"])
def test_a_case_closing_note_with_a_control_character_is_refused_by_name(reviewer, case, note):
    EnforcementCase.objects.filter(pk=case.pk).update(status="decided")
    body = page_text(reviewer.post(reverse("permits:case", args=[case.pk]), {"action": "close", "note": note},
                                   follow=True))
    assert f"{zh(CASE_LABELS['note'])}: {UNSTORABLE}" in body
    case.refresh_from_db()
    assert case.status == "decided" and case.closing_note == ""


def test_a_rectification_with_a_nul_in_its_note_is_refused_by_name(reviewer, case):
    EnforcementCase.objects.filter(pk=case.pk).update(status="decided")
    body = page_text(reviewer.post(reverse("permits:case", args=[case.pk]), {"action": "rectify", "note": NUL},
                                   follow=True))
    assert f"{zh(CASE_LABELS['note'])}: {UNSTORABLE}" in body
    case.refresh_from_db()
    assert case.status == "decided"


def test_a_closing_note_longer_than_the_historys_reason_column_is_kept_whole(reviewer, case):
    """The history's reason holds 100 characters (PostgreSQL refused a longer one with a 500): the note is
    kept whole on the case, its beginning in the history."""
    EnforcementCase.objects.filter(pk=case.pk).update(status="decided")
    note = "已整改到位，" * 40
    reviewer.post(reverse("permits:case", args=[case.pk]), {"action": "close", "note": note})
    case.refresh_from_db()
    assert case.status == "closed" and case.closing_note == note.strip()
    reason = case.history.order_by("-history_id").first().history_change_reason
    assert len(reason) == 100 and note.startswith(reason[:-1])


@pytest.mark.parametrize("instances", ["x", "²", "٣", "0", "-1", "1.5", "99999999999999999999"])
def test_a_decision_with_a_bad_number_of_instances_names_it_in_the_users_language(reviewer, case, instances):
    body = page_text(reviewer.post(reverse("permits:case", args=[case.pk]), {
        "action": "decide", "basis": "air99", "measures": ["order_correction"], "fine": "200000",
        "deadline": "2099-12-31", "instances": instances}, follow=True))
    assert "invalid literal" not in body
    assert f"{zh(CASE_LABELS['instances'])}: 请输入 1 到 10000 之间的整数。" in body
    case.refresh_from_db()
    assert case.status == "open"


def test_a_permits_end_with_a_nul_in_its_reason_is_refused_and_a_long_one_kept(reviewer, world):
    permit = _permit(world)
    url = reverse("permits:permit_end", args=[permit.pk])
    body = page_text(reviewer.post(url, {"action": "revoke", "reason": NUL}, follow=True))
    assert f"{zh(REASON_LABELS['reason'])}: {UNSTORABLE}" in body
    assert Permit.objects.get(pk=permit.pk).status == "valid"
    reason = "依法撤销：" + "材料不实，" * 50
    reviewer.post(url, {"action": "revoke", "reason": reason})
    permit.refresh_from_db()
    assert permit.status == "revoked" and permit.end_reason == reason


def _draft(world) -> Application:
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    return workflow.application_create(user=world.users[Role.ENTERPRISE_CLERK], unit=unit)


def test_a_refusal_whose_reasons_are_longer_than_the_historys_reason_column_is_recorded_whole(reviewer, world):
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(status="accepted", accepted_on=date(2020, 5, 6))
    reasons = "经审查，" + "排放口设置不符合 HJ 608-2017 的要求，" * 8
    reviewer.post(reverse("permits:application_move", args=[application.pk, "refuse"]), {"note": reasons})
    application.refresh_from_db()
    assert application.status == "refused" and application.decision_reasons == reasons


def test_a_facility_name_with_a_nul_names_its_row_and_column_and_saves_nothing(clerk, world):
    application = _draft(world)
    before = Application.objects.get(pk=application.pk).facilities
    response = clerk.post(reverse("permits:application_edit", args=[application.pk]), {
        "unit_name": "衡南火电厂", "facility-0-name": "涂布机", "facility-0-kind": "", "facility-0-capacity": "",
        "facility-1-name": "锅\x00炉", "facility-1-kind": "", "facility-1-capacity": ""})
    assert response.status_code == 200
    body = page_text(response)
    assert f"{zh('Row %(n)d') % {'n': 2}} · {zh(COLUMN_LABELS['name'])}: {UNSTORABLE}" in body
    assert "facilities[1]" not in body
    assert Application.objects.get(pk=application.pk).facilities == before


def test_an_outlet_limit_with_a_nul_names_the_outlet_and_column(clerk, world):
    application = _draft(world)
    response = clerk.post(reverse("permits:application_edit", args=[application.pk]), {
        "unit_name": "衡南火电厂", "limit-0-code": "DW001", "limit-0-name": "总排口", "limit-0-destination": "",
        "limit-0-pollutant": "化学需氧量", "limit-0-concentration": "500", "limit-0-concentration_unit": "mg\x00/L",
        "limit-0-annual_quantity": "", "limit-0-standard": ""})
    body = page_text(response)
    assert f"DW001 · 化学需氧量 · {zh(COLUMN_LABELS['concentration_unit'])}: {UNSTORABLE}" in body
    assert "outlets[0]" not in body
    assert not application.outlets.exists()


def test_a_refusal_with_a_nul_in_its_reasons_names_the_note_not_its_key(reviewer, world):
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(status="accepted", accepted_on=date(2020, 5, 6))
    body = page_text(reviewer.post(reverse("permits:application_move", args=[application.pk, "refuse"]),
                                   {"note": "a\x01b"}, follow=True))
    assert f"{zh(MOVE_LABELS['reasons'])}: {UNSTORABLE}" in body and "reasons:" not in body
    assert Application.objects.get(pk=application.pk).status == "accepted"
