"""Leaders' visits and instructions, step 4 (issue 19): recording a visit with its instructions (all or
nothing, every bad field named), the instruction's moves per role, the scopes (another county's officer,
another department refused), the due date and overdue, the thread as history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.resumption import visits
from zhengtong.resumption.models import InspectionVisit, Instruction, InstructionEvent
from zhengtong.tests_support.codes import HENGYANG_COUNTY
from zhengtong.tests_support.factories import DepartmentFactory, UnitFactory, UserFactory, region
from zhengtong.tests_support.statemachines import docstring_tables

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 27)


def record(w, user=None, today=DAY, rows=None, **data):
    data = {"leader_title": "市委书记", "visited_on": "2020-02-27", "units": [w.unit_a.pk],
            "summary": "调研疫情防控和复工复产",
            "instructions": rows if rows is not None else [
                {"text": "协调解决企业用工", "department": w.department.pk, "due_on": "2020-03-06",
                 "unit": str(w.unit_a.pk)},
                {"text": "加强对企业的支持和帮扶", "department": w.department.pk, "due_on": "2020-03-13"}],
            **data}
    return visits.visit_record(user=user or w.users[Role.COUNTY_OFFICER], data=data, today=today)


def officer(w, department=None):
    return UserFactory.create(role=Role.DEPARTMENT_OFFICER, department=department or w.department)


def move(user, i, action, today=DAY, **data):
    return visits.instruction_move(user=user, instruction=i, action=action, data=data, today=today)


def test_the_docstring_table_is_the_table_the_code_runs():
    assert docstring_tables(visits.__doc__) == [visits.INSTRUCTIONS.as_rows()]


def test_a_visit_is_recorded_with_its_instructions_each_assigned_in_its_thread(world):
    visit = record(world)
    assert (visit.leader_title, visit.visited_on) == ("市委书记", DAY)
    assert list(visit.units.all()) == [world.unit_a]
    first, second = visit.instructions.order_by("id")
    assert (first.unit, first.department, first.due_on, first.status) == (
        world.unit_a, world.department, date(2020, 3, 6), "assigned")
    assert second.unit is None
    event = first.events.get()
    assert (event.kind, event.to_status, event.department, event.text) == (
        "assign", "assigned", world.department, "协调解决企业用工")


def test_units_may_be_named_by_code_or_exact_name_one_per_line(world):
    other = UnitFactory.create(name="衡南县福利中心")
    visit = record(world, units=f"{world.unit_a.uscc}\n\n衡南县福利中心\n", rows=[])
    assert set(visit.units.all()) == {world.unit_a, other}


@pytest.mark.parametrize(("data", "field"), [
    ({"leader_title": " "}, "leader_title"),
    ({"leader_title": "x" * 101}, "leader_title"),
    ({"visited_on": ""}, "visited_on"),
    ({"visited_on": "27/02/2020"}, "visited_on"),
    ({"visited_on": "2020-02-28"}, "visited_on"),  # after today
    ({"units": []}, "units"),
    ({"units": ["没有这个单位"]}, "units"),
    ({"summary": "a\x00b"}, "summary"),
])
def test_bad_visits_name_their_field_and_save_nothing(world, data, field):
    with pytest.raises(DomainError) as e:
        record(world, **data)
    assert field in e.value.errors
    assert not InspectionVisit.objects.exists() and not Instruction.objects.exists()


@pytest.mark.parametrize(("row", "field"), [
    ({"due_on": "2020-02-26"}, "due_on"),  # before the visit
    ({"due_on": ""}, "due_on"),
    ({"due_on": "2020-13-01"}, "due_on"),
    ({"department": "999999"}, "department"),  # no such department
    ({"department": "fgw"}, "department"),
    ({"department": ""}, "department"),
    ({"text": ""}, "text"),
    ({"text": "x" * 2001}, "text"),
    ({"unit": "衡阳县水泥厂"}, "unit"),  # a unit not visited
])
def test_bad_instructions_name_their_row_and_field_and_save_nothing(world, row, field):
    good = {"text": "协调解决企业用工", "department": world.department.pk, "due_on": "2020-03-06"}
    with pytest.raises(DomainError) as e:
        record(world, rows=[good, {}, {**good, **row}])  # the blank row is skipped, the rows keep their number
    assert list(e.value.errors) == [f"instructions[2].{field}"]
    assert not InspectionVisit.objects.exists() and not InstructionEvent.objects.exists()


def test_an_inactive_department_is_refused(world):
    gone = DepartmentFactory.create(code="old", name="已撤销的局", kind="city_department",
                                    region=world.department.region, is_active=False)
    with pytest.raises(DomainError) as e:
        record(world, rows=[{"text": "t", "department": gone.pk, "due_on": "2020-03-01"}])
    assert "instructions[0].department" in e.value.errors


def test_a_county_officer_records_visits_to_the_countys_units_only(world):
    with pytest.raises(DomainError) as e:
        record(world, units=[world.unit_a.pk, world.unit_b.pk])
    assert "不在您可录入调研的单位范围内" in e.value.errors["units"][0]
    assert not InspectionVisit.objects.exists()
    visit = record(world, user=world.users[Role.CITY_ADMIN], units=[world.unit_a.pk, world.unit_b.pk])
    assert visit.units.count() == 2


@pytest.mark.parametrize("role", [Role.DEPARTMENT_OFFICER, Role.ENTERPRISE_CLERK, Role.SITE_MANAGER,
                                  Role.PERMIT_REVIEWER, "none"])
def test_other_roles_do_not_record_visits(world, role):
    with pytest.raises(PermissionDenied):
        record(world, user=world.users[role])


def test_the_whole_path_by_role_accept_reply_report_done_reopen_report_done_confirm(world):
    visit = record(world)
    i = visit.instructions.order_by("id").first()
    dept, county, admin = officer(world), world.users[Role.COUNTY_OFFICER], world.users[Role.CITY_ADMIN]
    assert set(visits.instruction_moves_allowed(user=dept, instruction=i)) == {"accept", "reply"}
    assert set(visits.instruction_moves_allowed(user=county, instruction=i)) == {"reply"}
    with pytest.raises(PermissionDenied):
        move(county, i, "accept")
    i = move(dept, i, "accept")
    assert (i.status, i.accepted_on) == ("accepted", DAY)
    with pytest.raises(DomainError) as e:
        move(dept, i, "report_done")
    assert "text" in e.value.errors  # what was done is required
    i = move(dept, i, "report_done", text="已协调返岗工人200人", today=date(2020, 3, 4))
    assert (i.status, i.done_on) == ("done", date(2020, 3, 4))
    assert set(visits.instruction_moves_allowed(user=dept, instruction=i)) == {"reply"}
    assert set(visits.instruction_moves_allowed(user=county, instruction=i)) == {"reply", "confirm", "reopen"}
    with pytest.raises(PermissionDenied):
        move(dept, i, "confirm")
    with pytest.raises(DomainError) as e:
        move(county, i, "reopen")
    assert {"text", "due_on"} <= set(e.value.errors)  # why, and the new due date
    i = move(county, i, "reopen", text="仍有50人未返岗", due_on="2020-03-12", today=date(2020, 3, 5))
    assert (i.status, i.done_on, i.due_on) == ("reopened", None, date(2020, 3, 12))
    i = move(dept, i, "report_done", text="已全部返岗", today=date(2020, 3, 9))
    i = move(admin, i, "confirm", today=date(2020, 3, 10))
    assert (i.status, i.closed_on) == ("closed", date(2020, 3, 10))
    with pytest.raises(DomainError) as e:
        move(dept, i, "reply", text="补充")
    assert e.value.status == 409 and "status" in e.value.errors  # a closed instruction takes no reply
    kinds = list(i.events.values_list("kind", "from_status", "to_status"))
    assert kinds == [("assign", "", "assigned"), ("accept", "assigned", "accepted"),
                     ("report_done", "accepted", "done"), ("reopen", "done", "reopened"),
                     ("report_done", "reopened", "done"), ("confirm", "done", "closed")]
    # the history keeps every state the row was in
    assert [h.status for h in i.history.order_by("history_id")] == [
        "assigned", "accepted", "done", "reopened", "done", "closed"]


def test_a_reopening_gives_a_new_due_date_and_the_thread_keeps_both(world):
    i = record(world).instructions.order_by("id").first()
    dept, county = officer(world), world.users[Role.COUNTY_OFFICER]
    assert i.due_on == date(2020, 3, 6)
    i = move(dept, i, "accept")
    i = move(dept, i, "report_done", text="已协调", today=date(2020, 3, 9))  # done late
    for due, message in (("", "请填写新的办结时限"), ("2020-03-09", "新的办结时限不能早于今天（2020-03-10）"),
                         ("2020-13-01", "")):
        with pytest.raises(DomainError) as e:
            move(county, i, "reopen", text="仍未落实", due_on=due, today=date(2020, 3, 10))
        assert list(e.value.errors) == ["due_on"] and message in e.value.errors["due_on"][0], due
    i.refresh_from_db()
    assert (i.status, i.due_on) == ("done", date(2020, 3, 6))  # a refused reopening changes nothing
    i = move(county, i, "reopen", text="仍未落实", due_on="2020-03-20", today=date(2020, 3, 10))
    assert (i.status, i.due_on) == ("reopened", date(2020, 3, 20))
    assert visits.instruction_clock(i, date(2020, 3, 12)).status == "running"  # the new date runs, not the old
    assert visits.instruction_clock(i, date(2020, 3, 21)).status == "overdue"
    assert list(i.events.exclude(due_on=None).values_list("kind", "due_on")) == [
        ("assign", date(2020, 3, 6)), ("reopen", date(2020, 3, 20))]
    assert [h.due_on for h in i.history.order_by("history_id")][-2:] == [date(2020, 3, 6), date(2020, 3, 20)]


def test_the_instruction_page_asks_the_new_due_date_and_shows_both(world, time_machine):
    from django.urls import reverse

    time_machine.move_to("2020-03-10 10:00+08:00", tick=False)
    i = record(world).instructions.order_by("id").first()
    dept = officer(world)
    i = move(dept, move(dept, i, "accept"), "report_done", text="已协调", today=date(2020, 3, 9))
    county = client_for(world.users[Role.COUNTY_OFFICER])
    url = reverse("resumption:instruction", args=[i.pk])
    body = county.get(url).content.decode()
    assert 'name="due_on"' in body and "新的办结时限" in body  # asked, and the page says who gives it
    assert 'name="due_on"' not in client_for(dept).get(url).content.decode()  # the department does not reopen
    response = county.post(reverse("resumption:instruction_move", args=[i.pk, "reopen"]), {"text": "仍未落实"})
    assert response.status_code == 400 and "due_on" in response.context["form"].errors
    response = county.post(reverse("resumption:instruction_move", args=[i.pk, "reopen"]),
                           {"text": "仍未落实", "due_on": "2020-03-20"})
    assert response.status_code == 302
    body = county.get(url).content.decode()
    assert body.count('data-testid="event-due"') == 2 and "2020-03-06" in body and "2020-03-20" in body
    assert 'data-testid="first-due"' in body


def test_another_department_and_another_countys_officer_are_refused_and_do_not_see_it(world):
    visit = record(world)
    i = visit.instructions.order_by("id").first()
    other_dept = DepartmentFactory.create(code="sjj", name="市审计局", kind="city_department",
                                          region=world.department.region)
    stranger = officer(world, other_dept)
    far_county = UserFactory.create(role=Role.COUNTY_OFFICER, region=region(HENGYANG_COUNTY))
    for user in (stranger, far_county, world.users[Role.ENTERPRISE_CLERK]):
        assert visits.instruction_moves_allowed(user=user, instruction=i) == {}
        with pytest.raises(PermissionDenied):
            move(user, i, "reply", text="我来回复")
        with pytest.raises(Http404):
            visits.instruction_get(user=user, pk=i.pk)
        with pytest.raises(Http404):
            visits.visit_get(user=user, pk=visit.pk)
        assert not visits.visit_list(user=user, today=DAY).exists()
    assert list(i.events.values_list("kind", flat=True)) == ["assign"]


def test_a_department_sees_the_visit_and_only_its_own_instructions(world):
    other_dept = DepartmentFactory.create(code="sjj", name="市审计局", kind="city_department",
                                          region=world.department.region)
    visit = record(world, rows=[{"text": "甲", "department": world.department.pk, "due_on": "2020-03-06"},
                                {"text": "乙", "department": other_dept.pk, "due_on": "2020-03-06"}])
    dept = officer(world)
    assert visits.visit_get(user=dept, pk=visit.pk) == visit
    assert [i.text for i in visits.visit_instructions(user=dept, visit=visit)] == ["甲"]
    county = world.users[Role.COUNTY_OFFICER]
    assert [i.text for i in visits.visit_instructions(user=county, visit=visit)] == ["甲", "乙"]
    row = visits.visit_list(user=dept, today=DAY).get()
    assert (row.n_instructions, row.n_units) == (1, 1)


def test_overdue_past_the_due_date_until_reported_done(world):
    i = record(world).instructions.order_by("id").first()  # due 6 March
    dept = officer(world)
    assert visits.instruction_clock(i, date(2020, 3, 6)).status == "due_today"
    assert visits.instruction_clock(i, date(2020, 3, 7)).overdue
    assert list(visits.department_instructions(user=dept, today=date(2020, 3, 7), status="overdue")) == [i]
    assert not visits.department_instructions(user=dept, today=date(2020, 3, 6), status="overdue").exists()
    assert visits.visit_list(user=dept, today=date(2020, 3, 7), status="overdue").get().n_overdue == 1
    i = move(dept, i, "accept", today=date(2020, 3, 2))
    i = move(dept, i, "report_done", text="已完成", today=date(2020, 3, 9))
    clock = visits.instruction_clock(i, date(2020, 3, 10))
    assert (clock.status, clock.done_on, str(clock.label)) == ("overdue", date(2020, 3, 9), "逾期办结")  # done late
    assert not visits.department_instructions(user=dept, today=date(2020, 3, 10), status="overdue").exists()


def test_department_instructions_are_the_departments_most_urgent_first(world):
    visit = record(world, rows=[{"text": "晚", "department": world.department.pk, "due_on": "2020-03-20"},
                                {"text": "早", "department": world.department.pk, "due_on": "2020-03-02"}])
    dept = officer(world)
    assert [i.text for i in visits.department_instructions(user=dept, today=DAY)] == ["早", "晚"]
    assert not visits.department_instructions(user=world.users[Role.COUNTY_OFFICER], today=DAY).exists()
    assert visits.department_instructions(user=world.users[Role.CITY_ADMIN], today=DAY).count() == 2
    early = visit.instructions.get(text="早")
    move(dept, early, "accept")
    assert [i.text for i in visits.department_instructions(user=dept, today=DAY, status="accepted")] == ["早"]


def test_the_open_instruction_count_keeps_its_statement_not_its_number(world, django_assert_num_queries):
    """The navigation's count of a department's open instructions (visits.open_instruction_count) is
    ``department_instructions(...).count()``: its statement is kept per scope, what it counts read each
    time; another department's officer and the city count their own."""
    visit = record(world, rows=[{"text": "早", "department": world.department.pk, "due_on": "2020-03-02"}])
    dept, other = officer(world), officer(world, department=DepartmentFactory.create(region=world.department.region))
    count = visits.open_instruction_count
    assert count(user=dept, today=DAY) == 1 and count(user=other, today=DAY) == 0
    record(world, rows=[{"text": "晚", "department": world.department.pk, "due_on": "2020-03-20"}])
    with django_assert_num_queries(1):
        assert count(user=dept, today=DAY) == 2
    assert count(user=world.users[Role.CITY_ADMIN], today=DAY) == 2
    assert count(user=world.users[Role.COUNTY_OFFICER], today=DAY) == 0
    early = visit.instructions.get()
    move(dept, early, "accept")
    move(dept, early, "report_done", text="已办结。")  # the follower confirms now: not the department's work
    for user in (dept, other, world.users[Role.CITY_ADMIN], world.users[Role.COUNTY_OFFICER]):
        assert count(user=user, today=DAY) == visits.department_instructions(user=user, today=DAY).count()
    assert count(user=dept, today=DAY) == 1


