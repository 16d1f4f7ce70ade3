"""The registry's REST API: reads in scope, writes through the services, one error shape."""

import pytest
from django.utils import translation
from stdnum.cn import uscc as stdnum_uscc

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.registry.models import Department, Industry, Person, Site, Unit
from zhengtong.tests_support.api import assert_error, messages_for
from zhengtong.tests_support.codes import CITY, HENGNAN, HENGYANG_COUNTY, make_id_number, make_uscc
from zhengtong.tests_support.factories import UnitFactory

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, CLERK, GATE, MANAGER, DEPT = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK, Role.GATEKEEPER, Role.SITE_MANAGER,
    Role.DEPARTMENT_OFFICER,
)


@pytest.fixture
def reg(world):
    """The world as these tests read it: both units are thermal power plants (4411), and the one
    department is the city's 发改委, where the department officer works (a city department reads the
    whole city); the permit reviewer, who works in the county's, has no part here."""
    Unit.objects.update(industry=Industry.objects.get(code="4411"))
    RoleAssignment.objects.filter(user=world.users[DEPT]).update(department=world.department)
    RoleAssignment.objects.filter(user=world.users[Role.PERMIT_REVIEWER]).delete()
    Department.objects.exclude(pk=world.department.pk).delete()
    for unit in (world.unit_a, world.unit_b):
        unit.refresh_from_db()
    return world


def unit_body(**kw):
    return {
        "uscc": make_uscc(HENGNAN), "name": "衡南新能源有限公司", "county": HENGNAN, "industry": "4411",
        "address": "衡南县云集镇", "contact_name": "王五", "contact_phone": "0734-1234567", **kw,
    }


# Reference data --------------------------------------------------------------------------


def test_regions_are_the_county_level_divisions_of_hengyang(reg):
    response = reg.api(CLERK).get("/regions")
    assert response.status_code == 200
    regions = response.json()
    assert {"code": HENGNAN, "name": "衡南县", "level": "county"} in regions
    assert len(regions) == 12
    assert {r["level"] for r in regions} <= {"district", "county", "county_city"}
    assert CITY not in {r["code"] for r in regions}


def test_industries_by_code_and_level_are_paged(reg):
    api = reg.api(CLERK)
    body = api.get("/industries", {"q": "4411"}).json()
    assert body["count"] == 1
    assert body["items"] == [{"code": "4411", "name": "火力发电", "level": "class", "parent": "441"}]
    sections = api.get("/industries", {"level": "section", "limit": 5}).json()
    assert sections["count"] == 20 and len(sections["items"]) == 5
    assert sections["items"][0]["parent"] is None
    by_name = api.get("/industries", {"q": "火力发电"}).json()
    assert "4411" in {i["code"] for i in by_name["items"]}
    assert_error(api.get("/industries", {"level": "sector"}), 422, "level")


# Units: reads ----------------------------------------------------------------------------


