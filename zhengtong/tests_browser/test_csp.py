"""The Content-Security-Policy holds on the main pages: a page that breaks it (an inline script, an
event-handler attribute, an inline style, htmx's own indicator style) has parts that silently stop
working, so the browser's reports of violations are collected and must be none, while the pages'
scripts (the language switch, an htmx filter, the gate's) still work."""

import pytest
from playwright.sync_api import expect

from zhengtong.accounts.models import Role
from zhengtong.permits import services as permit_services
from zhengtong.permits import workflow
from zhengtong.registry.models import Industry

pytestmark = pytest.mark.browser

# Registered before any of the page's own scripts run (Playwright's init scripts are not the page's, so
# the policy does not stop this one).
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                              e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def violations(page):
    """Every CSP violation the browser reports, by event and by console message."""
    found: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)

    def collect() -> list[str]:
        return found + page.evaluate("window.__cspViolations || []")

    return collect


def test_the_main_pages_keep_the_content_security_policy(live_world, login, page, live_server, violations):
    w = live_world
    unit = w.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    permit_services.unit_classify(unit=unit)
    application = workflow.application_create(user=w.users[Role.ENTERPRISE_CLERK], unit=unit)

    # The gate screen and its script, as the gatekeeper; the language switch submits on change.
    login("gate")
    assert "script-src 'self'" in page.evaluate("() => fetch('/').then(r => r.headers.get('content-security-policy'))")
    page.goto(f"{live_server.url}/screening/gate/{w.site_a.pk}/")
    expect(page.locator("#gate-code")).to_be_focused()  # set by gate.js
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations() == []
    page.context.clear_cookies()

    # A site's page, and a list filtered by htmx, as the site manager.
    login("manager")
    page.goto(f"{live_server.url}/screening/sites/{w.site_a.pk}/")
    expect(page.locator("main h1")).to_be_visible()
    page.goto(f"{live_server.url}/registry/people/")
    with page.expect_response(lambda r: "q=%E5%BC%A0" in r.url):
        page.fill("main form.filters input[name=q]", "张")
    expect(page.locator("#results")).to_contain_text("张三")
    assert violations() == []
    page.context.clear_cookies()

    # The permit application form, as the enterprise clerk.
    login("clerk")
    page.goto(f"{live_server.url}/permits/applications/{application.pk}/edit/")
    expect(page.locator("input[name=unit_name]")).to_have_value(unit.name)
    page.goto(f"{live_server.url}/permits/applications/{application.pk}/")
    expect(page.locator("[data-testid=documents]")).to_be_visible()
    assert violations() == []
