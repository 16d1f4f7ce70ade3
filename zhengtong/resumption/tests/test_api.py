"""The resumption API (issue 19, step 6): difficulties and their moves, declarations and their stages, the
donation drive — over the same services and selectors as the pages, under the same scopes, each refusal
naming its field. The clock is fixed at Monday 10 February 2020, 10:00 in Shanghai."""

from datetime import date
from decimal import Decimal

import pytest

from zhengtong.accounts.models import Role
from zhengtong.registry.models import Department
from zhengtong.resumption import donations
from zhengtong.resumption.models import Difficulty, DifficultyEvent, Donation, ResumptionDeclaration, ResumptionStage
from zhengtong.tests_support.api import Api, assert_error, messages_for
from zhengtong.tests_support.demo import demo_clock
from zhengtong.tests_support.factories import DepartmentFactory, UserFactory, token_for

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 10)  # a Monday
CLERK, COUNTY, ADMIN, DEPT = Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER, Role.CITY_ADMIN, Role.DEPARTMENT_OFFICER


@pytest.fixture(autouse=True)
def clock():
    with demo_clock(DAY):
        yield


def as_(world, role) -> Api:
    """The world's users: the clerk of unit_a, the county officer of unit_a's county, the city
    administrator, and a department officer of the county's ecology branch (not the department that
    answers: the setting's lead department is 市发改委, ``world.department``)."""
    return Api(token=token_for(world.users[role]))


def lead(world) -> Api:
    """An officer of 市发改委, the lead department, to which difficulties go when no route names one."""
    return Api(token=token_for(UserFactory.create(role=DEPT, department=world.department)))


# Difficulties ------------------------------------------------------------------------------------


def report(world, api=None, **data):
    body = {"unit": world.unit_a.pk, "category": "raw_materials", "title": "缺少钢材",
            "details": "上游钢厂未复工，库存只够三天。", **data}
    return (api or as_(world, CLERK)).post("/resumption/difficulties", body)


def reported(world) -> dict:
    r = report(world)
    assert r.status_code == 201, r.content
    return r.json()


def test_a_clerk_reports_and_the_department_accepts_replies_and_resolves_and_the_clerk_confirms(world):
    d = reported(world)
    assert (d["status"], d["department"], d["unit"], d["category"]) == (
        "reported", world.department.pk, world.unit_a.pk, "raw_materials")
    assert (d["accept_due"], d["resolve_due"], d["overdue"]) == ("2020-02-12", "2020-02-17", False)
    assert d["allowed_moves"] == ["reply"]
    assert [e["kind"] for e in d["thread"]] == ["report"]
    dept, clerk, url = lead(world), as_(world, CLERK), f"/resumption/difficulties/{d['id']}"
    assert dept.get(url).json()["allowed_moves"] == ["accept", "reply"]
    r = dept.post(f"{url}/accept", {})
    assert (r.status_code, r.json()["status"], r.json()["accepted_on"]) == (200, "accepted", "2020-02-10")
    assert dept.post(f"{url}/reply", {"text": "已联系钢厂"}).status_code == 200
    assert clerk.post(f"{url}/reply", {"text": "谢谢"}).status_code == 200
    assert dept.post(f"{url}/resolve", {"text": "钢厂已复工供货"}).json()["status"] == "resolved"
    assert clerk.get(url).json()["allowed_moves"] == ["reply", "confirm", "reopen"]
    r = clerk.post(f"{url}/reopen", {"text": "只到了一半"})
    assert (r.json()["status"], r.json()["resolved_on"]) == ("reopened", None)
    dept.post(f"{url}/resolve", {"text": "剩余部分已送达"})
    r = clerk.post(f"{url}/confirm", {"rating": 4, "text": "满意"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["rating"], body["closed_on"], body["allowed_moves"]) == ("closed", 4, "2020-02-10", [])
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in body["thread"]] == [
        ("report", None, "reported"), ("accept", "reported", "accepted"), ("reply", "accepted", "accepted"),
        ("reply", "accepted", "accepted"), ("resolve", "accepted", "resolved"), ("reopen", "resolved", "reopened"),
        ("resolve", "reopened", "resolved"), ("confirm", "resolved", "closed")]
    assert body["thread"][2]["text"] == "已联系钢厂" and body["thread"][-1]["rating"] == 4