def test_city_admin_lists_every_unit_and_filters(reg):
    api = reg.api(ADMIN)
    body = api.get("/units").json()
    assert body["count"] == 2
    assert {u["name"] for u in body["items"]} == {"衡南火电厂", "衡阳县水泥厂"}
    assert [u["name"] for u in api.get("/units", {"county": HENGNAN}).json()["items"]] == ["衡南火电厂"]
    assert api.get("/units", {"industry": "44"}).json()["count"] == 2
    assert api.get("/units", {"industry": "D"}).json()["count"] == 2
    assert api.get("/units", {"industry": "30"}).json()["count"] == 0
    assert api.get("/units", {"q": "水泥"}).json()["count"] == 1
    assert api.get("/units", {"q": reg.unit_a.uscc[:10]}).json()["count"] == 1
    assert api.get("/units", {"status": "closed"}).json()["count"] == 0
    page = api.get("/units", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_a_page_is_at_most_500_units(reg):
    assert reg.api(ADMIN).get("/units", {"limit": 500}).status_code == 200
    body = assert_error(reg.api(ADMIN).get("/units", {"limit": 501}), 422, "limit")
    assert "500" in messages_for(body, "limit")[0]


@pytest.mark.parametrize(("role", "names"), [
    (COUNTY, {"衡南火电厂"}),
    (CLERK, {"衡南火电厂"}),
    (GATE, {"衡南火电厂"}),
    (DEPT, {"衡南火电厂", "衡阳县水泥厂"}),  # a city department reads the whole city
    ("none", set()),
])
def test_each_role_lists_the_units_in_its_scope(reg, role, names):
    body = reg.api(role).get("/units").json()
    assert {u["name"] for u in body["items"]} == names
    assert body["count"] == len(names)


def test_unit_detail_has_codes_and_names(reg):
    response = reg.api(COUNTY).get(f"/units/{reg.unit_a.pk}")
    assert response.status_code == 200
    unit = response.json()
    assert unit["id"] == reg.unit_a.pk
    assert unit["uscc"] == reg.unit_a.uscc
    assert (unit["county"], unit["county_name"]) == (HENGNAN, "衡南县")
    assert (unit["industry"], unit["industry_name"]) == ("4411", "火力发电")
    assert unit["other_industries"] == []
    assert unit["kind"] == "enterprise" and unit["status"] == "active"
    assert unit["created_at"] and unit["updated_at"]


def test_a_unit_outside_the_scope_answers_exactly_like_a_missing_one(reg):
    api = reg.api(CLERK)
    other = api.get(f"/units/{reg.unit_b.pk}")
    missing = api.get("/units/987654")
    assert_error(other, 404)
    assert (other.status_code, other.json()) == (missing.status_code, missing.json()) == (404, {
        "detail": "Not found", "errors": []})
    assert "衡阳县" not in other.content.decode()


def test_a_path_id_that_is_not_a_number_is_a_422_naming_it(reg):
    assert_error(reg.api(ADMIN).get("/units/abc"), 422, "unit_id")


# Units: writes ---------------------------------------------------------------------------


def test_city_admin_registers_a_unit(reg):
    body = unit_body(other_industries=["2221", "3011"], kind="public_institution")
    response = reg.api(ADMIN).post("/units", body)
    assert response.status_code == 201, response.content
    unit = response.json()
    assert unit["id"] and unit["uscc"] == body["uscc"]
    assert unit["name"] == "衡南新能源有限公司"
    assert (unit["county"], unit["county_name"], unit["industry"], unit["industry_name"]) == (
        HENGNAN, "衡南县", "4411", "火力发电")
    assert sorted(unit["other_industries"]) == ["2221", "3011"]
    assert unit["kind"] == "public_institution" and unit["status"] == "active"
    saved = Unit.objects.get(pk=unit["id"])
    assert {h.history_user for h in saved.history.all()} == {reg.users[ADMIN]}


def test_codes_are_normalised(reg):
    code = make_uscc(HENGNAN)
    response = reg.api(ADMIN).post("/units", unit_body(uscc=" " + code.lower()))
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == code


def test_a_number_where_the_document_says_text_is_refused_naming_it(reg):
    """Strict strings: the document says a code is a string, so a number is not taken (issue 15, §6)."""
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(county=int(HENGNAN), industry=4411)), 422)
    assert {e["field"] for e in body["errors"]} == {"county", "industry"}
    assert messages_for(body, "county") == ["Give text."]
    assert not Unit.objects.filter(name="衡南新能源有限公司").exists()


def test_a_wrong_check_character_is_named_with_the_right_one(reg):
    code17 = f"91{HENGNAN}MA4L99999"
    expected = stdnum_uscc.calc_check_digit(code17)
    wrong = "0" if expected != "0" else "1"
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(uscc=code17 + wrong)), 400, "uscc")
    assert any(f"“{expected}”" in m for m in messages_for(body, "uscc"))
    assert not Unit.objects.filter(uscc__startswith=code17).exists()


@pytest.mark.parametrize("industry", ["441", "9999", "D", " "])
def test_an_industry_that_is_not_a_class_is_refused_naming_industry(reg, industry):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(industry=industry)), 400, "industry")
    assert [e["field"] for e in body["errors"]] == ["industry"]


def test_an_industry_group_is_refused_saying_it_is_a_group(reg):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(industry="441")), 400, "industry")
    assert "choose a 4-digit class" in messages_for(body, "industry")[0]


