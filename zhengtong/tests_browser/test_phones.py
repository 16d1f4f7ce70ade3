"""At 390 px (a phone held upright) the gatekeeper, the site manager and the enterprise clerk do
their work without sideways scrolling: every page their navigation reaches, and the flows they
do there (screen a person at the gate, record a health check, open the unit's permit pages).

A page "scrolls sideways" when the document is wider than the window; the failure names the page
and the widest element that sticks out, so the fix is found at once."""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from zhengtong.screening.models import HealthCheck
from zhengtong.screening.passes import pass_code

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SKIP = ("/accounts/logout/", "/i18n/", "/admin/", "/api/", "/static/", "/media/")
FILES = (".xlsx", ".csv", ".pdf", ".png")

# Returns "" when the page fits, else the page width and the widest elements sticking out.
OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  if (!doc || !document.body) return null;
  const width = window.innerWidth;
  if (doc.scrollWidth <= width + 1) return "";
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      const cls = typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls} right=${Math.round(r.right)}`);
    }
  }
  return `page ${doc.scrollWidth}px wide in a ${width}px window: ` + out.slice(0, 5).join("; ");
}"""


def fits(page: Page) -> str:
    """Measured once the page has loaded: a click that navigates returns before the new document
    exists, and a document caught between pages has no body yet (a flaky CI failure)."""
    for _ in range(50):
        page.wait_for_load_state("load")
        try:
            result = page.evaluate(OVERFLOW_JS)
        except Exception as error:  # the context was replaced by a navigation under way
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            result = None
        if result is not None:
            return result
        page.wait_for_timeout(100)
    raise AssertionError(f"{page.url}: the page never finished loading")


def crawl(page: Page, base: str, limit: int = 60) -> dict[str, str]:
    """Every page reachable from the home page by links (GET only), one per path; returns the
    ones that scroll sideways with what sticks out."""
    seen: set[str] = set()
    queue = deque([f"{base}/"])
    problems: dict[str, str] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{url}: {response and response.status}"
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        problem = fits(page)
        if problem:
            problems[path] = problem
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc != urlsplit(base).netloc or parts.path in seen:
                continue
            if parts.path.startswith(SKIP) or parts.path.endswith(FILES):
                continue
            queue.append(target.split("#")[0])
    assert len(seen) > 3, f"the crawl reached only {sorted(seen)}"
    return problems


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def test_gatekeeper_on_a_phone(live_world, login, phone, live_server):
    w = live_world
    login("gate")
    assert crawl(phone, live_server.url) == {}

    phone.goto(f"{live_server.url}/screening/gate/{w.site_a.pk}/")
    assert fits(phone) == ""
    code, temp = phone.locator("#gate-code"), phone.locator("#gate-temp")
    expect(code).to_be_focused()
    code.fill(pass_code(site_id=w.site_a.pk, person_id=w.person_a.pk))
    code.press("Enter")
    expect(temp).to_be_focused()
    temp.fill("38.1")
    temp.press("Enter")
    answer = phone.locator("[data-testid=gate-answer]")
    expect(answer).to_have_attribute("data-reason", "fever")
    assert fits(phone) == "", "the gate's answer pushed the page sideways"
    box = answer.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1


def test_site_manager_on_a_phone(live_world, login, phone, live_server):
    w = live_world
    login("manager")
    assert crawl(phone, live_server.url) == {}

    # the daily health check, recorded on the phone: type the temperature, press Enter
    phone.goto(f"{live_server.url}/screening/sites/{w.site_a.pk}/health/")
    assert fits(phone) == ""
    row = phone.locator(f"[data-person='{w.person_a.pk}']")
    row.locator("input[name=temperature]").fill("36.6")
    row.locator("input[name=temperature]").press("Enter")
    expect(phone.locator(f"[data-person='{w.person_a.pk}'] [data-testid=hc-result]")).to_contain_text("36.6")
    assert fits(phone) == ""
    assert HealthCheck.objects.filter(person=w.person_a, site=w.site_a).count() == 1

    phone.goto(f"{live_server.url}/screening/sites/{w.site_a.pk}/")
    assert fits(phone) == ""


def test_clerk_on_a_phone(live_world, login, phone, live_server):
    w = live_world
    login("clerk")
    assert crawl(phone, live_server.url) == {}
    for path in (f"/registry/units/{w.unit_a.pk}/", f"/permits/units/{w.unit_a.pk}/",
                 f"/permits/units/{w.unit_a.pk}/facts/"):
        response = phone.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert fits(phone) == "", path