def test_the_county_officer_reassigns_and_both_clocks_start_again(world):
    d = reported(world)
    other = DepartmentFactory.create(code="gxj", name="市工信局", kind="city_department",
                                     region=world.department.region)
    r = as_(world, COUNTY).post(f"/resumption/difficulties/{d['id']}/reassign",
                                {"department": other.pk, "text": "属工信局职责"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["department"], body["department_name"], body["status"]) == (other.pk, "市工信局", "reported")
    assert body["thread"][-1]["kind"] == "reassign" and body["thread"][-1]["department"] == other.pk
    # the first department no longer sees it, nor acts on it
    assert_error(lead(world).post(f"/resumption/difficulties/{d['id']}/accept", {}), 404)


@pytest.mark.parametrize(("department", "status"), [(987654, 400), ("lead", 400), ("inactive", 400), (0, 422),
                                                    ("abc", 422), (None, 422)])
def test_a_reassignment_to_a_department_that_does_not_exist_is_refused(world, department, status):
    d = reported(world)
    if department == "lead":  # the one it is with already
        department = world.department.pk
    elif department == "inactive":
        department = DepartmentFactory.create(code="old", name="已撤销局", kind="city_department",
                                              region=world.department.region, is_active=False).pk
    r = as_(world, COUNTY).post(f"/resumption/difficulties/{d['id']}/reassign", {"department": department})
    assert_error(r, status, "department")
    assert Difficulty.objects.get().department == world.department
    assert DifficultyEvent.objects.count() == 1


def test_a_reply_to_a_closed_difficulty_is_a_409_naming_the_moves_still_open(world):
    d = reported(world)
    url = f"/resumption/difficulties/{d['id']}"
    dept, clerk = lead(world), as_(world, CLERK)
    dept.post(f"{url}/accept", {})
    dept.post(f"{url}/resolve", {"text": "已解决"})
    clerk.post(f"{url}/confirm", {"rating": 5})
    for api in (dept, clerk, as_(world, ADMIN)):
        body = assert_error(api.post(f"{url}/reply", {"text": "再补充一句"}), 409, "status")
        assert messages_for(body, "action") == ["No move is open to you now."]
    assert DifficultyEvent.objects.count() == 4
    # a move the state does not allow, with moves still open: they are named
    fresh = reported(world)
    body = assert_error(clerk.post(f"/resumption/difficulties/{fresh['id']}/confirm", {"rating": 5}), 409, "status")
    assert messages_for(body, "action") == ["Open to you now: Reply."]


def test_who_may_not_make_a_move_gets_403(world):
    d = reported(world)
    url = f"/resumption/difficulties/{d['id']}"
    clerk, county = as_(world, CLERK), as_(world, COUNTY)
    assert_error(clerk.post(f"{url}/accept", {}), 403)
    assert_error(county.post(f"{url}/accept", {}), 403)  # the county oversees, the department handles
    assert_error(clerk.post(f"{url}/reassign", {"department": world.department.pk}), 403)
    lead(world).post(f"{url}/accept", {})
    assert_error(clerk.post(f"{url}/resolve", {"text": "自己解决了"}), 403)
    assert_error(county.post(f"{url}/confirm", {"rating": 5}), 403)
    assert Difficulty.objects.get().status == "accepted"


def test_another_units_clerk_and_another_departments_officer_see_nothing(world):
    d = reported(world)
    other_clerk = Api(token=token_for(UserFactory.create(role=CLERK, unit=world.unit_b)))
    for api in (other_clerk, as_(world, DEPT), as_(world, Role.SITE_MANAGER)):
        assert_error(api.get(f"/resumption/difficulties/{d['id']}"), 404)
        assert_error(api.post(f"/resumption/difficulties/{d['id']}/reply", {"text": "看看"}), 404)
        listed = api.get("/resumption/difficulties")
        assert listed.status_code == 200 and listed.json()["count"] == 0
        assert "缺少钢材" not in listed.content.decode()
    # and may not report for a unit that is not theirs: named like a missing one, nothing saved
    assert_error(report(world, api=other_clerk), 400, "unit")
    assert_error(report(world, api=as_(world, COUNTY)), 403)  # the county sees the unit, the clerk reports
    assert Difficulty.objects.count() == 1
    assert_error(Api().get("/resumption/difficulties"), 401)


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"category": "weather"}, 422, "category"),
    ({"title": ""}, 422, "title"),
    ({"title": "x" * 101}, 422, "title"),
    ({"details": "   "}, 400, "details"),
    ({"details": "a\x00b"}, 422, "details"),
    ({"unit": 987654}, 400, "unit"),
    ({"unit": "abc"}, 422, "unit"),
    ({"severity": "high"}, 422, "severity"),
])
def test_bad_reports_name_their_field_and_save_nothing(world, change, status, field):
    assert_error(report(world, **change), status, field)
    assert not Difficulty.objects.exists()