def test_every_bad_field_is_named_at_once(reg):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(
        uscc="123", name=" ", county="999999", kind="company", contact_phone="call me")), 400)
    assert {e["field"] for e in body["errors"]} == {"uscc", "name", "county", "kind", "contact_phone"}


def test_a_missing_field_is_a_422_naming_it(reg):
    data = unit_body()
    del data["uscc"]
    body = assert_error(reg.api(ADMIN).post("/units", data), 422, "uscc")
    assert body["errors"] == [{"field": "uscc", "message": "This field is required."}]


def test_messages_follow_the_callers_language(reg):
    data = unit_body()
    del data["uscc"]
    body = assert_error(reg.api(ADMIN).post("/units", data, headers={"Accept-Language": "zh-hans"}), 422, "uscc")
    with translation.override("zh-hans"):
        expected = translation.gettext("This field is required.")
    assert messages_for(body, "uscc") == [expected] != ["This field is required."]


def test_an_unknown_field_and_a_wrong_type_are_named(reg):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(usc="x", other_industries="4411")), 422)
    assert {e["field"] for e in body["errors"]} == {"usc", "other_industries"}


@pytest.mark.parametrize(("params", "field", "english", "chinese"), [
    ({"limit": 501}, "limit", "At most 500.", "至多为 500。"),
    ({"limit": "abc"}, "limit", "Give a whole number.", "请填写整数。"),
    ({"offset": -1}, "offset", "At least 0.", "至少为 0。"),
])
def test_ninjas_own_checks_name_the_field_in_the_callers_language_not_pydantics_english(reg, params, field,
                                                                                        english, chinese):
    assert messages_for(assert_error(reg.api(ADMIN).get("/units", params), 422, field), field) == [english]
    zh = reg.api(ADMIN).get("/units", params, headers={"Accept-Language": "zh-hans"})
    assert messages_for(assert_error(zh, 422, field), field) == [chinese]


def test_a_body_that_is_not_json_is_a_400(reg):
    assert_error(reg.api(ADMIN).post("/units", "{not json"), 400)


@pytest.mark.parametrize("debug", [False, True])
def test_a_body_that_is_not_json_is_said_in_the_callers_language_without_the_parsers_text(reg, settings, debug):
    settings.DEBUG = debug
    body = assert_error(reg.api(ADMIN).post("/units", "{not json"), 400)
    assert body["detail"] == "The request body is not valid JSON."
    zh = reg.api(ADMIN).post("/units", "{not json", headers={"Accept-Language": "zh-hans"})
    assert assert_error(zh, 400)["detail"] == "请求正文不是有效的 JSON。"


def test_a_nul_character_is_refused_not_a_server_error(reg):
    assert_error(reg.api(ADMIN).post("/units", unit_body(name="衡南\x00厂")), 422, "name")
    assert_error(reg.api(ADMIN).get("/units", {"q": "a\x00b"}), 422, "q")


@pytest.mark.parametrize("name", ["衡南\x01厂", "衡南\x1b厂", "\x7f"])
def test_another_control_character_is_refused_naming_the_field_in_the_callers_language(reg, name):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(name=name)), 422, "name")
    assert messages_for(body, "name") == ["Contains a character that cannot be stored (a control or broken character)."]
    zh = reg.api(ADMIN).post("/units", unit_body(name=name), headers={"Accept-Language": "zh-hans"})
    assert messages_for(assert_error(zh, 422, "name"), "name") == ["含有无法保存的字符（控制字符或乱码）。"]
    assert not Unit.objects.filter(name=name).exists()


def test_a_duplicate_uscc_is_a_409(reg):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(uscc=reg.unit_b.uscc)), 409, "uscc")
    assert "already registered" in messages_for(body, "uscc")[0]


def test_a_duplicate_uscc_is_refused_naming_uscc(reg):
    response = reg.api(ADMIN).post("/units", unit_body(uscc=reg.unit_b.uscc))
    body = assert_error(response, response.status_code, "uscc")
    assert response.status_code in (400, 409)
    assert "already registered" in messages_for(body, "uscc")[0]
    assert Unit.objects.count() == 2


