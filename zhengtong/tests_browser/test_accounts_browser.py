"""Issue 16 §2 in a browser: the city administrator creates a user, gives a role, the user signs in
(changing the initial password first) and works; the administrator ends the assignment and the user
loses access. Then the same pages at 390 px without sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from zhengtong.accounts.models import RoleAssignment

pytestmark = pytest.mark.browser

INITIAL = "Qy7-lantern-river"
OWN = "Morning-tea-42-cups"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_creates_a_gatekeeper_who_signs_in_and_loses_access_when_the_assignment_ends(
        live_world, login, page, live_server, browser):
    login("admin")
    page.click("nav.main [data-nav=users]")
    page.click("[data-testid=user-create]")
    page.fill("#id_username", "wangwu")
    page.fill("#id_name", "王五")
    page.fill("#id_phone", "13800000000")
    page.fill("#id_password", INITIAL)
    page.select_option("#id_role", "gatekeeper")
    expect(page.locator('[data-field="department"]')).to_be_hidden()  # site.js shows the role's scope only
    page.select_option("#id_site", str(live_world.site_a.pk))
    page.click("[data-testid=user-form] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/users/\d+/$"))
    expect(page.locator("[data-testid=assignments]")).to_contain_text(live_world.site_a.name)

    user = browser.new_context().new_page()
    user.goto(f"{live_server.url}/accounts/login/")
    user.fill("#id_username", "wangwu")
    user.fill("#id_password", INITIAL)
    user.click("main button[type=submit]")
    expect(user).to_have_url(re.compile(r"/accounts/password/$"))  # the initial password is changed first
    user.fill("#id_old_password", INITIAL)
    user.fill("#id_new_password1", OWN)
    user.fill("#id_new_password2", OWN)
    user.click("main button[type=submit]")
    expect(user.locator("nav.main [data-nav=gate]")).to_be_visible()
    assert user.goto(f"{live_server.url}/registry/sites/{live_world.site_a.pk}/").status == 200

    page.reload()
    page.click("[data-testid=end-assignment]")
    expect(page.locator("[data-testid=assignments]")).to_contain_text("admin")
    expect(page.locator("[data-testid=end-assignment]")).to_have_count(0)
    assert RoleAssignment.objects.get(user__username="wangwu").ended_at is not None

    assert user.goto(f"{live_server.url}/registry/sites/{live_world.site_a.pk}/").status == 404
    user.goto(f"{live_server.url}/")
    expect(user.locator("nav.main [data-nav=gate]")).to_have_count(0)
    user.context.close()


def test_the_account_pages_fit_a_phone(live_world, login, page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login("county")
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.locator("[data-testid=user-list]")).to_contain_text("gate")
    assert no_sideways_scroll(page)
    page.fill("input[name=q]", "mana")  # HTMX: the table follows the search as one types
    expect(page.locator("[data-testid=user-list]")).not_to_contain_text("gate")
    expect(page.locator("[data-testid=user-list]")).to_contain_text("manager")
    page.goto(f"{live_server.url}/accounts/users/{live_world.users['gatekeeper'].pk}/")
    page.click("[data-testid=password-form] button[type=submit]")
    expect(page.locator("[data-testid=generated-password]")).to_be_visible()
    assert no_sideways_scroll(page)
    page.goto(f"{live_server.url}/accounts/users/new/")
    assert no_sideways_scroll(page)
