"""The whole permit path in a browser, in the default (Chinese) interface (issue 17's "shown by"):
the clerk of a unit with two industries declares the facts of each line apart and sees it classified
"simplified", drafts the application in its sections, adding two outlets in place (a concentration
without its unit is refused, nothing is submitted), fixes it and submits; the reviewer accepts,
approves and issues it with the platform's number, first refused for a letter in its sequence; the
original certificate is a PDF that names the permit, the unit and its term, in an embedded font. A
second test: the bureau's officer decides a case and prints the 责令改正 decision.

The pages' words may still be translated, so the checks go by data-testid, data-* attributes,
field names and the records' own values, not by label text."""

import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from zhengtong.permits.models import Application, Classification, Outlet, Permit, UnitFacts
from zhengtong.registry.models import Industry
from zhengtong.tests_support.codes import make_uscc

pytestmark = pytest.mark.browser

REQUIRED = os.getenv("ZT_REQUIRE_BROWSER") == "1"
PLATFORM_USCC = make_uscc(n=4017)
NATIONAL_NUMBER = f"{PLATFORM_USCC}001P"
WRONG_SEQUENCE = f"{PLATFORM_USCC}0O1P"  # a letter O where the sequence has a digit
# Two lines: catalogue row 37 (2223 加工纸制造: industrial wastewater and waste gas make it
# "simplified") and row 22 (1529 其他饮料: a fermentation process makes it "simplified"). Each line's own
# facts are named by its code; the whole unit's once.
PAPER, DRINKS = "2223", "1529"
FACTS = {"has_boiler": "no", "has_furnace": "no", "has_surface_treatment": "no", "has_water_treatment": "no",
         f"{PAPER}:industrial_wastewater": "yes", f"{PAPER}:industrial_waste_gas": "yes",
         f"{DRINKS}:has_fermentation": "yes", f"{DRINKS}:raw_juice_production": "no",
         "in_industrial_building": "yes"}
DRAFT = {"address": "衡南县云集街道工业园路18号", "legal_representative": "王五", "contact_name": "赵六",
         "contact_phone": "0734-1234567", "production_description": "涂布纸 1万吨/年；发酵饮料 5000吨/年",
         "monitoring_plan": "废水总排口化学需氧量每季度监测一次。",
         "facility-0-name": "涂布机", "facility-0-capacity": "1万吨/年",
         "limit-0-code": "DW001", "limit-0-pollutant": "化学需氧量", "limit-0-concentration": "500",
         "limit-0-annual_quantity": "3", "limit-0-standard": "GB 8978-1996",
         "limit-1-code": "DA001", "limit-1-pollutant": "颗粒物", "limit-1-concentration": "20",
         "limit-1-concentration_unit": "mg/m³", "limit-1-annual_quantity": "0.5",
         "limit-1-standard": "GB 16297-1996"}
OUTLETS = (("DW001", "废水总排口", "市政管网"), ("DA001", "涂布废气排气筒", "大气"))


