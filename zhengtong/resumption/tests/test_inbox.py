"""The department's inbox, escalation and attachments (issue 19 step 3)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

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
