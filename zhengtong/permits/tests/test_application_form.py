"""Issue 17 §5: an application form that guides. The national platform's sections, tables filled in
place, units from a list, pollutants from a configured list (free text noted), the attachment
checklist (条例 Art. 8 (一) and the city's), the reviewer's panels out of the clerk's sight, the
process log in words, an overdue clock in working days, and no raw field key in any error."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from zhengtong.accounts.models import Role
from zhengtong.core import workdays
from zhengtong.core.errors import DomainError
from zhengtong.permits import formlists, selectors, services, workflow
from zhengtong.permits.forms import SECTIONS
from zhengtong.permits.models import Application, AttachmentRequirement
from zhengtong.registry.models import Industry

pytestmark = pytest.mark.django_db

SECTION_TITLES = ("基本信息", "主要产品及产能", "主要原辅材料及燃料", "产排污环节与污染防治设施", "排放口",
                  "许可排放限值", "自行监测方案", "环境管理台账")


def zh(text) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def visible(response) -> str:
    """The page's text as read: tags, and so input names like ``limit-0-concentration_unit``, removed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _draft(world) -> Application:
    """A key-management draft (a paper mill, 2221) of unit_a, opened by its clerk."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    return workflow.application_create(user=world.users[Role.ENTERPRISE_CLERK], unit=unit)


def _as(client, world, role):
    client.force_login(world.users[role])
    return client


BASIC = {"unit_name": "衡南纸业", "address": "衡南县", "legal_representative": "王五", "contact_name": "赵六",
         "contact_phone": "0734-1234567", "production_description": "制浆、抄纸", "monitoring_plan": "每季度监测",
         "ledger_plan": "按日记录生产设施运行情况"}


def _rows(prefix: str, rows: list[dict]) -> dict[str, str]:
    """A table's inputs as the page posts them: numbered on from 0, as the "add a row" button numbers
    the rows it clones (site.js: data-next)."""
    return {f"{prefix}-{i}-{k}": v for i, row in enumerate(rows) for k, v in row.items()}


# Sections -----------------------------------------------------------------------------------


def test_the_form_is_grouped_as_the_national_platforms_application(client, world):
    application = _draft(world)
    body = _as(client, world, Role.ENTERPRISE_CLERK).get(
        reverse("permits:application_edit", args=[application.pk])).content.decode()
    positions = [body.index(f'data-testid="section-{key}"') for key, *_ in SECTIONS]
    assert positions == sorted(positions)
    text = visible(client.get(reverse("permits:application_edit", args=[application.pk])))
    assert [zh(title) for _, title, *_ in SECTIONS] == list(SECTION_TITLES)
    for title in SECTION_TITLES:
        assert title in text
    # the page, too, shows the application in those sections
    page = visible(client.get(reverse("permits:application", args=[application.pk])))
    assert all(title in page for title in SECTION_TITLES)


def test_each_table_has_an_add_row_button_a_row_template_and_spare_rows_without_javascript(client, world):
    application = _draft(world)
    body = _as(client, world, Role.ENTERPRISE_CLERK).get(
        reverse("permits:application_edit", args=[application.pk])).content.decode()
    assert "Save to get more empty lines" not in body
    for prefix in ("product", "material", "facility", "outlet", "limit"):
        assert f'data-testid="add-{prefix}"' in body and f'data-add-row="{prefix}"' in body
        assert f'<template data-row-template="{prefix}">' in body
        assert f'name="{prefix}-__i__-' in body  # the cloned row's inputs, numbered by site.js
        assert f'name="{prefix}-1-' in body  # spare rows: adding works without JavaScript too
    assert 'data-testid="outlet-row"' in body


def test_two_outlets_and_their_limits_added_in_place_are_saved_in_one_post(client, world):
    application = _draft(world)
    clerk = _as(client, world, Role.ENTERPRISE_CLERK)
    # two rows cloned past the page's spare rows (indices 0..3): the server reads every numbered row
    empty = {"code": "", "name": "", "destination": ""}
    outlets = [{"code": "DW001", "name": "总排口", "destination": "市政管网"}, empty, empty,
               {"code": "da001", "name": "锅炉烟囱", "destination": "大气"}]
    limits = [{"code": "DW001", "pollutant": "化学需氧量", "concentration": "500", "concentration_unit": "mg/L",
               "annual_quantity": "3", "standard": "GB 8978-1996"},
              {"code": "DA001", "pollutant": "二氧化硫", "concentration": "200", "concentration_unit": "mg/m3",
               "annual_quantity": "", "standard": ""},
              {"code": "DA001", "pollutant": "氮氧化物", "concentration": "", "concentration_unit": "",
               "annual_quantity": "1.5", "standard": ""}]
    products = [{"name": "瓦楞纸", "capacity": "50000", "unit": "t/a"}]
    materials = [{"name": "废纸", "kind": "raw", "amount": "60000", "unit": "t/a"},
                 {"name": "天然气", "kind": "fuel", "amount": "120", "unit": "万件/a"}]
    response = clerk.post(reverse("permits:application_edit", args=[application.pk]), {
        **BASIC, **_rows("outlet", outlets), **_rows("limit", limits), **_rows("product", products),
        **_rows("material", materials), **_rows("facility", [{"name": "造纸机", "kind": "production",
                                                               "capacity": "5万吨"}]), "then": "save"})
    assert response.status_code == 302, visible(response)
    application.refresh_from_db()
    saved = {o.code: (o.name, sorted((lim.pollutant, lim.concentration_unit) for lim in o.limits.all()))
             for o in application.outlets.all()}
    assert saved == {"DW001": ("总排口", [("化学需氧量", "mg/L")]),
                     "DA001": ("锅炉烟囱", [("二氧化硫", "mg/m³"), ("氮氧化物", "")])}
    assert application.products == [{"name": "瓦楞纸", "capacity": "50000", "unit": "t/a"}]
    assert [m["kind"] for m in application.materials] == ["raw", "fuel"]
    assert application.ledger_plan == "按日记录生产设施运行情况"
    page = client.get(reverse("permits:application", args=[application.pk])).content.decode()
    assert page.count('data-testid="outlet-row"') == 2 and "瓦楞纸" in page and "废纸" in page
    # the form shows them back, each outlet its own row
    form = client.get(reverse("permits:application_edit", args=[application.pk])).content.decode()
    assert 'value="DA001"' in form and 'value="DW001"' in form
    assert "按日记录生产设施运行情况" in form  # the ledger is shown back, so saving again keeps it


def test_an_outlet_listed_without_limits_is_refused_by_its_code(client, world):
    application = _draft(world)
    response = _as(client, world, Role.ENTERPRISE_CLERK).post(
        reverse("permits:application_edit", args=[application.pk]), {
            **BASIC, **_rows("outlet", [{"code": "DW002", "name": "雨水排口", "destination": ""}])})
    assert response.status_code == 200
    assert f"DW002 · {zh('Pollutant')}: {zh('List at least one pollutant with its limit.')}" in visible(response)
    assert not application.outlets.exists()


# Units and pollutants -------------------------------------------------------------------------


def _outlet(unit: str, pollutant: str = "化学需氧量") -> list[dict]:
    return [{"code": "DW001", "name": "总排口", "limits": [
        {"pollutant": pollutant, "concentration": "50", "concentration_unit": unit}]}]


def test_a_limits_unit_must_be_on_the_list(world):
    application = _draft(world)
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with pytest.raises(DomainError) as refused:
        workflow.application_update(user=clerk, application=application, data={"outlets": _outlet("ppm")})
    message = refused.value.errors["outlets[0].limits[0].concentration_unit"][0]
    assert "ppm" in message and "mg/m³" in message and "mg/L" in message
    for typed, stored in (("mg/L", "mg/L"), ("mg/m3", "mg/m³"), ("kg/h", "kg/h")):
        workflow.application_update(user=clerk, application=application, data={"outlets": _outlet(typed)})
        assert application.outlets.get().limits.get().concentration_unit == stored
    assert formlists.lists().limit_units == ("mg/m³", "mg/L", "kg/h")


def test_a_products_unit_must_be_on_the_quantity_list(world):
    application = _draft(world)
    with pytest.raises(DomainError) as refused:
        workflow.application_update(user=world.users[Role.ENTERPRISE_CLERK], application=application,
                                    data={"products": [{"name": "纸", "capacity": "5", "unit": "吨"}]})
    assert set(refused.value.errors) == {"products[0].unit"}


def test_the_unit_refusal_on_the_page_names_the_outlet_pollutant_and_column(client, world):
    application = _draft(world)
    response = _as(client, world, Role.ENTERPRISE_CLERK).post(
        reverse("permits:application_edit", args=[application.pk]), {
            **BASIC, **_rows("outlet", [{"code": "DW001", "name": "总排口", "destination": ""}]),
            **_rows("limit", [{"code": "DW001", "pollutant": "氨氮", "concentration": "8",
                               "concentration_unit": "ppm", "annual_quantity": "", "standard": ""}])})
    text = visible(response)
    assert f"DW001 · 氨氮 · {zh('Unit')}: " in text and "ppm" in text
    assert "concentration_unit" not in text and "outlets[0]" not in text


def test_a_pollutant_not_on_the_list_is_accepted_with_a_note(client, world):
    application = _draft(world)
    workflow.application_update(user=world.users[Role.ENTERPRISE_CLERK], application=application, data={
        "outlets": [{"code": "DW001", "name": "总排口", "limits": [
            {"pollutant": "化学需氧量", "concentration": "50", "concentration_unit": "mg/L"},
            {"pollutant": "全盐量", "concentration": "2000", "concentration_unit": "mg/L"}]}]})
    assert not formlists.on_list("全盐量") and formlists.on_list("化学需氧量")
    assert sorted(application.outlets.get().limits.values_list("pollutant", flat=True)) == ["全盐量", "化学需氧量"]
    _as(client, world, Role.ENTERPRISE_CLERK)
    for url in (reverse("permits:application", args=[application.pk]),
                reverse("permits:application_edit", args=[application.pk])):
        body = client.get(url).content.decode()
        assert body.count('data-testid="off-list"') == 1, url
        assert re.search(r"全盐量.{0,120}不在名录中", body, flags=re.S), url
    form = client.get(reverse("permits:application_edit", args=[application.pk])).content.decode()
    assert '<datalist id="pollutant-list">' in form and '<option value="化学需氧量">' in form
    assert "rule text not confirmed" in open(formlists.LISTS_FILE, encoding="utf-8").read()
    assert formlists.lists().status == "rule text not confirmed" and "第七条" in formlists.lists().source


# The attachment checklist ------------------------------------------------------------------------


def test_the_checklist_shows_art_8_and_the_citys_documents_missing_then_attached(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = _draft(world)  # key management: 条例 Art. 8 (一) applies
    city = AttachmentRequirement.objects.create(name="环评批复文件", required=True)
    AttachmentRequirement.objects.create(name="简化管理专用材料", management_class="simplified")
    AttachmentRequirement.objects.create(name="已停用的材料", active=False)
    clerk = _as(client, world, Role.ENTERPRISE_CLERK)
    url = reverse("permits:application", args=[application.pk])
    body = clerk.get(url).content.decode()
    items = re.findall(r'data-testid="checklist-item" data-item="([^"]+)" data-present="(\w+)"', body)
    assert items == [("art8_1", "no"), (f"city-{city.pk}", "no")]
    assert "拟申请许可事项的说明材料" in body and "条例 第八条 (一)" in body
    assert "简化管理专用材料" not in body and "已停用的材料" not in body
    text = visible(clerk.get(url))
    assert "本市 环评批复文件" in re.sub(r"\s+", " ", text)
    # the city's required document is missing before submission
    missing = workflow.completeness(application, date(2020, 5, 6))
    assert "请上传“环评批复文件”（本市要求）。" in [zh(m) for m in missing["documents"]]
    clerk.post(reverse("permits:document_upload", args=[application.pk]),
               {"item": f"city-{city.pk}", "file": SimpleUploadedFile("环评批复.pdf", b"%PDF-1.4 test")})
    clerk.post(reverse("permits:document_upload", args=[application.pk]),
               {"item": "not-an-item", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")})
    assert list(application.documents.values_list("item", flat=True)) == [f"city-{city.pk}"]
    body = clerk.get(url).content.decode()
    items = re.findall(r'data-testid="checklist-item" data-item="([^"]+)" data-present="(\w+)"', body)
    assert items == [("art8_1", "no"), (f"city-{city.pk}", "yes")]
    assert "documents" not in workflow.completeness(application, date(2020, 5, 6))


def test_a_simplified_application_has_no_art_8_item(world):
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(management_class="simplified")
    application.refresh_from_db()
    assert [i["key"] for i in selectors.attachment_checklist(application)] == []


# The application page: panels, log, clock ----------------------------------------------------------


def _submitted(world) -> Application:
    """Submitted today: within the notice limit, so the reviewer may still return it."""
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(status="submitted", received_on=timezone.localdate())
    application.refresh_from_db()
    return application


REVIEWER_WORDS = ("Every missing material, in one notice", "Reasons in writing",
                  "One notice listing all the missing materials, within the notice limit (条例 Art. 9 (4)).")


def test_the_clerk_never_sees_the_reviewers_fields_or_instructions(client, world):
    application = _submitted(world)
    url = reverse("permits:application", args=[application.pk])
    clerk_page = _as(client, world, Role.ENTERPRISE_CLERK).get(url).content.decode()
    assert 'data-testid="reviewer-panels"' not in clerk_page and 'data-testid="panel-' not in clerk_page
    assert 'name="note"' not in clerk_page and 'name="national_number"' not in clerk_page
    for words in REVIEWER_WORDS:
        assert zh(words) not in clerk_page
    assert 'data-move="withdraw"' in clerk_page  # the clerk's own move
    reviewer_page = _as(client, world, Role.PERMIT_REVIEWER).get(url).content.decode()
    for name in ("accept", "return", "not_accept"):
        assert f'data-testid="panel-{name}"' in reviewer_page
    assert 'data-move="withdraw"' not in reviewer_page
    return_panel = reviewer_page.split('data-testid="panel-return"')[1].split("</form>")[0]
    assert 'name="note"' in return_panel and zh(REVIEWER_WORDS[0]) in return_panel
    accept_panel = reviewer_page.split('data-testid="panel-accept"')[1].split("</form>")[0]
    assert "<textarea" not in accept_panel  # each action only its own fields


def test_a_reviewer_panel_posts_its_move(client, world):
    application = _submitted(world)
    _as(client, world, Role.PERMIT_REVIEWER).post(
        reverse("permits:application_move", args=[application.pk, "return"]), {"note": "缺少平面布置图"})
    application.refresh_from_db()
    assert application.status == "returned"


def test_the_process_log_is_in_words(client, world):
    application = _draft(world)
    clerk, reviewer = world.users[Role.ENTERPRISE_CLERK], world.users[Role.PERMIT_REVIEWER]
    workflow.application_withdraw(user=clerk, application=application)
    body = _as(client, world, Role.ENTERPRISE_CLERK).get(
        reverse("permits:application", args=[application.pk])).content.decode()
    assert "撤回申请" in body and "→" not in body and "withdraw" not in visible(client.get(
        reverse("permits:application", args=[application.pk])))
    second = workflow.application_create(user=clerk, unit=world.unit_a)
    Application.objects.filter(pk=second.pk).update(status="submitted", received_on=date(2020, 5, 6))
    workflow.application_accept(user=reviewer, application=Application.objects.get(pk=second.pk),
                                on=date(2020, 5, 7))
    workflow.application_approve(user=reviewer, application=Application.objects.get(pk=second.pk),
                                 on=date(2020, 5, 20))
    text = visible(client.get(reverse("permits:application", args=[second.pk])))
    assert "受理" in text and "准予许可" in text and "→" not in text
    assert set(workflow.MOVES) <= set(workflow.LOG_WORDS)
    with translation.override("zh-hans"):
        words = {k: str(v) for k, v in workflow.LOG_WORDS.items()}
    assert words["submit"] == "提交申请" and words["accept"] == "受理"


def test_an_overdue_clock_says_by_how_many_working_days(client, world):
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(status="accepted", received_on=date(2020, 5, 6),
                                                         accepted_on=date(2020, 5, 6))
    application.refresh_from_db()
    today = date(2020, 7, 1)
    clock = selectors.application_clock(application, today)
    state = clock["state"]
    assert state.overdue and clock["basis"] == "working"
    assert clock["overdue_days"] == workdays.days_between(state.due, today, workdays.DayBasis.WORKING) > 0
    # 20 working days from 2020-05-06 (the 2018 rules' limit, PERMIT_DECISION_DAYS_2018): due 2020-06-02;
    # then 6-3 … 7-1: 21 weekdays, less 端午 6-25/26, plus the make-up Sunday 6-28 = 20
    assert state.due == date(2020, 6, 2) and clock["overdue_days"] == 20
    body = _as(client, world, Role.PERMIT_REVIEWER).get(reverse("permits:application", args=[application.pk]))
    match = re.search(r'data-testid="overdue-days" data-days="(\d+)">([^<]+)<', body.content.decode())
    assert match and int(match.group(1)) > 0 and f"已逾期 {match.group(1)} 个工作日" in match.group(2)


# Errors never show raw keys -------------------------------------------------------------------------


def test_table_errors_name_the_table_row_and_column_never_the_key(client, world):
    application = _draft(world)
    response = _as(client, world, Role.ENTERPRISE_CLERK).post(
        reverse("permits:application_edit", args=[application.pk]), {
            **BASIC, **_rows("product", [{"name": "", "capacity": "-3", "unit": "t/a"}]),
            **_rows("material", [{"name": "煤", "kind": "coal", "amount": "abc", "unit": ""}])})
    assert response.status_code == 200
    text = visible(response)
    assert f"{zh('Products')} · {zh('Row %(n)d') % {'n': 1}} · {zh('Name')}: " in text
    assert f"{zh('Products')} · {zh('Row %(n)d') % {'n': 1}} · 产能: " in text
    assert f"{zh('Materials and fuels')} · {zh('Row %(n)d') % {'n': 1}} · {zh('Kind')}: " in text
    assert f"{zh('Materials and fuels')} · {zh('Row %(n)d') % {'n': 1}} · {zh('Per year')}: " in text
    for key in ("products[", "materials[", ".capacity", ".kind", ".amount"):
        assert key not in text
    application.refresh_from_db()
    assert application.products == [] and application.ledger_plan == ""  # nothing half-saved


def test_a_missing_city_document_on_the_page_is_named_not_keyed(client, world):
    application = _draft(world)
    AttachmentRequirement.objects.create(name="环评批复文件", required=True)
    text = visible(_as(client, world, Role.ENTERPRISE_CLERK).get(
        reverse("permits:application", args=[application.pk])))
    assert f"{zh('Documents')}: 请上传“环评批复文件”（本市要求）。" in re.sub(r"\s+", " ", text)
    assert "documents:" not in text


def test_the_api_edits_products_materials_and_ledger_through_the_same_service(world):
    application = _draft(world)
    with pytest.raises(DomainError) as refused:
        workflow.application_update(user=world.users[Role.ENTERPRISE_CLERK], application=application, data={
            "materials": [{"name": "煤", "kind": "fuel", "amount": "10", "unit": "kg"}]})
    assert set(refused.value.errors) == {"materials[0].unit"}


def test_an_acceptance_by_law_has_no_user_and_is_logged_in_words(client, world):
    application = _draft(world)
    Application.objects.filter(pk=application.pk).update(status="submitted", received_on=date(2020, 5, 6))
    workflow.applications_deem_accepted(today=date(2020, 6, 1))
    response = _as(client, world, Role.PERMIT_REVIEWER).get(reverse("permits:application", args=[application.pk]))
    assert response.status_code == 200
    assert "视为受理（逾期未告知补正）" in visible(response)