def test_county_officer_registers_in_own_county_only(reg):
    api = reg.api(COUNTY)
    assert api.post("/units", unit_body()).status_code == 201
    other = unit_body(uscc=make_uscc(HENGYANG_COUNTY), county=HENGYANG_COUNTY)
    assert_error(api.post("/units", other), 403)
    assert not Unit.objects.filter(uscc=other["uscc"]).exists()


@pytest.mark.parametrize("role", [CLERK, GATE, DEPT])
def test_roles_without_a_county_cannot_register_units(reg, role):
    assert_error(reg.api(role).post("/units", unit_body()), 403)


def test_patch_changes_only_the_given_fields(reg):
    api = reg.api(CLERK)
    before = api.get(f"/units/{reg.unit_a.pk}").json()
    response = api.patch(f"/units/{reg.unit_a.pk}", {"contact_phone": "13900000000", "other_industries": ["2221"]})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["contact_phone"] == "13900000000"
    assert after["other_industries"] == ["2221"]
    assert {k: v for k, v in after.items() if k not in ("contact_phone", "other_industries", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("contact_phone", "other_industries", "updated_at")}
    assert api.get(f"/units/{reg.unit_a.pk}").json()["contact_phone"] == "13900000000"


def test_patch_with_a_bad_value_names_it_and_saves_nothing(reg):
    api = reg.api(ADMIN)
    assert_error(api.patch(f"/units/{reg.unit_a.pk}", {"name": "新名字", "county": "430000"}), 400, "county")
    reg.unit_a.refresh_from_db()
    assert reg.unit_a.name == "衡南火电厂"


def test_a_clerk_cannot_change_the_code_of_their_unit(reg):
    response = reg.api(CLERK).patch(f"/units/{reg.unit_a.pk}", {"uscc": make_uscc(HENGNAN)})
    assert response.status_code in (400, 403)
    assert_error(response, response.status_code)
    reg.unit_a.refresh_from_db()
    assert reg.unit_a.uscc != response.json().get("uscc")


def test_a_clerk_writing_another_unit_gets_no_data(reg):
    response = reg.api(CLERK).patch(f"/units/{reg.unit_b.pk}", {"name": "改名"})
    assert response.status_code in (403, 404)
    body = assert_error(response, response.status_code)
    assert "衡阳县" not in str(body)
    reg.unit_b.refresh_from_db()
    assert reg.unit_b.name == "衡阳县水泥厂"


def test_a_gatekeeper_sees_the_unit_of_the_site_but_cannot_change_it(reg):
    api = reg.api(GATE)
    assert api.get(f"/units/{reg.unit_a.pk}").status_code == 200
    assert_error(api.patch(f"/units/{reg.unit_a.pk}", {"name": "改名"}), 403)


def test_unit_history_says_who_when_and_what(reg):
    api = reg.api(ADMIN)
    unit_id = api.post("/units", unit_body()).json()["id"]
    api.patch(f"/units/{unit_id}", {"contact_name": "赵六"})
    response = api.get(f"/units/{unit_id}/history")
    assert response.status_code == 200
    changed, created = response.json()
    assert (changed["type"], changed["who"]) == ("changed", "admin")
    assert (created["type"], created["who"]) == ("created", "admin")
    assert {"field": "contact", "old": "王五", "new": "赵六"} in changed["changes"]
    assert changed["when"] >= created["when"]
    assert_error(reg.api(CLERK).get(f"/units/{unit_id}/history"), 404)


# Sites -----------------------------------------------------------------------------------


def test_sites_in_scope_with_filters(reg):
    admin = reg.api(ADMIN)
    assert admin.get("/sites").json()["count"] == 2
    only_a = admin.get("/sites", {"unit": reg.unit_a.pk}).json()
    assert [s["name"] for s in only_a["items"]] == ["一号车间"]
    assert only_a["items"][0]["unit_name"] == "衡南火电厂" and only_a["items"][0]["county"] == HENGNAN
    assert admin.get("/sites", {"county": HENGYANG_COUNTY}).json()["count"] == 1
    assert admin.get("/sites", {"q": "衡南"}).json()["count"] == 1
    assert admin.get("/sites", {"kind": "prison"}).json()["count"] == 0
    clerk = reg.api(CLERK)
    assert [s["name"] for s in clerk.get("/sites").json()["items"]] == ["一号车间"]
    assert clerk.get("/sites", {"unit": reg.unit_b.pk}).json() == {"items": [], "count": 0}
    assert clerk.get(f"/sites/{reg.site_a.pk}").json()["name"] == "一号车间"
    assert_error(clerk.get(f"/sites/{reg.site_b.pk}"), 404)


def test_a_clerk_adds_and_changes_a_site_of_their_unit(reg):
    api = reg.api(CLERK)
    response = api.post("/sites", {"unit": reg.unit_a.pk, "name": "二号车间", "kind": "workshop", "county": HENGNAN,
                                   "capacity": 80})
    assert response.status_code == 201, response.content
    site = response.json()
    assert (site["unit"], site["name"], site["capacity"], site["is_active"]) == (reg.unit_a.pk, "二号车间", 80, True)
    response = api.patch(f"/sites/{site['id']}", {"capacity": 120})
    assert response.status_code == 200
    assert (response.json()["capacity"], response.json()["name"]) == (120, "二号车间")
    assert_error(api.post("/sites", {"unit": reg.unit_a.pk, "name": "二号车间", "kind": "workshop",
                                     "county": HENGNAN}), 409, "name")


def test_a_site_for_a_unit_outside_the_scope_is_refused_like_a_missing_unit(reg):
    api = reg.api(CLERK)
    data = {"name": "新车间", "kind": "workshop", "county": HENGYANG_COUNTY}
    other = assert_error(api.post("/sites", {**data, "unit": reg.unit_b.pk}), 400, "unit")
    missing = assert_error(api.post("/sites", {**data, "unit": 987654}), 400, "unit")
    assert other == missing
    assert not Site.objects.filter(name="新车间").exists()


def test_site_fields_are_checked_by_the_service(reg):
    body = assert_error(reg.api(ADMIN).post("/sites", {"unit": reg.unit_a.pk, "name": " ", "kind": "castle",
                                                       "county": "9"}), 400)
    assert {e["field"] for e in body["errors"]} == {"name", "kind", "county"}
    assert_error(reg.api(ADMIN).post("/sites", {"unit": reg.unit_a.pk, "name": "x", "kind": "office",
                                                "county": HENGNAN, "capacity": -1}), 422, "capacity")


def test_a_gatekeeper_cannot_change_the_site(reg):
    assert_error(reg.api(GATE).patch(f"/sites/{reg.site_a.pk}", {"name": "改名"}), 403)
    assert reg.api(MANAGER).patch(f"/sites/{reg.site_a.pk}", {"address": "衡南县车江镇"}).status_code == 200


# People ----------------------------------------------------------------------------------


def test_the_id_number_is_masked_for_a_gatekeeper_and_whole_for_the_city_admin(reg):
    masked = reg.api(GATE).get(f"/people/{reg.person_a.pk}")
    assert masked.status_code == 200
    person = masked.json()
    assert person["id_number"] == reg.id_number_a[:6] + "********" + reg.id_number_a[-4:]
    assert person["name"] == "张三"
    assert [(m["site"], m["site_name"], m["unit_name"], m["relation"]) for m in person["memberships"]] == [
        (reg.site_a.pk, "一号车间", "衡南火电厂", "worker")]
    whole = reg.api(ADMIN).get(f"/people/{reg.person_a.pk}").json()
    assert whole["id_number"] == reg.id_number_a
    assert reg.api(MANAGER).get(f"/people/{reg.person_a.pk}").json()["id_number"] == reg.id_number_a
    assert reg.api(CLERK).get(f"/people/{reg.person_a.pk}").json()["id_number"] != reg.id_number_a


def test_people_lists_are_scoped_and_masked(reg):
    gate = reg.api(GATE)
    body = gate.get("/people").json()
    assert [(p["name"], p["id_number_masked"]) for p in body["items"]] == [("张三", reg.person_a.id_number_masked)]
    assert reg.id_number_a not in str(body)
    assert_error(gate.get(f"/people/{reg.person_b.pk}"), 404)
    admin = reg.api(ADMIN)
    assert admin.get("/people").json()["count"] == 2
    assert admin.get("/people", {"site": reg.site_b.pk}).json()["items"][0]["name"] == "李四"
    assert admin.get("/people", {"q": reg.id_number_a}).json()["items"][0]["name"] == "张三"
    assert admin.get("/people", {"relation": "visitor"}).json()["count"] == 0


def test_a_gatekeeper_registers_a_visitor_and_sees_the_number_masked(reg):
    id_number = make_id_number()
    response = reg.api(GATE).post("/people", {
        "site": reg.site_a.pk, "name": "王访客", "id_number": id_number, "phone": "13700000000",
        "relation": "visitor", "since": "2024-05-01", "until": "2024-05-02"})
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["id_number"] != id_number and person["id_number"].endswith(id_number[-4:])
    assert person["memberships"][0]["relation"] == "visitor"
    assert person["memberships"][0]["since"] == "2024-05-01"
    assert Person.objects.get(pk=person["id"]).name == "王访客"


def test_registering_a_person_checks_the_id_number_and_the_site(reg):
    api = reg.api(GATE)
    data = {"site": reg.site_a.pk, "name": "错号", "id_number": reg.id_number_a[:17] + "Y", "relation": "staff"}
    assert_error(api.post("/people", data), 400, "id_number")
    assert_error(api.post("/people", {**data, "id_number": make_id_number(), "site": reg.site_b.pk}), 400, "site")
    assert_error(api.post("/people", {**data, "id_number": make_id_number(), "relation": "friend"}), 400,
                 "relation")
    name_clash = assert_error(api.post("/people", {**data, "id_number": reg.id_number_a}), 409, "name")
    assert name_clash["errors"][0]["field"] == "name"


def test_patch_a_person(reg):
    api = reg.api(GATE)
    response = api.patch(f"/people/{reg.person_a.pk}", {"phone": "13600000000"})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["name"]) == ("13600000000", "张三")
    assert_error(api.patch(f"/people/{reg.person_a.pk}", {"phone": "phone"}), 400, "phone")
    assert_error(api.patch(f"/people/{reg.person_b.pk}", {"name": "x"}), 404)
    assert_error(api.patch(f"/people/{reg.person_a.pk}", {"id_number": make_id_number()}), 422, "id_number")


