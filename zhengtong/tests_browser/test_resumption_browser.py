"""Issue 19: a difficulty's whole loop in a browser. The enterprise clerk reports one on a phone (category,
title, details, one attachment); the department officer it is routed to finds it in the inbox on their home
page (at 390 px too), accepts it, replies and marks it resolved; the clerk reads the thread and confirms it
with a rating; it is closed and its thread shows every step. The clerk cannot open another unit's
difficulty (404). Everything through the forms, as a user does it, with the clock fixed on Monday
10 February 2020."""

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Department
from zhengtong.resumption import services
from zhengtong.resumption.models import Difficulty, DifficultyRoute
from zhengtong.tests_browser.test_phones import fits
from zhengtong.tests_support.demo import demo_clock
from zhengtong.tests_support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

DAY = date(2020, 2, 10)  # a Monday: acceptance due in 2 working days, resolution in 5
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def loop_world(live_world):
    """The world (clerk of 衡南火电厂, officer of 衡南县生态环境分局), raw-material difficulties routed to the
    officer's department, and a difficulty of the other county's unit that the clerk must not reach."""
    w = live_world
    DifficultyRoute.objects.create(category="raw_materials", department=Department.objects.get(code="hengnan-sthj"))
    other_clerk = UserFactory.create(username="clerk-b", role=Role.ENTERPRISE_CLERK, unit=w.unit_b)
    with demo_clock(DAY):
        w.other = services.difficulty_report(user=other_clerk, unit=w.unit_b, today=DAY, data={
            "category": "logistics", "title": "水泥运不出去", "details": "高速路口封闭。"})
        yield w


def sign_in(page: Page, base: str, username: str) -> Page:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def move(page: Page, button: str, text: str = "") -> None:
    """Write the text (if any) and press the move's button on the difficulty page."""
    if text:
        page.get_by_label("内容").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text("困难和问题已更新。")