# Pages -------------------------------------------------------------------------------------------


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_pages_by_role_and_404_outside_scope(world, time_machine):
    from django.urls import reverse

    time_machine.move_to("2020-03-10 10:00+08:00", tick=False)
    visit = record(world)
    i = visit.instructions.order_by("id").first()
    dept = officer(world)
    for user in (world.users[Role.CITY_ADMIN], world.users[Role.COUNTY_OFFICER], dept):
        c = client_for(user)
        page = c.get(reverse("resumption:visit_list")).content.decode()
        assert "市委书记" in page
        page = c.get(reverse("resumption:visit", args=[visit.pk])).content.decode()
        assert "协调解决企业用工" in page and "逾期" in page  # due 6 March, today 10 March
        assert c.get(reverse("resumption:instruction", args=[i.pk])).status_code == 200
        export = c.get(reverse("resumption:visit_export"))
        assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    far = UserFactory.create(role=Role.COUNTY_OFFICER, region=region(HENGYANG_COUNTY))
    for user in (far, world.users[Role.ENTERPRISE_CLERK], world.users["none"]):
        c = client_for(user)
        assert c.get(reverse("resumption:visit", args=[visit.pk])).status_code == 404
        assert c.get(reverse("resumption:instruction", args=[i.pk])).status_code == 404
        assert c.post(reverse("resumption:instruction_move", args=[i.pk, "reply"]), {"text": "x"}).status_code == 404
    assert client_for(world.users[Role.ENTERPRISE_CLERK]).get(reverse("resumption:visit_list")).status_code == 404
    assert client_for(dept).get(reverse("resumption:visit_new")).status_code == 404