# Departments -----------------------------------------------------------------------------


def test_departments_are_a_directory_for_every_role(reg):
    body = reg.api(CLERK).get("/departments").json()
    assert body["items"] == [{
        "id": reg.department.pk, "code": "fgw", "name": "市发改委", "kind": "city_department", "region": CITY,
        "region_name": "衡阳市", "parent": None, "phone": "", "is_active": True}]
    assert reg.api(CLERK).get(f"/departments/{reg.department.pk}").json()["code"] == "fgw"
    assert reg.api("none").get("/departments").json()["count"] == 0
    assert_error(reg.api("none").get(f"/departments/{reg.department.pk}"), 404)


def test_only_the_city_admin_changes_departments(reg):
    data = {"code": "hengnan-gov", "name": "衡南县人民政府", "kind": "county_government", "region": HENGNAN,
            "parent": "fgw", "phone": "0734-7777777"}
    assert_error(reg.api(COUNTY).post("/departments", data), 403)
    response = reg.api(ADMIN).post("/departments", data)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["code"], created["region"], created["parent"]) == ("hengnan-gov", HENGNAN, "fgw")
    response = reg.api(ADMIN).patch(f"/departments/{created['id']}", {"phone": "0734-8888888"})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["name"]) == ("0734-8888888", "衡南县人民政府")
    assert_error(reg.api(DEPT).patch(f"/departments/{created['id']}", {"phone": "0734-1"}), 403)
    assert_error(reg.api(ADMIN).post("/departments", {**data, "code": "Bad Code"}), 400, "code")
    assert Department.objects.count() == 2


