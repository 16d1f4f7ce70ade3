"""Another location of a unit, in a browser (issue 17 §3: facts and classes per fixed source), on a
390 px phone and on a desktop, in the default (Chinese) interface.

The clerk of a unit with two industries (2223 加工纸制造 and 1529 其他饮料) whose main works (001)
is classified opens the unit's permit page and, from "添加另一地点（固定污染源）", first submits the
form without an address: the page says under the address field, in Chinese, that it is required,
and nothing is saved. Then the clerk gives the address and only the drinks line, lands on location
002's facts form, which asks the drinks line's facts and none of the paper line's, saves, and sees
the fixed-sources table with both locations, each with its own class. No page scrolls sideways.

Set ZT_SHOTS to a folder to keep a screenshot of each page the clerk sees (for review by eye)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from zhengtong.accounts.models import Role
from zhengtong.permits import services
from zhengtong.permits.models import Classification, FixedSource, UnitFacts
from zhengtong.registry.models import Industry

from .test_phones import PHONE, fits

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PAPER, DRINKS = "2223", "1529"
GENERAL_NONE = {"has_boiler": "no", "has_furnace": "no", "has_surface_treatment": "no", "has_water_treatment": "no"}
# 001 (as in test_permits): paper with industrial wastewater and waste gas (row 37) and drinks with a
# fermentation process (row 22): simplified
MAIN_WORKS = {**{k: v == "yes" for k, v in GENERAL_NONE.items()}, "in_industrial_building": True,
              f"{PAPER}:industrial_wastewater": True, f"{PAPER}:industrial_waste_gas": True,
              f"{DRINKS}:has_fermentation": True, f"{DRINKS}:raw_juice_production": False}
# 002, as the clerk answers its form: drinks only, no fermentation (row 22 then gives registration)
SECOND_PLANT = {**GENERAL_NONE, "in_industrial_building": "yes",
                f"{DRINKS}:has_fermentation": "no", f"{DRINKS}:raw_juice_production": "no"}
ADDRESS = "衡南县工业园二号厂房"


def shot(page: Page, name: str) -> None:
    folder = os.getenv("ZT_SHOTS")
    if folder:
        width = page.viewport_size["width"] if page.viewport_size else 0
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_clerk_adds_a_location_and_declares_its_own_line(live_world, login, page, live_server, viewport):
    unit = live_world.unit_a
    unit.industry = Industry.objects.get(code=PAPER)
    unit.save()
    unit.other_industries.set([Industry.objects.get(code=DRINKS)])
    services.unit_facts_save(user=live_world.users[Role.ENTERPRISE_CLERK], unit=unit, data=MAIN_WORKS)
    assert Classification.objects.get(unit=unit, source=1).management_class == "simplified"
    unit_url = f"{live_server.url}/permits/units/{unit.pk}/"
    page.set_viewport_size(viewport)

    login("clerk")
    page.goto(unit_url)
    expect(page.locator("[data-testid=fixed-sources]")).to_have_count(0)  # one location: no table yet
    add = page.locator("[data-testid=add-fixed-source]")
    add.locator("summary", has_text="添加另一地点（固定污染源）").click()
    form = add.locator("form")
    expect(form.locator("input[name=address]")).to_be_visible()
    assert fits(page) == "", "the opened form pushed the page sideways"
    shot(page, "unit-add-form")

    # Refused: no address. The field says so in Chinese; nothing is saved.
    form.locator(f"input[name=industry_codes][value='{DRINKS}']").check()
    form.locator("button[type=submit]").click()
    address = page.locator("[data-testid=add-fixed-source] .field[data-field=address]")
    expect(address.locator("#address-errors")).to_have_text("此项为必填项。")
    expect(page.locator("[data-testid=add-fixed-source]")).to_have_attribute("open", "")
    # said at the top, and the page opens at the field to correct (on a phone it is screens down)
    expect(page.locator(".messages .error")).to_contain_text("该地点未添加")
    expect(address.locator("input")).to_be_focused()
    expect(address.locator("input")).to_be_in_viewport()
    # what was ticked is kept for the next try
    expect(page.locator(f"input[name=industry_codes][value='{DRINKS}']")).to_be_checked()
    assert not FixedSource.objects.filter(unit=unit).exists()
    assert fits(page) == "", "the refused form pushed the page sideways"
    shot(page, "unit-refused")

    # The address and only the drinks line: the location is 002 and its facts are asked next.
    form = page.locator("[data-testid=add-fixed-source] form")
    form.locator("input[name=address]").fill(ADDRESS)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{unit_url}facts/?source=2")
    expect(page.locator("[data-testid=fixed-source]")).to_contain_text("002")
    expect(page.locator("[data-testid=fixed-source]")).to_contain_text(ADDRESS)
    expect(page.locator(f"select[name='{DRINKS}:has_fermentation']")).to_have_count(1)
    expect(page.locator(f"main [name^='{PAPER}:']")).to_have_count(0)  # the paper line is not there
    expect(page.locator("select[name=has_boiler]")).to_have_count(1)  # the location's own, once
    assert fits(page) == "", "the facts form pushed the page sideways"
    shot(page, "facts-002")
    assert list(FixedSource.objects.filter(unit=unit).order_by("sequence").values_list(
        "sequence", "address", "industry_codes")) == [(1, unit.address, []), (2, ADDRESS, [DRINKS])]

    for key, answer in SECOND_PLANT.items():
        page.select_option(f"select[name='{key}']", answer)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/permits/units/{unit.pk}/\?source=2$"))
    expect(page.locator("[data-testid=classification]")).to_have_attribute("data-class", "registration")

    # Both locations, each with its own class; 002 is the one shown below.
    table = page.locator("[data-testid=fixed-sources]")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr[data-source='1'] .badge.simplified")).to_have_count(1)
    expect(table.locator("tr[data-source='2'] .badge.registration")).to_have_count(1)
    expect(table.locator("tr[data-source='2']")).to_contain_text(ADDRESS)
    expect(table.locator("tr[data-source='2']")).to_have_attribute("aria-current", "true")
    assert fits(page) == "", "the fixed-sources table pushed the page sideways"
    shot(page, "unit-002")

    second = UnitFacts.objects.get(unit=unit, source=2)
    assert list(second.lines) == [DRINKS] and second.lines[DRINKS]["has_fermentation"] is False
    assert UnitFacts.objects.get(unit=unit, source=1).lines[PAPER]["industrial_wastewater"] is True
    assert {c.source: c.management_class for c in Classification.objects.filter(unit=unit)} == {
        1: "simplified", 2: "registration"}

    table.locator("tr[data-source='1'] a").click()
    expect(page).to_have_url(f"{unit_url}?source=1")
    expect(page.locator("[data-testid=classification]")).to_have_attribute("data-class", "simplified")
    assert fits(page) == ""
    shot(page, "unit-001")