def test_the_new_visit_form_names_each_bad_field_on_its_row_and_saves_nothing(world, time_machine):
    from django.urls import reverse

    time_machine.move_to("2020-02-27 10:00+08:00", tick=False)
    c = client_for(world.users[Role.COUNTY_OFFICER])
    assert c.get(reverse("resumption:visit_new") + "?rows=3").status_code == 200
    data = {"leader_title": "市委书记", "visited_on": "2020-02-27",
            "units": f"{world.unit_a.name}\n{world.unit_b.name}",
            "instructions-TOTAL_FORMS": "3", "instructions-INITIAL_FORMS": "3",
            "instructions-0-text": "协调用工", "instructions-0-department": str(world.department.pk),
            "instructions-0-due_on": "2020-02-20",
            "instructions-2-text": "加强帮扶", "instructions-2-department": "99999",
            "instructions-2-due_on": "2020-03-01"}
    response = c.post(reverse("resumption:visit_new"), data)
    assert response.status_code == 400
    form, formset = response.context["form"], response.context["formset"]
    assert "units" in form.errors  # 衡阳县水泥厂 is another county's
    assert list(formset.forms[0].errors) == ["due_on"] and list(formset.forms[2].errors) == ["department"]
    assert not formset.forms[1].errors
    assert not InspectionVisit.objects.exists()
    data.update({"units": world.unit_a.name, "instructions-0-due_on": "2020-03-06",
                 "instructions-2-department": str(world.department.pk)})
    response = c.post(reverse("resumption:visit_new"), data)
    visit = InspectionVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("resumption:visit", args=[visit.pk])
    assert visit.instructions.count() == 2