def tool(name: str) -> str:
    """A poppler-utils program: CI (ZT_REQUIRE_BROWSER=1) must have it, elsewhere it may be missing."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian package poppler-utils)"
    if REQUIRED:
        pytest.fail(f"{message}; ZT_REQUIRE_BROWSER=1 requires it")
    pytest.skip(message)


def squash(text: str) -> str:
    """Text without whitespace: pdftotext -layout spaces CJK text unevenly and wraps table cells."""
    return re.sub(r"\s+", "", text)


def log_out(page, live_server) -> None:
    page.click("header form[action$='/logout/'] button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_facts_class_draft_submit_accept_approve_issue_and_the_certificate(live_world, login, page, live_server,
                                                                           tmp_path):
    unit = live_world.unit_a
    unit.industry = Industry.objects.get(code=PAPER)  # the unit record, not part of this path
    unit.save()
    unit.other_industries.set([Industry.objects.get(code=DRINKS)])
    unit_url = f"{live_server.url}/permits/units/{unit.pk}/"

    # The clerk declares the facts, yes or no in the selects, and the unit is classified.
    login("clerk")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(unit_url)
    expect(page.locator("[data-testid=classification]")).to_have_count(0)
    expect(page.locator("[data-testid=apply]")).to_have_count(0)
    page.click(f"main a[href='/permits/units/{unit.pk}/facts/']")
    expect(page).to_have_url(f"{unit_url}facts/")
    # the fermentation question is asked of the drinks line only; the boiler question once for the unit
    expect(page.locator(f"select[name='{DRINKS}:has_fermentation']")).to_have_count(1)
    expect(page.locator(f"select[name='{PAPER}:has_fermentation']")).to_have_count(0)
    expect(page.locator("select[name=has_boiler]")).to_have_count(1)
    for key, answer in FACTS.items():
        page.select_option(f"select[name='{key}']", answer)
    page.click("main button[type=submit]")
    expect(page).to_have_url(unit_url)
    classification = page.locator("[data-testid=classification]")
    expect(classification).to_have_attribute("data-class", "simplified")
    assert Classification.objects.get(unit=unit).deciding_row in (22, 37)  # both lines are simplified
    record = UnitFacts.objects.get(unit=unit)
    assert record.lines[DRINKS] == {"has_fermentation": True, "raw_juice_production": False}
    assert "has_fermentation" not in record.lines[PAPER] and "has_boiler" in record.facts

    # The clerk starts an application and fills the draft; a concentration without its unit.
    page.click("[data-testid=apply]")
    expect(page).to_have_url(re.compile(r"/permits/applications/\d+/edit/$"))
    application = Application.objects.get(fixed_source__unit=unit)
    expect(page.locator("input[name=unit_name]")).to_have_value(unit.name)
    # two outlets added in place, without saving first: each click adds a row to the outlets table
    outlet_rows = page.locator("[data-testid=outlet-table] tbody tr")
    before = outlet_rows.count()
    for code, name, destination in OUTLETS:
        page.click("[data-testid=add-outlet]")
        expect(outlet_rows).to_have_count(before + OUTLETS.index((code, name, destination)) + 1)
        row = outlet_rows.last
        row.locator("input[name$='-code']").fill(code)
        row.locator("input[name$='-name']").fill(name)
        row.locator("input[name$='-destination']").fill(destination)
    page.click("[data-testid=add-limit]")  # a second limit row beside the empty ones
    for name, value in DRAFT.items():
        field = page.locator(f"main [name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    submit = page.locator("main button[name=then][value=submit]")
    submit.click()
    errors = page.locator("[data-testid=table-errors]")
    expect(errors).to_be_visible()
    # The error names the row as the page shows it (outlet, pollutant, column), not the key outlets[0]….
    expect(errors).to_contain_text("DW001 · 化学需氧量 · 单位")
    expect(errors).not_to_contain_text("outlets[0]")
    expect(page).to_have_url(f"{live_server.url}/permits/applications/{application.pk}/edit/")
    expect(page.locator("main [name='limit-0-concentration']")).to_have_value("500")  # kept as typed
    expect(page.locator("main [name=address]")).to_have_value(DRAFT["address"])
    for code, _name, _destination in OUTLETS:  # the outlets added in place are kept as typed too
        expect(page.locator("[data-testid=outlet-table] input[name$='-code']").and_(
            page.locator(f"[value='{code}']"))).to_have_count(1)
    application.refresh_from_db()
    assert application.status == "draft" and application.basic_info["address"] != DRAFT["address"]
    assert not Outlet.objects.filter(application=application).exists()

    # Fixed: the unit of measure chosen from the list, saved and submitted in one click.
    page.select_option("main [name='limit-0-concentration_unit']", "mg/L")
    submit.click()
    expect(page).to_have_url(f"{live_server.url}/permits/applications/{application.pk}/")
    expect(page.locator("[data-testid=application-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-testid=outlet-list] [data-testid=outlet-row]")).to_have_count(2)
    expect(page.locator("[data-testid=outlets]")).to_contain_text("DW001")
    expect(page.locator("[data-testid=outlets]")).to_contain_text("mg/L")
    expect(page.locator("[data-testid=outlets]")).to_contain_text("DA001")
    assert set(Outlet.objects.filter(application=application).values_list("code", "name")) == {
        (code, name) for code, name, _d in OUTLETS}
    expect(page.locator("[data-testid=reviewer-panels]")).to_have_count(0)  # not the clerk's
    expect(page.locator("[data-move=accept]")).to_have_count(0)  # not the clerk's move
    log_out(page, live_server)

    # The reviewer finds it among the open applications, on the acceptance clock.
    login("reviewer")
    page.goto(f"{live_server.url}/permits/applications/")
    row = page.locator("[data-testid=application-table] tbody tr", has_text=unit.name)
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=clock]")).to_be_visible()
    row.get_by_role("link", name=unit.name).click()
    expect(page).to_have_url(f"{live_server.url}/permits/applications/{application.pk}/")
    status = page.locator("[data-testid=application-status]")
    for move, reached in (("accept", "accepted"), ("approve", "approved")):
        page.click(f"button[data-move={move}]")
        expect(status).to_have_attribute("data-status", reached)
    expect(page.locator("[data-testid=clock]")).to_be_visible()  # now the decision clock
    # A platform number with a letter in its sequence (positions 19–21) is refused, naming the position.
    page.fill("input[name=national_number]", WRONG_SEQUENCE)
    page.click("button[data-move=issue]")
    expect(page.locator("main")).to_contain_text("19–21")
    assert not Permit.objects.filter(application=application).exists()
    page.fill("input[name=national_number]", NATIONAL_NUMBER)
    page.click("button[data-move=issue]")
    expect(page).to_have_url(re.compile(r"/permits/permits/\d+/$"))
    permit = Permit.objects.get(application=application)
    assert page.url == f"{live_server.url}/permits/permits/{permit.pk}/"
    expect(page.locator("[data-testid=permit-number]")).to_have_text(permit.number)
    assert permit.number == f"{unit.uscc}001P" and permit.national_number == NATIONAL_NUMBER
    assert permit.management_class == "simplified"
    main = page.locator("main")
    expect(main).to_contain_text(NATIONAL_NUMBER)
    expect(main).to_contain_text("化学需氧量")

    # The original certificate: a PDF (headless Chromium shows none inline, so fetch it with the
    # page's session) with the number, the unit and its term, in an embedded font.
    href = page.locator("[data-testid=certificate-original]").get_attribute("href")
    assert href == f"/permits/permits/{permit.pk}/certificate-original.pdf"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    pdf = tmp_path / f"{permit.number}-original.pdf"
    pdf.write_bytes(body)
    text = squash(subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                                 check=True).stdout.decode("utf-8"))
    for expected in (permit.number, unit.name, "有效期限", NATIONAL_NUMBER):
        assert expected in text, expected
    fonts = subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    # name … emb sub uni object ID: "emb" is the fifth field from the end.
    assert rows and all(row[-5] == "yes" for row in rows), fonts
    assert any("NotoSansCJK" in row[0] for row in rows), fonts


def test_the_officer_decides_a_case_and_prints_the_correction_order(live_world, login, page, live_server, tmp_path):
    """Issue 17 §6 in a browser: the bureau's officer opens a case the scan found, picks the legal
    basis in force on the violation date, orders correction with a deadline, and issues the
    责令改正违法行为决定书; the PDF names the unit, the facts found, the basis and the deadline."""
    from datetime import date, timedelta

    from zhengtong.permits.models import DecisionDocument, EnforcementCase

    unit = live_world.unit_a
    case = EnforcementCase.objects.create(
        unit=unit, kind="no_permit", reference="campaign:test", violation_date=date.today() - timedelta(days=30),
        details="未取得排污许可证排放水污染物")
    deadline = (date.today() + timedelta(days=60)).isoformat()

    login("reviewer")
    page.goto(f"{live_server.url}/permits/cases/")
    page.locator(f"main a[href='/permits/cases/{case.pk}/']").first.click()
    expect(page).to_have_url(f"{live_server.url}/permits/cases/{case.pk}/")
    page.select_option("select[name=basis]", "water83")
    page.check("input[name=measures][value=order_correction]")
    page.fill("input[name=fine]", "150000")  # within the basis's band, 100,000–1,000,000 yuan
    page.fill("input[name=deadline]", deadline)
    page.locator("form:has(input[name=action][value=decide]) button[type=submit]").click()
    expect(page.locator("[data-testid=issue-correction]")).to_be_visible()
    page.click("[data-testid=issue-correction]")
    link = page.locator("[data-testid=decision-document]")
    expect(link).to_have_count(1)
    document = DecisionDocument.objects.get(case=case)
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "correction.pdf"
    pdf.write_bytes(response.body())
    assert response.body() == bytes(document.pdf)  # served as issued
    text = squash(subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                                 check=True).stdout.decode("utf-8"))
    for expected in ("责令改正违法行为决定书", document.number, unit.name, unit.uscc, "未取得排污许可证排放水污染物",
                     "水污染防治法第八十三条", deadline):
        assert expected in text, expected
    # issued once: the button is gone, the number stays
    expect(page.locator("[data-testid=issue-correction]")).to_have_count(0)