def test_an_unused_other_unit_stays_out_of_every_list(reg):
    UnitFactory(county_code=HENGYANG_COUNTY, name="另一家")
    names = {u["name"] for u in reg.api(COUNTY).get("/units", {"limit": 500}).json()["items"]}
    assert "另一家" not in names


# What the OpenAPI document promises (issue 15, §6) -----------------------------------------------


def test_an_empty_name_is_refused_as_the_document_says_min_length(reg):
    body = assert_error(reg.api(ADMIN).post("/units", unit_body(name="", industry="")), 422)
    assert {e["field"] for e in body["errors"]} == {"name", "industry"}
    assert messages_for(body, "name") == ["This field is required."]


@pytest.mark.parametrize(("path", "field"), [
    ("/sites/{site}", "name"), ("/sites/{site}", "is_active"), ("/sites/{site}", "county"),
    ("/units/{unit}", "name"), ("/units/{unit}", "status"), ("/people/{person}", "name"),
    ("/departments/{department}", "is_active"),
])
def test_a_patch_field_may_be_left_out_but_not_null(reg, path, field):
    url = path.format(site=reg.site_a.pk, unit=reg.unit_a.pk, person=reg.person_a.pk, department=reg.department.pk)
    body = assert_error(reg.api(ADMIN).patch(url, {field: None}), 422, field)
    assert len(body["errors"]) == 1