def test_moves_through_the_page(world, time_machine):
    from django.urls import reverse

    time_machine.move_to("2020-02-28 10:00+08:00", tick=False)
    i = record(world).instructions.order_by("id").first()
    dept = client_for(officer(world))
    url = reverse("resumption:instruction", args=[i.pk])
    assert 'data-move="accept"' in dept.get(url).content.decode()
    assert dept.post(reverse("resumption:instruction_move", args=[i.pk, "accept"])).status_code == 302
    response = dept.post(reverse("resumption:instruction_move", args=[i.pk, "report_done"]), {"text": ""})
    assert response.status_code == 400 and "text" in response.context["form"].errors
    assert dept.post(reverse("resumption:instruction_move", args=[i.pk, "report_done"]),
                     {"text": "已办结"}).status_code == 302
    assert dept.post(reverse("resumption:instruction_move", args=[i.pk, "confirm"])).status_code == 403
    county = client_for(world.users[Role.COUNTY_OFFICER])
    assert county.post(reverse("resumption:instruction_move", args=[i.pk, "confirm"])).status_code == 302
    response = county.post(reverse("resumption:instruction_move", args=[i.pk, "reopen"]), {"text": "x"})
    assert response.status_code == 409
    i.refresh_from_db()
    assert i.status == "closed"
    assert "已办结" in county.get(url).content.decode()