@pytest.mark.parametrize(("action", "body", "status", "field"), [
    ("reply", {"text": ""}, 422, "text"),
    ("reply", {"text": "  "}, 400, "text"),
    ("reply", {}, 422, "text"),
    ("resolve", {"text": "  "}, 400, "text"),
    ("confirm", {"rating": 6}, 422, "rating"),
    ("confirm", {"rating": 0}, 422, "rating"),
    ("confirm", {"rating": "good"}, 422, "rating"),
    ("confirm", {}, 422, "rating"),
    ("accept", {"text": "x" * 5001}, 422, "text"),
])
def test_bad_moves_name_their_field_and_change_nothing(world, action, body, status, field):
    d = reported(world)
    api = as_(world, ADMIN)  # the city administrator may make every move
    if action in ("resolve", "confirm"):
        api.post(f"/resumption/difficulties/{d['id']}/accept", {})
    if action == "confirm":
        api.post(f"/resumption/difficulties/{d['id']}/resolve", {"text": "已解决"})
    before = (Difficulty.objects.get().status, DifficultyEvent.objects.count())
    assert_error(api.post(f"/resumption/difficulties/{d['id']}/{action}", body), status, field)
    assert (Difficulty.objects.get().status, DifficultyEvent.objects.count()) == before


def test_the_list_filters_by_status_category_overdue_and_unit(world):
    first = reported(world)
    second = report(world, category="funds", title="贷款到期").json()
    admin = as_(world, ADMIN)
    admin.post(f"/resumption/difficulties/{second['id']}/accept", {})

    def ids(**params):
        r = admin.get("/resumption/difficulties", params)
        assert r.status_code == 200, r.content
        return [d["id"] for d in r.json()["items"]]

    assert ids() == [second["id"], first["id"]]  # newest first
    assert ids(status="reported") == [first["id"]]
    assert ids(status="open") == [second["id"], first["id"]]
    assert ids(category="funds") == [second["id"]]
    assert ids(unit=world.unit_b.pk) == []
    assert ids(overdue="true") == []
    with demo_clock(date(2020, 2, 13)):  # the first is past its acceptance day (12 February)
        assert ids(overdue="true") == [first["id"]]
        assert ids(overdue="false") == [second["id"]]
        assert admin.get(f"/resumption/difficulties/{first['id']}").json()["overdue"] is True
    assert_error(admin.get("/resumption/difficulties", {"status": "lost"}), 422, "status")
    assert_error(admin.get("/resumption/difficulties", {"overdue": "maybe"}), 422, "overdue")


# Declarations and stages -------------------------------------------------------------------------


def declare(world, api=None, **data):
    body = {"unit": world.unit_a.pk, "planned_date": "2020-02-12", "workforce_total": 100, "workforce_returned": 60,
            "returned_from_outside": 20, "outside_isolated": 15, "temperature_checks": True, "masks": True, **data}
    return (api or as_(world, CLERK)).post("/resumption/declarations", body)


def declared(world) -> dict:
    r = declare(world)
    assert r.status_code == 201, r.content
    return r.json()


