"""The gate screen in a browser, by keyboard alone: five people in a row, as a gatekeeper with a
barcode scanner (which types the pass code and Enter) and a keyboard would screen them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhengtong.accounts.models import Role
from zhengtong.registry.models import SitePerson
from zhengtong.screening import services
from zhengtong.screening.models import Alert, Entry
from zhengtong.screening.passes import pass_code
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.browser


def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-select", code)


def test_five_people_in_a_row_by_keyboard_alone(live_world, login, page, live_server):
    w = live_world
    services.site_set_state(user=w.users[Role.SITE_MANAGER], site=w.site_a,
                            data={"closed_since": "2020-01-26", "visitor_policy": "none", "reason": "封闭式管理"})
    fever_number = make_id_number(birth="19850312")
    PersonFactory(site=w.site_a, name="赵六", id_number=fever_number)
    PersonFactory(site=w.site_a, name="王五", relation="inmate", id_number=make_id_number(birth="19860415"))
    visitor_number = make_id_number(birth="19870520")
    badge = pass_code(site_id=w.site_a.pk, person_id=w.person_a.pk)

    login("gate")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/screening/gate/{w.site_a.pk}/")
    code, temp = page.locator("#gate-code"), page.locator("#gate-temp")
    answer, who = page.locator("[data-testid=gate-answer]"), page.locator("[data-testid=gate-who]")
    expect(code).to_be_focused()
    kb = page.keyboard

    def decided(css_class: str, title: str, reason: str):
        expect(answer).to_have_class(re.compile(rf"\banswer-{css_class}\b"))
        expect(answer.locator(".answer-title")).to_have_text(title)
        expect(answer).to_have_attribute("data-reason", reason)
        expect(code).to_be_focused()
        expect(code).to_have_value("")
        expect(temp).to_have_value("")

    # (1) a worker scans their pass: admitted, green
    kb.type(badge)
    kb.press("Enter")
    expect(temp).to_be_focused()
    expect(who).to_have_attribute("data-state", "person")
    expect(who).to_contain_text(w.person_a.name)
    kb.type("36.5")
    kb.press("Enter")
    decided("admit", "Admit", "ok")

    # (2) one of the site's people, by ID number, with a fever: refused, red, alert sent
    kb.type(fever_number)
    kb.press("Enter")
    expect(who).to_contain_text("赵六")
    kb.type("38.3")
    kb.press("Enter")
    decided("refuse", "Refuse", "fever")
    expect(answer).to_contain_text("38.3 °C")

    # (3) a visitor at a site under closed management: refused as soon as identified, before any
    # visitor form; only the name and phone are asked, to record the refusal
    kb.type(visitor_number)
    kb.press("Enter")
    expect(who).to_have_attribute("data-state", "refused")
    expect(who.locator("[data-testid=gate-refusal]")).to_contain_text("Closed management")
    expect(page.locator("#gate-visitor")).to_be_visible()
    expect(page.locator("#gate-visit-host")).to_be_hidden()
    expect(page.locator("#gate-visitor-name")).to_be_focused()
    for value in ("访客甲", "13800000000"):
        kb.type(value)
        kb.press("Enter")
    expect(temp).to_be_focused()
    kb.type("36.4")
    kb.press("Enter")
    decided("refuse", "Refuse", "closed")
    expect(answer).to_contain_text("Closed management")
    expect(page.locator("#gate-visitor")).to_be_hidden()

    # (4) searched by name; 98.6 looks like °F: amber, type it again, then the right value
    kb.type("王五")
    kb.press("Enter")
    expect(who).to_contain_text("王五")
    kb.type("98.6")
    kb.press("Enter")
    expect(answer).to_have_class(re.compile(r"\banswer-error\b"))
    expect(answer.locator(".answer-title")).to_have_text("Type it again")
    expect(answer).to_contain_text("Fahrenheit")
    expect(temp).to_be_focused()
    kb.type("36.6")  # the wrong value is selected, so typing replaces it
    kb.press("Enter")
    decided("admit", "Admit", "ok")

    # (5) the first worker leaves: "-" before the pass records an exit at once
    kb.type("-" + badge)
    kb.press("Enter")
    decided("exit", "Exit recorded", "exit")

    # switch the mode with F2, and back: still keyboard only
    kb.press("F2")
    expect(page.locator("input[name=mode][value=exit]")).to_be_checked()
    kb.press("F2")
    expect(page.locator("input[name=mode][value=entry]")).to_be_checked()
    expect(code).to_be_focused()

    entries = list(Entry.objects.order_by("entered_at").values_list("person__name", "decision", "reason"))
    assert entries == [("张三", "admit", "ok"), ("赵六", "refuse", "fever"), ("访客甲", "refuse", "closed"),
                       ("王五", "admit", "ok")]
    assert Entry.objects.get(person=w.person_a).left_at is not None
    refused = Entry.objects.get(person__name="访客甲").person  # a person with an entry, not one of the site's people
    assert refused.phone == "13800000000" and not refused.memberships.exists()
    assert set(Alert.objects.filter(kind="fever").values_list("recipient__username", flat=True)) == {
        "manager", "county"}


def test_several_names_match_and_one_is_chosen_by_keyboard(live_world, login, page, live_server):
    w = live_world
    PersonFactory(site=w.site_a, name="张三丰", id_number=make_id_number(birth="19880808"))
    login("gate")
    page.goto(f"{live_server.url}/screening/gate/{w.site_a.pk}/")
    kb = page.keyboard
    kb.type("张三")
    kb.press("Enter")
    choices = page.locator(".who-choices button")
    expect(choices).to_have_count(2)
    expect(choices.first).to_be_focused()
    kb.press("Tab")
    expect(choices.nth(1)).to_be_focused()
    kb.press("Enter")
    expect(page.locator("[data-testid=gate-who]")).to_have_attribute("data-state", "person")
    expect(page.locator("#gate-temp")).to_be_focused()
    kb.type("36.7")
    kb.press("Enter")
    expect(page.locator("[data-testid=gate-answer]")).to_have_attribute("data-result", "admit")
    expect(page.locator("#gate-code")).to_be_focused()
    assert Entry.objects.get().person.name == "张三丰"  # ordered by name: 张三, 张三丰


def test_a_former_member_is_refused_at_the_gate_and_hidden_from_the_people_list_until_asked(
        live_world, login, page, live_server):
    w = live_world
    ended = timezone.localdate() - timedelta(days=5)
    former = PersonFactory(site=w.site_a, name="离职乙", id_number=make_id_number(birth="19900101"))
    SitePerson.objects.filter(person=former).update(until=ended)

    login("gate")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/screening/gate/{w.site_a.pk}/")
    kb = page.keyboard
    who, answer = page.locator("[data-testid=gate-who]"), page.locator("[data-testid=gate-answer]")
    kb.type("离职乙")
    kb.press("Enter")
    expect(who).to_have_attribute("data-state", "refused")
    expect(who.locator("[data-testid=former]")).to_have_text(f"Former, until {ended.isoformat()}")
    expect(who.locator("[data-testid=gate-refusal]")).to_contain_text("No longer one of the site's people")
    expect(page.locator("#gate-visitor")).to_be_hidden()
    expect(page.locator("#gate-temp")).to_be_focused()
    kb.type("36.5")
    kb.press("Enter")
    expect(answer).to_have_attribute("data-reason", "former")
    expect(answer).to_contain_text(ended.isoformat())
    assert Entry.objects.get(person=former).reason == "former"

    page.goto(f"{live_server.url}/registry/people/?site={w.site_a.pk}")
    table = page.locator("[data-testid=person-table]")
    expect(page.locator("[data-testid=former-note]")).to_be_visible()
    expect(table).to_contain_text(w.person_a.name)
    expect(table).not_to_contain_text("离职乙")
    page.select_option("select[name=former]", "all")
    expect(table.locator("[data-testid=former]")).to_have_text(f"Former, until {ended.isoformat()}")
    expect(table).to_contain_text(w.person_a.name)
    expect(page.locator("[data-testid=former-note]")).to_have_count(0)
