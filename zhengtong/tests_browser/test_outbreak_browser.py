"""Issue 18: the demo's suspected case at the rail-welding workshop traced in a browser, two contacts
isolated in one action, and the orders listed — as the demo's city administrator (the workshop lies in
珠晖区; the demo's county officer holds 衡南县, whose cases do not include it)."""

import re

import pytest
from playwright.sync_api import expect

from zhengtong.registry import demo
from zhengtong.tests_support.demo import SHIFTED_ANCHOR, demo_clock

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_city(transactional_db):
    """The demo city loaded at a fixed anchor, the clock kept there while the browser works (the trace's
    window ends at the clock's now and refuses one older than the entries kept)."""
    from zhengtong.permits.models import CatalogueEntry
    from zhengtong.registry.models import Industry
    from zhengtong.registry.refdata import load_reference_data

    with demo_clock(SHIFTED_ANCHOR):
        if not Industry.objects.exists() or not CatalogueEntry.objects.exists():
            load_reference_data()
        demo.load_demo(units=20, sites=2, people=300, today=SHIFTED_ANCHOR)
        yield


def test_the_demo_case_is_traced_and_two_contacts_isolated(demo_city, login, page, live_server):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login("admin", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/outbreak/cases/?status=suspected")
    row = page.locator("[data-testid=cases] tbody tr", has_text="衡阳焊轨车间")
    expect(row).to_have_count(1)
    row.locator("a").first.click()
    expect(page.locator("[data-testid=case-status]")).to_have_text("疑似")
    page.click("[data-testid=trace-link]")

    contacts = page.locator("[data-testid=contacts] tbody tr[data-contact]")
    expect(page.locator("[data-testid=trace-window]")).to_be_visible()
    assert contacts.count() >= 2, "the demo's trace must have two contacts to isolate"
    chosen = [contacts.nth(i) for i in range(2)]
    names = [c.locator("td").nth(1).locator("a").inner_text() for c in chosen]
    for contact in chosen:
        contact.locator("input[type=checkbox]").check()
    page.select_option("select[name=reason]", "close_contact")
    page.select_option("select[name=place]", "home")
    page.fill("input[name=place_note]", "居家隔离（焊轨路职工宿舍）")
    with page.expect_navigation():
        page.click("fieldset button[type=submit]")

    expect(page.locator("ul.messages")).to_contain_text("2")
    for contact in chosen:  # the trace marks them in isolation, linked to their orders
        expect(contact.locator("[data-testid=contact-isolated]")).to_be_visible()
    page.goto(f"{live_server.url}/outbreak/isolation/?reason=close_contact")
    orders = page.locator("[data-testid=isolation-orders] tbody tr[data-order]")
    expect(orders).to_have_count(2)
    for name in names:
        expect(orders.filter(has_text=name)).to_have_count(1)
    orders.filter(has_text=names[0]).locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/outbreak/isolation/\d+/$"))
    expect(page.locator("main")).to_contain_text("居家隔离（焊轨路职工宿舍）")

    # The chains page draws the demo's one case as having no link yet, without breaking the policy.
    page.goto(f"{live_server.url}/outbreak/cases/")
    page.click("[data-testid=chains-link]")
    expect(page.locator("[data-testid=chains-unlinked]")).to_be_visible()
    assert violations == []