def test_a_clerk_declares_corrects_and_the_lead_department_answers(world):
    d = declared(world)
    assert (d["unit"], d["workforce_returned"], d["masks"], d["isolation_room"], d["status"]) == (
        world.unit_a.pk, 60, True, False, "filed")
    assert (d["lead_department"], d["answer_due"], d["clock"], d["allowed_answers"]) == (
        world.department.pk, "2020-02-12", "running", [])
    clerk, dept = as_(world, CLERK), lead(world)
    assert dept.get(f"/resumption/declarations/{d['id']}").json()["allowed_answers"] == ["acknowledge", "return"]
    fields = {k: d[k] for k in ("planned_date", "workforce_total", "returned_from_outside", "outside_isolated")}
    r = clerk.post(f"/resumption/declarations/{d['id']}/corrections",
                   {**fields, "workforce_returned": 70, "reason": "又返岗10人"})
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["corrects"], c["reason"], c["workforce_returned"], c["corrected_by"]) == (d["id"], "又返岗10人", 70, None)
    old = clerk.get(f"/resumption/declarations/{d['id']}").json()
    assert (old["workforce_returned"], old["corrected_by"]) == (60, c["id"])  # the earlier one stays as it was
    assert [x["id"] for x in clerk.get("/resumption/declarations").json()["items"]] == [c["id"]]  # those in force
    # the lead department answers the correction; the corrected one is answered in it (409)
    assert_error(dept.post(f"/resumption/declarations/{d['id']}/answer", {"action": "acknowledge"}), 409)
    assert_error(dept.post(f"/resumption/declarations/{c['id']}/answer", {"action": "return"}), 400, "answer")
    r = dept.post(f"/resumption/declarations/{c['id']}/answer", {"action": "return", "answer": "请补充隔离情况"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["answer"], r.json()["answered_on"], r.json()["clock"]) == (
        "returned", "请补充隔离情况", "2020-02-10", "done")
    assert_error(dept.post(f"/resumption/declarations/{c['id']}/answer", {"action": "acknowledge"}), 409, "status")
    assert dept.get("/resumption/declarations", {"status": "returned"}).json()["count"] == 1
    assert dept.get("/resumption/declarations", {"status": "filed"}).json()["count"] == 0


def test_a_declaration_corrected_already_is_not_corrected_again(world):
    d = declared(world)
    clerk = as_(world, CLERK)
    body = {"planned_date": "2020-02-12", "workforce_total": 100, "workforce_returned": 60,
            "returned_from_outside": 20, "outside_isolated": 15, "reason": "更正"}
    assert clerk.post(f"/resumption/declarations/{d['id']}/corrections", body).status_code == 201
    assert_error(clerk.post(f"/resumption/declarations/{d['id']}/corrections", body), 409, "status")
    # filing again without a reason is refused on it; with one it corrects the declaration in force
    assert_error(declare(world), 400, "reason")
    assert declare(world, reason="再次更正").json()["corrects"] != d["id"]
    assert ResumptionDeclaration.objects.count() == 3


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"workforce_returned": 101}, 400, "workforce_returned"),           # more returned than the total
    ({"returned_from_outside": 61}, 400, "returned_from_outside"),
    ({"outside_isolated": 21}, 400, "outside_isolated"),
    ({"workforce_total": -1}, 422, "workforce_total"),
    ({"workforce_total": 1.5}, 422, "workforce_total"),
    ({"workforce_total": "many"}, 422, "workforce_total"),
    ({"planned_date": "2020-02-30"}, 422, "planned_date"),
    ({"planned_date": 0}, 422, "planned_date"),                         # not read as a Unix time
    ({"planned_date": "2020-02-12T00:00:00"}, 422, "planned_date"),
    ({"masks": "yes"}, 422, "masks"),
    ({"unit": 987654}, 400, "unit"),
    ({"measures_note": "x" * 2001}, 422, "measures_note"),
])
def test_bad_declarations_name_their_field_and_save_nothing(world, change, status, field):
    assert_error(declare(world, **change), status, field)
    assert not ResumptionDeclaration.objects.exists()


