"""The department's inbox, escalation and attachments (issue 19 step 3)."""

from datetime import date, time

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
    with demo_clock(date(2020, 2, 13), time(8, 0)):
        assert jobs.daily() == "1 difficulty clock(s) escalated"
    (event,) = escalations(d)
    assert (event.clock, event.due, event.from_status, event.to_status, event.by) == (
        "accept", date(2020, 2, 12), "reported", "reported", None)
    assert timezone.localtime(event.at).date() == date(2020, 2, 13)
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


# Attachments ---------------------------------------------------------------------------------------


def test_attachments_on_the_report_and_a_reply_are_seen_by_everyone_involved_and_nobody_else(world, settings,
                                                                                             tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengtong.resumption.models import Difficulty, DifficultyAttachment

    settings.MEDIA_ROOT = tmp_path
    clerk = Client()
    clerk.force_login(world.users[Role.ENTERPRISE_CLERK])
    response = clerk.post(reverse("resumption:difficulty_new"), {
        "unit": world.unit_a.pk, "category": "funds", "title": "流动资金紧张", "details": "贷款到期",
        "attachments": [SimpleUploadedFile("贷款合同.pdf", b"%PDF-1.4 contract"),
                        SimpleUploadedFile("报表.xlsx", b"PK")]})
    assert response.status_code == 302
    d = Difficulty.objects.get()
    mine = officer(world)
    dept = Client()
    dept.force_login(mine)
    response = dept.post(reverse("resumption:difficulty_move", args=[d.pk, "reply"]),
                         {"text": "请补充材料。", "attachments": [SimpleUploadedFile("清单.docx", b"PK docx")]})
    assert response.status_code == 302
    report_files = list(d.events.get(kind="report").attachments.values_list("name", flat=True))
    assert report_files == ["贷款合同.pdf", "报表.xlsx"]
    reply = DifficultyAttachment.objects.get(event__kind="reply")
    assert (reply.name, reply.size, reply.uploaded_by) == ("清单.docx", 7, mine)
    first = DifficultyAttachment.objects.get(name="贷款合同.pdf")
    url = reverse("resumption:difficulty_attachment", args=[d.pk, first.pk])
    page = clerk.get(reverse("resumption:difficulty", args=[d.pk])).content.decode()
    assert page.count('data-testid="attachment"') == 3 and url in page
    for user in (world.users[Role.ENTERPRISE_CLERK], mine, world.users[Role.COUNTY_OFFICER],
                 world.users[Role.CITY_ADMIN]):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 contract"
    unrelated = [world.users[Role.DEPARTMENT_OFFICER], world.users[Role.GATEKEEPER], world.users["none"],
                 officer(world, DepartmentFactory.create(code="tjj", name="市统计局", kind="city_department",
                                                         region=world.department.region))]
    for user in unrelated:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
    # an attachment of another difficulty is not reached through this one
    other = report(world)
    assert clerk.get(reverse("resumption:difficulty_attachment", args=[other.pk, first.pk])).status_code == 404


def test_attachments_of_a_wrong_type_too_large_or_too_many_are_refused_by_name_and_nothing_is_saved(
        world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengtong.resumption.models import Difficulty, DifficultyAttachment, DifficultyEvent

    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_MAX_MB = 1
    settings.DIFFICULTY_MAX_ATTACHMENTS = 2
    clerk = Client()
    clerk.force_login(world.users[Role.ENTERPRISE_CLERK])
    form = {"unit": world.unit_a.pk, "category": "funds", "title": "流动资金紧张", "details": "贷款到期"}
    cases = [
        ([SimpleUploadedFile("病毒.exe", b"MZ")], "请上传PDF"),
        ([SimpleUploadedFile("空.pdf", b"")], "文件为空"),
        ([SimpleUploadedFile("大.pdf", b"%PDF" + b"x" * (2 * 1024 * 1024))], "1 MB"),
        ([SimpleUploadedFile(f"{n}.pdf", b"%PDF") for n in range(3)], "最多 2 个文件"),
        # the cap counts the whole submission (core.uploads reads the body's length first)
        ([SimpleUploadedFile(f"{n}.pdf", b"%PDF" + b"z" * 700_000) for n in range(2)], "合计不超过 1 MB"),
    ]
    for files, message in cases:
        response = clerk.post(reverse("resumption:difficulty_new"), {**form, "attachments": files})
        body = response.content.decode()
        assert response.status_code == 400, message
        errors = body.split('id="id_attachments"')[1].split("</div>")[0]
        assert message in errors
    assert not Difficulty.objects.exists() and not DifficultyAttachment.objects.exists()
    # on a reply: the same refusal on the field, no entry written
    d = report(world)
    dept = Client()
    dept.force_login(officer(world))
    response = dept.post(reverse("resumption:difficulty_move", args=[d.pk, "reply"]),
                         {"text": "见附件", "attachments": [SimpleUploadedFile("x.bat", b"echo")]})
    assert response.status_code == 400 and "请上传PDF" in response.content.decode()
    assert DifficultyEvent.objects.filter(difficulty=d).count() == 1 and not DifficultyAttachment.objects.exists()
    with pytest.raises(Exception) as e:
        services.difficulty_move(user=world.users[Role.ENTERPRISE_CLERK], difficulty=d, action="reply",
                                 data={"text": "x"}, files=[SimpleUploadedFile("a.pdf", b"%PDF" + b"y" * 2 ** 21)])
    assert "attachments" in e.value.errors


def test_the_instructions_given_to_the_department_wait_in_its_inbox_too(world):
    from zhengtong.resumption import visits

    mine = officer(world)
    elsewhere = officer(world, DepartmentFactory.create(code="tjj2", name="市统计局二", kind="city_department",
                                                        region=world.department.region))
    visit = visits.visit_record(user=world.users[Role.COUNTY_OFFICER], today=date(2020, 2, 27), data={
        "leader_title": "市委书记", "visited_on": "2020-02-27", "units": [world.unit_a.pk], "summary": "调研",
        "instructions": [{"text": "协调解决企业用工", "department": world.department.pk, "due_on": "2020-03-02"},
                         {"text": "加强帮扶", "department": world.department.pk, "due_on": "2020-03-13"}]})
    late, later = visit.instructions.order_by("due_on")
    client = Client()
    client.force_login(mine)
    with demo_clock(date(2020, 3, 3)):
        body = client.get(reverse("resumption:inbox")).content.decode()
    assert 'data-testid="inbox-instructions"' in body
    assert body.index(f'data-instruction="{late.pk}"') < body.index(f'data-instruction="{later.pk}"')
    assert f'<tr class="overdue" data-instruction="{late.pk}"' in body
    assert "收件箱 (2)" in body  # no difficulty, two instructions
    visits.instruction_move(user=mine, instruction=later, action="accept", data={}, today=date(2020, 3, 3))
    visits.instruction_move(user=mine, instruction=later, action="report_done", data={"text": "已落实。"},
                            today=date(2020, 3, 3))
    with demo_clock(date(2020, 3, 3)):
        body = client.get(reverse("resumption:inbox")).content.decode()
    assert f'data-instruction="{later.pk}"' not in body and "收件箱 (1)" in body  # done: the follower's turn
    client.force_login(elsewhere)
    with demo_clock(date(2020, 3, 3)):
        body = client.get(reverse("resumption:inbox")).content.decode()
    assert 'data-testid="inbox-instructions"' not in body


def test_the_inbox_page_counts_its_difficulties_once_for_the_list_and_the_navigation(world):
    """The list's total and the navigation's count are one number, counted once per request; with a
    filter the list counts its own rows and the navigation still says what waits in all."""
    from django.db import connection

    for title in ("一", "二", "三"):
        report(world, title=title)
    mine = officer(world)
    client = Client()
    client.force_login(mine)
    with demo_clock(DAY):
        client.get(reverse("resumption:inbox"))  # the session's first touch
        statements: list[str] = []

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):  # (the query log is emptied when a request starts)
            body = client.get(reverse("resumption:inbox")).content.decode()
        filtered = client.get(reverse("resumption:inbox") + "?category=funds").content.decode()
    counts = [sql for sql in statements if "COUNT(" in sql and "resumption_difficulty" in sql]
    assert len(counts) == 1, counts
    assert "收件箱 (3)" in body and 'data-testid="total">共 3 条记录' in body
    assert "收件箱 (3)" in filtered and 'data-testid="total">共 0 条记录' in filtered


def test_the_inbox_count_keeps_its_statement_not_its_number(world, django_assert_num_queries):
    """The count's statement is built once for a user, a scope and a day (selectors._inbox_count); what
    it counts is read each time: a new difficulty, a resolved one, another department's officer."""
    mine, other = officer(world), officer(world, department=DepartmentFactory.create(region=world.department.region))
    second = officer(world)  # the same scope, another user: a statement of their own
    late = report(world, today=date(2020, 1, 31))
    count = selectors.inbox_difficulty_count
    assert count(user=mine, today=DAY) == 1 and count(user=other, today=DAY) == 0
    report(world, today=DAY)
    with django_assert_num_queries(1):
        assert count(user=mine, today=DAY) == 2
    assert count(user=second, today=DAY) == 2 and count(user=mine, today=date(2020, 2, 11)) == 2
    move(mine, late, "accept", today=DAY)
    move(mine, late, "resolve", today=DAY, text="已解决。")
    assert count(user=mine, today=DAY) == 1 and count(user=other, today=DAY) == 0