def test_the_demo_has_the_secretarys_visit_to_four_units_one_instruction_overdue_and_one_done(world):
    from types import SimpleNamespace

    from zhengtong.core.demo_clock import story_date
    from zhengtong.resumption import demo

    today = date(2026, 3, 2)  # the shifted anchor: the newspaper's day shown on it
    names = {"prison": "衡州监狱", "welfare": "衡南县福利中心", "tbea": "特变电工集团南方智能电网科技产业园",
             "zhongke": "湖南中科光电有限公司"}
    named = {key: SimpleNamespace(unit=UnitFactory.create(name=name)) for key, name in names.items()}
    for code, name in (("hengnan-gov", "衡南县人民政府"), ("shigu-gov", "石鼓区人民政府")):
        DepartmentFactory.create(code=code, name=name, kind="county_government", region=world.unit_a.county)
    assert demo._visits(admin=world.users[Role.CITY_ADMIN], named_sites=named, hengnan=[world.unit_a.pk],
                        day=lambda m, d: story_date(date(2020, m, d), today), today=today) == 2
    secretary = InspectionVisit.objects.get(leader_title="市委书记")
    assert secretary.visited_on == today  # the newspaper's day
    assert set(secretary.units.values_list("name", flat=True)) == set(names.values())
    assert secretary.instructions.count() == 5
    assert {v.leader_title for v in InspectionVisit.objects.all()} == {"市委书记", "市领导"}  # titles, never names
    overdue = Instruction.objects.filter(visits.overdue_q(today))
    assert overdue.count() == 1 and overdue.get().department == world.department  # fgw: the demo department's
    assert Instruction.objects.filter(status="closed").count() == 1
    assert Instruction.objects.filter(status="done").count() == 1  # awaiting the county's confirmation
    for i in Instruction.objects.all():  # every thread starts with the assignment, in time order
        assert list(i.events.order_by("at", "id").values_list("kind", flat=True))[0] == "assign"


