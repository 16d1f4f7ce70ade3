"""The department's inbox, escalation and attachments (issue 19 step 3)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.resumption import selectors, services
from zhengtong.tests_support.demo import demo_clock
from zhengtong.tests_support.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 10)  # a Monday


def report(w, today=DAY, **data):
    data = {"category": "raw_materials", "title": "缺少钢材", "details": "上游钢厂未复工。", **data}
    return services.difficulty_report(user=w.users[Role.ENTERPRISE_CLERK], unit=w.unit_a, data=data, today=today)


def officer(w, department=None, **kw):
    return UserFactory.create(role=Role.DEPARTMENT_OFFICER, department=department or w.department, **kw)


def move(user, d, action, today=DAY, **data):
    return services.difficulty_move(user=user, difficulty=d, action=action, data=data, today=today)


def inbox(user, today, **kw):
    return list(selectors.department_inbox(user=user, today=today, **kw).order_by("due", "pk"))


def test_the_inbox_holds_what_waits_for_the_department_overdue_first_then_due_today(world):
    mine = officer(world)
    # Reported Friday 31 Jan 2020, during the Spring Festival the State Council extended to 2 February:
    # the clock starts after it (acceptance due Tuesday 4 Feb)
    late = report(world, today=date(2020, 1, 31), title="春节期间报告")
    today_due = report(world, today=date(2020, 2, 6), title="今日到期")  # acceptance due Mon 10 Feb
    accepted = report(world, today=date(2020, 2, 7), title="已受理")
    move(mine, accepted, "accept", today=date(2020, 2, 7))  # resolution due Fri 14 Feb
    later = report(world, today=DAY, title="新报告")  # acceptance due Wed 12 Feb
    resolved = report(world, today=date(2020, 2, 5), title="已解决")
    move(mine, resolved, "accept", today=date(2020, 2, 5))
    move(mine, resolved, "resolve", today=date(2020, 2, 6), text="已解决。")
    assert late.accept_due == date(2020, 2, 4)
    rows = inbox(mine, DAY)
    assert rows == [late, today_due, later, accepted]  # the resolved one waits for the enterprise
    clocks = [selectors.inbox_clock(d, DAY)["status"] for d in rows]
    assert clocks == ["overdue", "due_today", "running", "running"]
    assert inbox(mine, DAY, when="overdue") == [late]
    assert inbox(mine, DAY, when="today") == [today_due]
    assert inbox(mine, DAY, status="accepted") == [accepted]
    assert inbox(mine, DAY, category="funds") == []
    # the page: the same order by default, red for the overdue, the clocks and the count in the navigation
    client = Client()
    client.force_login(mine)
    with demo_clock(DAY):
        body = client.get(reverse("resumption:inbox")).content.decode()
    positions = [body.index(f'data-difficulty="{d.pk}"') for d in rows]
    assert positions == sorted(positions)
    assert f'<tr class="overdue" data-difficulty="{late.pk}"' in body
    assert "收件箱 (4)" in body


def test_another_departments_officer_has_nothing_of_it(world):
    d = report(world)
    elsewhere = officer(world, DepartmentFactory.create(code="tjj", name="市统计局", kind="city_department",
                                                        region=world.department.region))
    for user in (elsewhere, world.users[Role.DEPARTMENT_OFFICER]):
        assert inbox(user, DAY) == []
        client = Client()
        client.force_login(user)
        assert client.get(reverse("resumption:inbox")).status_code == 200
        assert client.get(reverse("resumption:difficulty", args=[d.pk])).status_code == 404
    for role in (Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER, Role.GATEKEEPER):
        client = Client()
        client.force_login(world.users[role])
        assert client.get(reverse("resumption:inbox")).status_code == 404
    assert inbox(world.users[Role.CITY_ADMIN], DAY) == []  # the city's inbox: only what is escalated to it


def test_the_department_officers_home_page_opens_with_the_inbox_and_the_export_has_its_rows(world):
    d = report(world, today=date(2020, 2, 3))
    report(world, title="未逾期")
    mine = officer(world)
    client = Client()
    client.force_login(mine)
    with demo_clock(DAY):
        body = client.get(reverse("home")).content.decode()
        assert 'data-testid="home-inbox"' in body and f'data-difficulty="{d.pk}"' in body and "1 件逾期" in body
        client.force_login(world.users[Role.COUNTY_OFFICER])
        assert 'data-testid="home-inbox"' not in client.get(reverse("home")).content.decode()
        client.force_login(mine)
        response = client.get(reverse("resumption:inbox_export") + "?when=overdue")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][1] == d.title and sheet.max_row == 2


# Escalation ----------------------------------------------------------------------------------------


def escalations(d):
    return list(d.events.filter(kind="escalate").order_by("pk"))


def test_an_overdue_difficulty_escalates_once_per_clock_to_the_departments_head(world):
    from zhengtong.resumption import jobs

    d = report(world)  # accept due Wed 12 Feb, resolve due Mon 17 Feb
    head = officer(world, first_name="局长")
    head.assignments.update(is_head=True)
    plain = officer(world)
    assert services.difficulties_escalate(today=date(2020, 2, 12)) == 0  # due today: not yet
    assert jobs.daily(today=date(2020, 2, 13)) == "1 difficulty clock(s) escalated"
    (event,) = escalations(d)
    assert (event.clock, event.due, event.from_status, event.to_status, event.by) == (
        "accept", date(2020, 2, 12), "reported", "reported", None)
    assert list(event.notified.all()) == [head]
    d.refresh_from_db()
    assert d.status == "reported"  # no change of state
    # run again, the same day and later: nothing more for that clock
    assert services.difficulties_escalate(today=date(2020, 2, 13)) == 0
    assert services.difficulties_escalate(today=date(2020, 2, 14)) == 0
    # accepted late, then past its resolution day too: the resolution clock escalates once
    move(plain, d, "accept", today=date(2020, 2, 14))
    assert services.difficulties_escalate(today=date(2020, 2, 17)) == 0
    assert services.difficulties_escalate(today=date(2020, 2, 18)) == 1
    assert services.difficulties_escalate(today=date(2020, 2, 19)) == 0
    assert [(e.clock, e.due) for e in escalations(d)] == [("accept", date(2020, 2, 12)), ("resolve", date(2020, 2, 17))]
    # the head's inbox marks it escalated; the thread shows to whom
    rows = inbox(head, date(2020, 2, 18))
    assert rows == [d] and rows[0].escalated
    assert inbox(head, date(2020, 2, 18), when="escalated") == [d]
    client = Client()
    client.force_login(head)
    with demo_clock(date(2020, 2, 18)):
        page = client.get(reverse("resumption:inbox")).content.decode()
        assert 'data-testid="escalated"' in page
        thread = client.get(reverse("resumption:difficulty", args=[d.pk])).content.decode()
    assert thread.count('data-testid="escalation"') == 2 and "局长" in thread


def test_without_a_head_it_escalates_to_all_its_officers_and_the_city_administrator(world):
    d = report(world)
    first, second = officer(world), officer(world)
    ended = officer(world)
    ended.assignments.update(is_head=True, ended_at=timezone.now())  # an ended head is no head
    elsewhere = officer(world, DepartmentFactory.create(code="tjj", name="市统计局", kind="city_department",
                                                        region=world.department.region))
    assert services.difficulties_escalate(today=date(2020, 2, 13)) == 1
    (event,) = escalations(d)
    city = world.users[Role.CITY_ADMIN]
    assert set(event.notified.all()) == {first, second, city}
    assert elsewhere not in event.notified.all()
    # the city administrator's inbox holds it while it is overdue, marked escalated; nobody else's new
    assert inbox(city, date(2020, 2, 13)) == [d] and inbox(city, date(2020, 2, 13))[0].escalated
    assert inbox(elsewhere, date(2020, 2, 13)) == []
    assert all(r.escalated for r in inbox(first, date(2020, 2, 13)))
    move(first, d, "accept", today=date(2020, 2, 13))  # accepted: its running clock (resolution) is not overdue
    assert inbox(city, date(2020, 2, 14)) == []
    assert not inbox(first, date(2020, 2, 14))[0].escalated


def test_overdue_difficulties_show_red_for_the_county_and_the_city(world):
    d = report(world)
    report(world, title="未逾期", today=date(2020, 2, 12))
    for role in (Role.COUNTY_OFFICER, Role.CITY_ADMIN):
        client = Client()
        client.force_login(world.users[role])
        with demo_clock(date(2020, 2, 13)):
            listing = client.get(reverse("resumption:difficulty_list")).content.decode()
            overview = client.get(reverse("resumption:overview")).content.decode()
        assert f'<tr class="overdue" data-difficulty="{d.pk}"' in listing
        assert listing.count('<tr class="overdue"') == 1
        assert 'data-testid="overdue-difficulties"' in overview
        figure = overview.split('data-testid="overdue-difficulties"')[1].split("</a>")[0]
        assert '<div class="stat clock overdue">1</div>' in figure