def test_a_difficulty_reported_accepted_answered_resolved_and_confirmed(loop_world, browser: Browser,
                                                                       live_server):
    w, base = loop_world, live_server.url
    clerk = sign_in(browser.new_page(viewport=PHONE), base, "clerk")

    # The clerk, on a phone: the difficulties entry of the navigation, then the report form
    clerk.locator("[data-nav=difficulties]").click()
    expect(clerk.locator("h1")).to_have_text("困难和问题")
    expect(clerk.locator("[data-testid=difficulties]")).not_to_contain_text("水泥运不出去")
    with clerk.expect_navigation():
        clerk.get_by_role("link", name="反映困难和问题").click()
    expect(clerk.get_by_label("单位")).to_contain_text("衡南火电厂")
    assert fits(clerk) == "", "the report form scrolls sideways on a phone"
    clerk.get_by_label("类别").select_option(label="原材料")
    clerk.get_by_label("标题").fill("钢材断供")
    clerk.get_by_label("详情").fill("上游钢厂未复工，库存仅够三天。")
    clerk.get_by_label("附件").set_input_files(
        files=[{"name": "缺料清单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="提交", exact=True).click()
    expect(clerk.locator("ul.messages")).to_contain_text("困难和问题已提交。")
    assert fits(clerk) == "", "the difficulty page scrolls sideways on a phone"
    expect(clerk.locator("[data-testid=difficulty-status]")).to_have_text("已反映，待受理")
    expect(clerk.locator("[data-testid=difficulty-department]")).to_have_text("衡南县生态环境分局")
    expect(clerk.locator("[data-testid=resolve-due]")).to_contain_text("2020-02-17")  # 5 working days
    expect(clerk.locator("[data-testid=attachment]")).to_have_text("缺料清单.pdf")
    difficulty = Difficulty.objects.get(title="钢材断供")
    assert difficulty.unit == w.unit_a and difficulty.attachments.count() == 1

    # The officer's home page is the inbox; at 390 px it and the whole inbox fit the phone
    officer = sign_in(browser.new_page(viewport=PHONE), base, "dept")
    home_inbox = officer.locator("[data-testid=home-inbox]")
    expect(home_inbox.locator(f"tr[data-difficulty='{difficulty.pk}']")).to_contain_text("衡南火电厂")
    expect(home_inbox.locator("tbody tr[data-difficulty]")).to_have_count(1)  # the other unit's goes elsewhere
    assert fits(officer) == "", "the home page's inbox scrolls sideways on a phone"
    officer.locator("[data-nav=inbox]").click()
    expect(officer.locator("[data-nav=inbox]")).to_have_text("收件箱 (1)")
    row = officer.locator(f"[data-testid=inbox] tr[data-difficulty='{difficulty.pk}']")
    expect(row).to_contain_text("钢材断供")
    expect(row).to_contain_text("已反映，待受理")
    assert fits(officer) == "", "the inbox scrolls sideways on a phone"

    # At the desk: open it from the inbox, accept, reply, mark resolved
    officer.set_viewport_size(DESKTOP)
    row.get_by_role("link", name="钢材断供").click()
    expect(officer.locator("main")).to_contain_text("上游钢厂未复工，库存仅够三天。")
    with officer.expect_download() as download:
        officer.locator("[data-testid=attachment]").click()
    assert download.value.suggested_filename == "缺料清单.pdf"
    expect(officer.get_by_role("button", name="确认办结")).to_have_count(0)  # the enterprise's move only
    move(officer, "受理")
    expect(officer.locator("[data-testid=difficulty-status]")).to_have_text("已受理，办理中")
    move(officer, "回复", "已联系湘钢，本周三恢复供货。")
    expect(officer.locator("[data-testid=thread]")).to_contain_text("已联系湘钢，本周三恢复供货。")
    move(officer, "办结", "首批钢材 20 吨已于 2 月 12 日送达。")
    expect(officer.locator("[data-testid=difficulty-status]")).to_have_text("已办结，待企业确认")
    for done in ("受理", "办结"):  # only a further reply is left to the department
        expect(officer.get_by_role("button", name=done, exact=True)).to_have_count(0)
    officer.goto(f"{base}/")
    expect(officer.locator("main")).not_to_contain_text("钢材断供")  # it waits for the enterprise now

    # The clerk reads the thread and confirms with a rating
    clerk.set_viewport_size(DESKTOP)
    clerk.locator("[data-nav=difficulties]").click()
    clerk.locator("[data-testid=difficulties]").get_by_role("link", name="钢材断供").click()
    expect(clerk.locator("[data-testid=difficulty-status]")).to_have_text("已办结，待企业确认")
    thread = clerk.locator("[data-testid=thread]")
    expect(thread).to_contain_text("已联系湘钢，本周三恢复供货。")
    expect(thread).to_contain_text("首批钢材 20 吨已于 2 月 12 日送达。")
    expect(clerk.get_by_role("button", name="办结", exact=True)).to_have_count(0)
    clerk.get_by_label("评价（1–5 分，确认办结时填写）").select_option("5")
    move(clerk, "确认办结", "钢材已到，谢谢。")

    # Closed, and the thread shows every step in order
    expect(clerk.locator("[data-testid=difficulty-status]")).to_have_text("已确认办结")
    expect(clerk.locator("main")).to_contain_text("5 / 5")
    expect(clerk.locator("#difficulty-move")).to_have_count(0)
    steps = clerk.locator("[data-testid=thread] tbody tr td:nth-child(2)").all_inner_texts()
    done = [s for s in steps if not s.startswith("已分办")]  # the routing may be its own row
    assert [s.split(" ")[0] for s in done] == ["企业反映", "已受理", "回复", "已办结", "企业确认办结"], steps
    assert "5/5" in done[-1], steps
    texts = clerk.locator("[data-testid=thread]").inner_text()
    for said in ("上游钢厂未复工", "已联系湘钢", "首批钢材 20 吨", "钢材已到，谢谢。", "缺料清单.pdf"):
        assert said in texts, said
    difficulty.refresh_from_db()
    assert (difficulty.status, difficulty.rating) == ("closed", 5)

    # Another unit's difficulty: not listed, and 404 when its address is typed
    clerk.locator("[data-nav=difficulties]").click()
    expect(clerk.locator("[data-testid=difficulties]")).not_to_contain_text("水泥运不出去")
    response = clerk.goto(f"{base}/resumption/difficulties/{w.other.pk}/")
    assert response is not None and response.status == 404
    expect(clerk.locator("body")).not_to_contain_text("水泥运不出去")


ONE_LINE_JS = """sel => [...document.querySelectorAll(sel)].map(el => {
  const range = document.createRange(); range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const cell = el.closest('td'), date = cell && cell.firstElementChild;  // the due date leads the cell
  return {text: el.textContent.trim(), lines: tops.size,
          besideDate: !date || Math.abs(date.getBoundingClientRect().top - el.getBoundingClientRect().top) < 4};
})"""


def test_the_overdue_badge_of_an_instruction_stays_on_one_line_beside_its_date(live_world, browser: Browser,
                                                                               live_server):
    """The inbox's instructions at 1280 and 390 px: 已逾期 never breaks inside itself, and at the desk it
    sits on the due date's line however long the instruction, the visit and the unit are."""
    from zhengtong.resumption import visits

    w = live_world
    department = Department.objects.get(code="hengnan-sthj")
    w.unit_a.name = "衡南县某某智能电网科技产业园建设管理有限责任公司衡南分公司"
    w.unit_a.save()
    with demo_clock(DAY):
        visits.visit_record(user=w.users[Role.COUNTY_OFFICER], today=date(2020, 2, 3), data={
            "leader_title": "市委常委、市委秘书长", "visited_on": "2020-02-03", "units": [w.unit_a.pk],
            "instructions": [{"text": "精准稳妥推进项目建设，协调解决项目推进中遇到的困难和问题，" * 3,
                              "unit": w.unit_a.pk, "department": department.pk, "due_on": "2020-02-07"}]})
        page = sign_in(browser.new_page(viewport=DESKTOP), live_server.url, "dept")
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}/resumption/inbox/")
            badges = page.evaluate(ONE_LINE_JS, "[data-testid=inbox-instructions] .badge")
            assert [b["text"] for b in badges] == ["已逾期"], badges
            assert all(b["lines"] == 1 for b in badges), (viewport, badges)
            if viewport is DESKTOP:
                assert all(b["besideDate"] for b in badges), badges
            assert fits(page) == "", f"the inbox scrolls sideways at {viewport['width']} px"