def test_declarations_are_seen_and_made_only_within_the_scope(world):
    d = declared(world)
    other_clerk = Api(token=token_for(UserFactory.create(role=CLERK, unit=world.unit_b)))
    for api in (other_clerk, as_(world, DEPT), as_(world, Role.SITE_MANAGER)):
        assert_error(api.get(f"/resumption/declarations/{d['id']}"), 404)
        assert_error(api.post(f"/resumption/declarations/{d['id']}/answer", {"action": "acknowledge"}), 404)
        assert_error(api.get(f"/resumption/units/{world.unit_a.pk}/stages"), 404)
        assert api.get("/resumption/declarations").json()["count"] == 0
    assert_error(declare(world, api=other_clerk), 400, "unit")
    assert_error(declare(world, api=as_(world, COUNTY), reason="代填"), 403)  # the county sees, the clerk declares
    assert_error(as_(world, CLERK).post(f"/resumption/declarations/{d['id']}/answer", {"action": "acknowledge"}),
                 403)
    assert_error(as_(world, COUNTY).post(f"/resumption/declarations/{d['id']}/answer", {"action": "acknowledge"}),
                 403)
    assert as_(world, COUNTY).get("/resumption/declarations").json()["count"] == 1
    assert ResumptionDeclaration.objects.get().status == "filed"


def stage(world, api=None, **data):
    body = {"stage": "construction", "reached_on": "2020-02-10", "capacity_pct": 30, **data}
    return (api or as_(world, CLERK)).post(f"/resumption/units/{world.unit_a.pk}/stages", body)


def test_a_clerk_reports_and_corrects_a_stage(world):
    declared(world)
    r = stage(world, note="一期工地")
    assert r.status_code == 201, r.content
    s = r.json()
    assert (s["stage"], s["reached_on"], s["capacity_pct"], s["unit"]) == ("construction", "2020-02-10", 30,
                                                                          world.unit_a.pk)
    url = f"/resumption/units/{world.unit_a.pk}/stages"
    r = as_(world, CLERK).post(f"{url}/{s['id']}/corrections", {"stage": "partly", "reached_on": "2020-02-10",
                                                                "capacity_pct": 50, "reason": "填错阶段"})
    assert r.status_code == 201, r.content
    assert (r.json()["corrects"], r.json()["stage"]) == (s["id"], "partly")
    listed = as_(world, COUNTY).get(url).json()
    assert [(x["stage"], x["capacity_pct"]) for x in listed] == [("partly", 50)]  # the stages in force
    assert lead(world).get(url).status_code == 200  # the lead department sees the unit it answers
    assert_error(as_(world, CLERK).post(f"{url}/{s['id']}/corrections", {
        "stage": "fully", "reached_on": "2020-02-10", "capacity_pct": 100, "reason": "再改"}), 400, "stage")
    assert_error(as_(world, CLERK).post(f"{url}/987654/corrections", {
        "stage": "fully", "reached_on": "2020-02-10", "capacity_pct": 100, "reason": "再改"}), 404)
    assert_error(stage(world, api=as_(world, COUNTY)), 403)
    assert ResumptionStage.objects.count() == 2


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"reached_on": "2020-02-09"}, 400, "reached_on"),   # earlier than the declaration (10 February)
    ({"reached_on": "2020-02-11"}, 400, "reached_on"),   # after today
    ({"capacity_pct": 101}, 422, "capacity_pct"),
    ({"capacity_pct": -1}, 422, "capacity_pct"),
    ({"capacity_pct": "half"}, 422, "capacity_pct"),
    ({"stage": "planned"}, 422, "stage"),
    ({"reached_on": None}, 422, "reached_on"),
])
def test_bad_stages_name_their_field_and_save_nothing(world, change, status, field):
    declared(world)
    body = assert_error(stage(world, **change), status, field)
    if change.get("reached_on") == "2020-02-09":
        assert "2020-02-10" in messages_for(body, "reached_on")[0]
    assert not ResumptionStage.objects.exists()


def test_a_stage_before_any_declaration_is_refused(world):
    assert_error(stage(world), 400, "stage")
    assert not ResumptionStage.objects.exists()


# The donation drive ------------------------------------------------------------------------------


@pytest.fixture
def drive(world):
    """The party committee office's campaign from 1 February 2020, and one of its officers."""
    office = Department.objects.create(code="swb", name="市委办", kind="party_office", region=world.department.region)
    officer = UserFactory.create(username="office", role=DEPT, department=office)
    campaign = donations.campaign_create(user=officer, data={"name": "支持疫情防控捐款", "organiser": office.pk,
                                                             "starts_on": "2020-02-01"})
    return Api(token=token_for(officer)), campaign