def test_the_visit_list_filters_by_words_county_dates_and_open_or_overdue(world):
    admin = world.users[Role.CITY_ADMIN]
    first = record(world, user=admin, visited_on="2020-02-20", leader_title="市领导", rows=[
        {"text": "甲", "department": world.department.pk, "due_on": "2020-02-25"}])
    second = record(world, user=admin, units=[world.unit_b.pk], summary="水泥厂复产", rows=[
        {"text": "乙", "department": world.department.pk, "due_on": "2020-03-06"}])

    def ids(**kw):
        return set(visits.visit_list(user=admin, today=DAY, **kw).values_list("pk", flat=True))

    assert ids() == {first.pk, second.pk}
    assert ids(q="水泥") == {second.pk} and ids(q="市领导") == {first.pk}
    assert ids(county=world.unit_b.county_id) == {second.pk}
    assert ids(since=date(2020, 2, 21)) == {second.pk} and ids(until=date(2020, 2, 21)) == {first.pk}
    assert ids(status="overdue") == {first.pk} and ids(status="open") == {first.pk, second.pk}
    assert set(visits.visit_counties(user=admin)) == {world.unit_a.county, world.unit_b.county}
    assert set(visits.visit_counties(user=world.users[Role.COUNTY_OFFICER])) == {world.unit_a.county}