def test_a_site_patch_that_leaves_fields_out_keeps_them(reg):
    response = reg.api(ADMIN).patch(f"/sites/{reg.site_a.pk}", {"capacity": 120})
    assert response.status_code == 200, response.content
    site = Site.objects.get(pk=reg.site_a.pk)
    assert (site.name, site.capacity, site.is_active) == ("一号车间", 120, True)


def test_a_site_patch_takes_null_where_the_document_says_null_capacity_is_not_known(reg):
    reg.api(ADMIN).patch(f"/sites/{reg.site_a.pk}", {"capacity": 120})
    response = reg.api(ADMIN).patch(f"/sites/{reg.site_a.pk}", {"capacity": None})
    assert response.status_code == 200, response.content
    assert Site.objects.get(pk=reg.site_a.pk).capacity is None


@pytest.mark.parametrize("path", ["/units/0", "/units/9223372036854775808", "/sites/0", "/people/0",
                                  "/departments/9223372036854775808"])
def test_a_path_id_outside_the_documented_range_is_a_422_naming_it(reg, path):
    assert_error(reg.api(ADMIN).get(path), 422)


def test_a_query_id_below_the_documented_minimum_is_a_422_naming_it(reg):
    assert_error(reg.api(ADMIN).get("/sites", {"unit": 0}), 422, "unit")
    assert_error(reg.api(ADMIN).get("/people", {"site": 0}), 422, "site")


def test_an_id_spelt_as_a_client_serialises_a_whole_number_is_taken(reg):
    """1e+16 is a whole number (JSON Schema's integer); a client may send a large one so."""
    response = reg.api(ADMIN).get("/people", {"site": "1e+16"})
    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "count": 0}
    assert reg.api(ADMIN).get("/sites", {"unit": f"{reg.unit_a.pk}.0e0"}).json()["count"] == 1
    assert_error(reg.api(ADMIN).get("/people", {"site": "1.5"}), 422, "site")
    assert_error(reg.api(ADMIN).get("/units", {"limit": "1e999999999"}), 422, "limit")


def test_a_query_parameter_sent_twice_is_refused_naming_it(reg):
    body = assert_error(reg.api(ADMIN).client.get("/api/units?q=a&q=b", headers=reg.api(ADMIN).headers), 422, "q")
    assert messages_for(body, "q") == ["Give text."]


def test_head_answers_as_get_without_a_body(reg):
    api = reg.api(ADMIN)
    get = api.get(f"/units/{reg.unit_a.pk}")
    head = api.client.head(f"/api/units/{reg.unit_a.pk}", headers=api.headers)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert int(head["Content-Length"]) == len(get.content)
    assert api.client.head("/api/units/999999", headers=api.headers).status_code == 404


def test_head_needs_what_get_needs(reg):
    assert reg.api(ADMIN).client.head("/api/units").status_code == 401


def test_a_method_not_allowed_says_head_where_get_is_allowed(reg):
    api = reg.api(ADMIN)
    response = api.client.put(f"/api/units/{reg.unit_a.pk}", headers=api.headers)
    assert response.status_code == 405
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD", "PATCH"}