def give(api, campaign, **data):
    body = {"donor_name": "王建华", "organisation": "市委办", "amount": "1000", "donated_on": "2020-02-05", **data}
    return api.post(f"/resumption/donation-campaigns/{campaign.pk}/donations", body)


def test_donations_are_recorded_listed_in_time_order_and_totalled(world, drive):
    api, campaign = drive
    r = give(api, campaign, donor_name="李红梅", amount=200.5, donated_on="2020-02-06", party_member=True)
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["party_member"], r.json()["recorded_by"]) == ("200.50", True, "office")
    give(api, campaign, donor_name="张志强", amount="500", donated_on="2020-02-06")
    give(api, campaign, donor_name="书记", title="市委书记", is_leader=True, amount="2,000", donated_on="2020-02-06")
    give(api, campaign, donor_kind="organisation", donor_name="衡阳某公司", organisation="", amount="10000.00")
    listed = api.get(f"/resumption/donation-campaigns/{campaign.pk}/donations").json()
    assert [(d["donor_name"], d["donated_on"]) for d in listed["items"]] == [
        ("衡阳某公司", "2020-02-05"), ("书记", "2020-02-06"), ("李红梅", "2020-02-06"), ("张志强", "2020-02-06")]
    assert listed["items"][0]["organisation"] == "衡阳某公司"
    campaigns = api.get("/resumption/donation-campaigns").json()
    assert [(c["name"], c["total"], c["donors"]) for c in campaigns["items"]] == [("支持疫情防控捐款", "12700.50", 4)]
    detail = api.get(f"/resumption/donation-campaigns/{campaign.pk}").json()
    assert (detail["total"], detail["totals"]["leaders"], detail["totals"]["party_members"]) == ("12700.50", 1, 1)
    assert [(o["organisation"], o["amount"], o["donors"]) for o in detail["totals"]["by_organisation"]] == [
        ("衡阳某公司", "10000.00", 1), ("市委办", "2700.50", 3)]


def test_a_correction_is_a_new_record_with_its_reason_and_never_an_edit(world, drive):
    api, campaign = drive
    first = give(api, campaign, amount="100").json()
    url = f"/resumption/donations/{first['id']}"
    r = api.post(f"{url}/corrections", {"amount": "1000", "reason": "少录一个零"})
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["corrects"], c["amount"], c["donor_name"], c["donated_on"], c["reason"], c["counts"]) == (
        first["id"], "1000.00", "王建华", "2020-02-05", "少录一个零", True)  # the fields left out are the record's
    assert [h["amount"] for h in c["history"]] == ["100.00", "1000.00"]
    old = api.get(url).json()
    assert (old["amount"], old["counts"]) == ("100.00", False)  # as it was recorded
    assert_error(api.post(f"{url}/corrections", {"amount": "10", "reason": "再改"}), 409, "reason")
    for method in ("patch", "put", "delete"):
        assert getattr(api.client, method)(f"/api{url}", "{}", content_type="application/json",
                                           headers=api.headers).status_code == 405
    w = api.post(f"/resumption/donations/{c['id']}/corrections", {"withdraw": True, "reason": "重复登记"}).json()
    assert (w["withdrawn"], w["amount"], w["counts"]) == (True, None, False)
    assert api.get(f"/resumption/donation-campaigns/{campaign.pk}").json()["total"] == "0.00"
    assert [d.amount for d in Donation.objects.order_by("id")] == [Decimal("100.00"), Decimal("1000.00"), None]


