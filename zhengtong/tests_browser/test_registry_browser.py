import re

import pytest
from playwright.sync_api import expect

from zhengtong.registry.models import Unit
from zhengtong.tests_support.codes import make_uscc

pytestmark = pytest.mark.browser

def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-select", code)


ROLE_USERS = ["admin", "county", "dept", "manager", "gate", "clerk", "reviewer"]


@pytest.mark.parametrize("username", ROLE_USERS)
def test_each_role_logs_in_and_sees_its_navigation(live_world, login, page, live_server, username):
    login(username)
    expect(page.locator("[data-testid=role]").first).to_be_visible()
    expect(page.locator("nav.main [data-nav=units]")).to_be_visible()
    expect(page.locator("nav.main [data-nav=admin]")).to_have_count(1 if username == "admin" else 0)
    page.click("nav.main [data-nav=units]")
    expect(page.locator("[data-testid=unit-table]")).to_contain_text(live_world.unit_a.name)
    expect(page.locator("[data-testid=unit-table]")).not_to_contain_text(
        live_world.unit_b.name if username != "admin" else "no such unit")


def test_language_switch_goes_to_english_and_back(live_world, login, page):
    login("admin")
    expect(page.locator("h1")).to_have_text("首页")
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Home")
    switch_language(page, "zh-hans")
    expect(page.locator("h1")).to_have_text("首页")


def test_create_a_unit_with_a_bad_code_see_the_error_and_fix_it(live_world, login, page, live_server):
    login("county")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/registry/units/new/")
    good = make_uscc("430422")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.fill("#id_uscc", bad)
    page.fill("#id_name", "衡南浏览器测试有限公司")
    page.select_option("#id_county", "430422")
    page.fill("#id_industry", "3011")
    page.click("main button[type=submit]")
    error = page.locator("#uscc-errors")
    expect(error).to_contain_text(f"should be “{good[-1]}”")
    expect(page.locator("#id_name")).to_have_value("衡南浏览器测试有限公司")
    page.fill("#id_uscc", good)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/registry/units/\d+/$"))
    expect(page.locator("h1")).to_contain_text("衡南浏览器测试有限公司")
    assert Unit.objects.filter(uscc=good).exists()


def test_unit_search_filters_as_you_type(live_world, login, page, live_server):
    login("admin")
    page.goto(f"{live_server.url}/registry/units/")
    page.fill("input[name=q]", "衡阳县")
    expect(page.locator("[data-testid=unit-table]")).not_to_contain_text(live_world.unit_a.name)
    expect(page.locator("[data-testid=unit-table]")).to_contain_text(live_world.unit_b.name)


def test_failed_logins_are_throttled(live_world, page, live_server):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "gate")
        page.fill("#id_password", "wrong-password")
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "gate")
    page.fill("#id_password", "test-pass-123")
    page.click("main button[type=submit]")
    expect(page.locator("[role=alert] h1")).to_be_visible()
    assert page.url.endswith("/accounts/login/")
