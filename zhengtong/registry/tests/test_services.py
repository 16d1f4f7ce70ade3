import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.registry import selectors, services
from zhengtong.registry.identity import decrypt_id_number
from zhengtong.registry.models import Person, SitePerson, Unit
from zhengtong.tests_support.codes import make_id_number, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def unit_data(**kw):
    return {"uscc": make_uscc("430422"), "name": "衡南水泥厂", "kind": "enterprise", "county": "430422",
            "industry": "3011", "contact_phone": "0734-1234567", **kw}


def test_unit_create_saves_and_records_who(world):
    admin = world.users[Role.CITY_ADMIN]
    unit = services.unit_create(user=admin, data=unit_data(other_industries="4411, 2221"))
    assert unit.county.code == "430422"
    assert sorted(i.code for i in unit.other_industries.all()) == ["2221", "4411"]
    record = unit.history.get(history_type="+")
    assert record.history_user == admin and record.history_type == "+"


def test_unit_create_reports_every_bad_field_at_once(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(user=world.users[Role.CITY_ADMIN], data=unit_data(
            uscc="91430422MA4R0001XA", name="", county="999999", industry="441", contact_phone="abc"))
    assert set(e.value.errors) == {"uscc", "name", "county", "industry", "contact_phone"}
    assert "should be “J”" in e.value.errors["uscc"][0]
    assert "choose a 4-digit class" in e.value.errors["industry"][0]
    assert Unit.objects.filter(name="").count() == 0


def test_an_unknown_industry_code_is_refused(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(user=world.users[Role.CITY_ADMIN], data=unit_data(industry="9999"))
    assert "not a GB/T 4754-2017 industry code" in e.value.errors["industry"][0]


def test_a_duplicate_uscc_is_refused(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(user=world.users[Role.CITY_ADMIN], data=unit_data(uscc=world.unit_a.uscc))
    assert "already registered" in e.value.errors["uscc"][0]


def test_county_officer_cannot_create_in_another_county(world):
    with pytest.raises(PermissionDenied):
        services.unit_create(user=world.users[Role.COUNTY_OFFICER], data=unit_data(county="430421",
                                                                                   uscc=make_uscc("430421")))


def test_county_officer_creates_in_own_county(world):
    unit = services.unit_create(user=world.users[Role.COUNTY_OFFICER], data=unit_data())
    assert unit.pk


def test_unit_update_changes_only_given_fields_and_keeps_history(world):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    services.unit_update(user=clerk, unit=world.unit_a, data={"contact_phone": "13800000000"})
    world.unit_a.refresh_from_db()
    assert world.unit_a.contact_phone == "13800000000"
    changes = selectors.history_of(world.unit_a)
    assert changes[0].who == "clerk"
    assert ("contact phone", "", "13800000000") in changes[0].fields


def test_history_shows_names_of_related_records(world):
    services.unit_update(user=world.users[Role.CITY_ADMIN], unit=world.unit_a, data={"industry": "4411"})
    labels = {label: (old, new) for label, old, new in selectors.history_of(world.unit_a)[0].fields}
    assert labels["main industry"] == ("3011 水泥制造", "4411 火力发电")


def test_clerk_cannot_move_the_unit_to_another_county(world):
    with pytest.raises(DomainError) as e:
        services.unit_update(user=world.users[Role.ENTERPRISE_CLERK], unit=world.unit_a, data={"county": "430421"})
    assert "county" in e.value.errors


def test_gatekeeper_cannot_change_a_unit(world):
    with pytest.raises(PermissionDenied):
        services.unit_update(user=world.users[Role.GATEKEEPER], unit=world.unit_a, data={"name": "x"})


def test_site_create_and_duplicate_name(world):
    admin = world.users[Role.CITY_ADMIN]
    site = services.site_create(user=admin, unit=world.unit_a, data={"name": "仓库", "kind": "workshop",
                                                                      "county": "430422", "capacity": "30"})
    assert site.capacity == 30
    with pytest.raises(DomainError) as e:
        services.site_create(user=admin, unit=world.unit_a, data={"name": "仓库", "kind": "workshop",
                                                                  "county": "430422"})
    assert e.value.status == 409


def test_site_capacity_must_be_a_whole_number(world):
    with pytest.raises(DomainError) as e:
        services.site_update(user=world.users[Role.SITE_MANAGER], site=world.site_a, data={"capacity": "-3"})
    assert "capacity" in e.value.errors


def test_person_register_stores_the_id_number_encrypted_and_masked(world):
    code = make_id_number()
    person = services.person_register(user=world.users[Role.GATEKEEPER], site=world.site_a, data={
        "name": "王五", "id_number": code.lower(), "relation": "visitor", "phone": "13900000000"})
    assert person.id_number_masked == code[:6] + "********" + code[-4:]
    assert code not in person.id_number_encrypted
    assert decrypt_id_number(person.id_number_encrypted) == code


def test_registering_the_same_id_number_at_another_site_reuses_the_person(world):
    code = make_id_number()
    admin = world.users[Role.CITY_ADMIN]
    first = services.person_register(user=admin, site=world.site_a, data={
        "name": "王五", "id_number": code, "relation": "worker"})
    second = services.person_register(user=admin, site=world.site_b, data={
        "name": "王五", "id_number": code, "relation": "visitor"})
    assert first.pk == second.pk
    assert SitePerson.objects.filter(person=first).count() == 2


def test_same_id_number_under_another_name_is_refused(world):
    code = make_id_number()
    admin = world.users[Role.CITY_ADMIN]
    services.person_register(user=admin, site=world.site_a, data={"name": "王五", "id_number": code,
                                                                  "relation": "worker"})
    with pytest.raises(DomainError) as e:
        services.person_register(user=admin, site=world.site_a, data={"name": "赵六", "id_number": code,
                                                                      "relation": "worker"})
    assert e.value.status == 409 and "name" in e.value.errors


def test_a_bad_id_number_is_refused_and_nothing_is_saved(world):
    before = Person.objects.count()
    with pytest.raises(DomainError) as e:
        services.person_register(user=world.users[Role.GATEKEEPER], site=world.site_a, data={
            "name": "王五", "id_number": "430422199003071239", "relation": "visitor"})
    assert "should be “6”" in e.value.errors["id_number"][0]
    assert Person.objects.count() == before


def test_gatekeeper_cannot_register_people_at_another_site(world):
    with pytest.raises(PermissionDenied):
        services.person_register(user=world.users[Role.GATEKEEPER], site=world.site_b, data={
            "name": "王五", "id_number": make_id_number(), "relation": "visitor"})


def test_person_found_by_id_number_search(world):
    code = make_id_number()
    admin = world.users[Role.CITY_ADMIN]
    person = services.person_register(user=admin, site=world.site_a, data={
        "name": "王五", "id_number": code, "relation": "worker"})
    assert list(selectors.person_list(user=admin, filters={"q": code})) == [person]


def test_unit_search_works_for_chinese_names_and_code_prefixes(world):
    admin = world.users[Role.CITY_ADMIN]
    assert list(selectors.unit_list(user=admin, filters={"q": "衡南 火电"})) == [world.unit_a]
    assert list(selectors.unit_list(user=admin, filters={"q": world.unit_b.uscc[:12]})) == [world.unit_b]
    assert set(selectors.unit_list(user=admin, filters={"industry": "C"})) == {world.unit_a, world.unit_b}
    assert list(selectors.unit_list(user=admin, filters={"industry": "44"})) == []


def test_only_the_city_administrator_changes_departments(world):
    with pytest.raises(PermissionDenied):
        services.department_save(user=world.users[Role.COUNTY_OFFICER], data={"code": "x", "name": "x",
                                                                              "kind": "city_department",
                                                                              "region": "430400"})
    d = services.department_save(user=world.users[Role.CITY_ADMIN], data={
        "code": "sjj", "name": "市审计局", "kind": "city_department", "region": "430400"})
    assert d.history.count() == 1


def test_department_code_and_name_are_unique(world):
    with pytest.raises(DomainError) as e:
        services.department_save(user=world.users[Role.CITY_ADMIN], data={
            "code": "fgw", "name": "市发改委", "kind": "city_department", "region": "430400"})
    assert set(e.value.errors) == {"code", "name"}


def test_a_duplicate_uscc_alone_is_a_conflict(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(user=world.users[Role.CITY_ADMIN], data=unit_data(uscc=world.unit_a.uscc))
    assert e.value.status == 409


def test_control_characters_are_refused_not_stored(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(user=world.users[Role.CITY_ADMIN], data=unit_data(name="厂\x00"))
    assert "name" in e.value.errors
    assert list(selectors.unit_list(user=world.users[Role.CITY_ADMIN], filters={"q": "\x00"}))


def test_an_absurd_capacity_is_refused(world):
    with pytest.raises(DomainError) as e:
        services.site_update(user=world.users[Role.CITY_ADMIN], site=world.site_a, data={"capacity": 2**31})
    assert "capacity" in e.value.errors


def test_saving_the_same_values_writes_no_history(world):
    admin = world.users[Role.CITY_ADMIN]
    services.unit_update(user=admin, unit=world.unit_a, data={"other_industries": ["4411"]})
    before = world.unit_a.history.count()
    services.unit_update(user=admin, unit=world.unit_a, data={"name": world.unit_a.name, "other_industries": "4411"})
    assert world.unit_a.history.count() == before


def test_clerk_changing_the_code_is_told_about_the_code(world):
    with pytest.raises(DomainError) as e:
        services.unit_update(user=world.users[Role.ENTERPRISE_CLERK], unit=world.unit_a,
                             data={"uscc": make_uscc("430422")})
    assert "uscc" in e.value.errors