@pytest.mark.parametrize(("amount", "message"), [
    (-5, "more than zero"), ("-5", "more than zero"), (0, "more than zero"), ("0.00", "more than zero"),
    ("abc", "Enter an amount"), ("", "required"), ("12.345", "two decimals"), (12.345, "two decimals"),
    ("1e999", "too large"), (True, "Give text"),
])
def test_bad_amounts_are_refused_naming_the_field_and_nothing_is_saved(world, drive, amount, message):
    api, campaign = drive
    body = assert_error(give(api, campaign, amount=amount), 422 if amount is True else 400, "amount")
    assert message in " ".join(messages_for(body, "amount"))
    assert not Donation.objects.exists()


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"donated_on": "2020-02-11"}, 400, "donated_on"),   # after today
    ({"donated_on": "2020-01-31"}, 400, "donated_on"),   # before the campaign began
    ({"organisation": ""}, 400, "organisation"),         # a person's organisation
    ({"donor_name": ""}, 422, "donor_name"),
    ({"donor_kind": "family"}, 422, "donor_kind"),
    ({"is_leader": "yes"}, 422, "is_leader"),
    ({"recorded_by": 1}, 422, "recorded_by"),
])
def test_bad_donations_name_their_field_and_save_nothing(world, drive, change, status, field):
    api, campaign = drive
    assert_error(give(api, campaign, **change), status, field)
    assert not Donation.objects.exists()


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"amount": "0"}, 400, "amount"), ({"amount": "1.001"}, 400, "amount"), ({"reason": ""}, 422, "reason"),
    ({"reason": None}, 422, "reason"), ({"amount": None}, 422, "amount"), ({"donated_on": "2020-03-01"}, 400,
                                                                            "donated_on"),
])
def test_bad_corrections_name_their_field_and_save_nothing(world, drive, change, status, field):
    api, campaign = drive
    first = give(api, campaign).json()
    assert_error(api.post(f"/resumption/donations/{first['id']}/corrections", {"reason": "更正", **change}),
                 status, field)
    assert Donation.objects.count() == 1


def test_another_departments_officer_and_a_clerk_see_no_campaign(world, drive):
    api, campaign = drive
    first = give(api, campaign).json()
    for outsider in (as_(world, DEPT), lead(world), as_(world, CLERK), as_(world, COUNTY)):
        assert outsider.get("/resumption/donation-campaigns").json()["count"] == 0
        assert_error(outsider.get(f"/resumption/donation-campaigns/{campaign.pk}"), 404)
        assert_error(outsider.get(f"/resumption/donation-campaigns/{campaign.pk}/donations"), 404)
        assert_error(give(outsider, campaign), 404)
        assert_error(outsider.get(f"/resumption/donations/{first['id']}"), 404)
        assert_error(outsider.post(f"/resumption/donations/{first['id']}/corrections",
                                   {"amount": "1", "reason": "改"}), 404)
    assert as_(world, ADMIN).get(f"/resumption/donation-campaigns/{campaign.pk}").json()["donors"] == 1
    assert Donation.objects.count() == 1


def test_in_a_batch_one_bad_donation_never_sinks_the_others(world, drive):
    api, campaign = drive
    items = [{"donor_name": "王建华", "organisation": "市委办", "amount": "1000", "donated_on": "2020-02-05"},
             {"donor_name": "李红梅", "organisation": "市委办", "amount": "12.345", "donated_on": "2020-02-05"},
             {"donor_name": "张志强", "organisation": "市委办", "amount": 300, "donated_on": "2020-02-06"},
             {"donor_name": "赵敏", "organisation": "", "amount": "-1", "donated_on": "2020-02-11"}]
    r = api.post(f"/resumption/donation-campaigns/{campaign.pk}/donations/batch", {"donations": items})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["recorded"], body["refused"]) == (2, 2)
    assert [(x["index"], x["status"]) for x in body["results"]] == [(0, 201), (1, 400), (2, 201), (3, 400)]
    assert {e["field"] for e in body["results"][1]["errors"]} == {"amount"}
    assert {e["field"] for e in body["results"][3]["errors"]} == {"amount", "organisation", "donated_on"}
    assert body["results"][2]["donation"]["amount"] == "300.00"
    assert list(Donation.objects.order_by("id").values_list("donor_name", flat=True)) == ["王建华", "张志强"]
    url = f"/resumption/donation-campaigns/{campaign.pk}/donations/batch"
    assert_error(api.post(url, {"donations": []}), 422, "donations")
    assert_error(api.post(url, {"donations": [{**items[0], "amount": None}]}), 422)  # not of the declared types
    assert_error(as_(world, DEPT).post(url, {"donations": items[:1]}), 404)
    assert Donation.objects.count() == 2
