"""Every role against every registry page, including another county's records by id:
the answer is the expected status, and a record outside the scope never shows its data."""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER,
    Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER,
)
ROLES = [ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER, "none"]


def allowed(*roles, otherwise=404):
    return {r: (200 if r in roles else otherwise) for r in ROLES}


ALL = allowed(*ROLES)
WITH_ROLE = allowed(ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER)
ONLY_ADMIN = allowed(ADMIN)
PEOPLE_ROLES = (ADMIN, COUNTY, MANAGER, GATE, CLERK)

# (url name, which record's id, expected status per role)
PAGES = [
    ("home", None, ALL),
    ("registry:unit_list", None, ALL),
    ("registry:unit_export", None, ALL),
    ("registry:site_list", None, ALL),
    ("registry:site_export", None, ALL),
    ("registry:person_export", None, ALL),
    ("registry:department_export", None, ALL),
    ("registry:person_list", None, ALL),
    ("registry:department_list", None, ALL),
    ("registry:unit_create", None, allowed(ADMIN, COUNTY, otherwise=403)),
    ("registry:unit_import", None, allowed(ADMIN, COUNTY, otherwise=403)),
    ("registry:person_create", None, allowed(*PEOPLE_ROLES, otherwise=403)),
    ("registry:department_create", None, allowed(ADMIN, otherwise=403)),
    # Issue 15: registrations held because the name did not match the number's person: the city's queue.
    ("registry:held_list", None, allowed(ADMIN, otherwise=403)),
    ("registry:unit_detail", "unit_a", WITH_ROLE),
    ("registry:unit_history", "unit_a", WITH_ROLE),
    ("registry:unit_edit", "unit_a", {**allowed(ADMIN, COUNTY, CLERK, otherwise=403), "none": 404}),
    ("registry:site_create", "unit_a", {**allowed(ADMIN, COUNTY, CLERK, otherwise=403), "none": 404}),
    ("registry:unit_detail", "unit_b", ONLY_ADMIN),
    ("registry:unit_history", "unit_b", ONLY_ADMIN),
    ("registry:unit_edit", "unit_b", ONLY_ADMIN),
    ("registry:site_create", "unit_b", ONLY_ADMIN),
    ("registry:site_detail", "site_a", WITH_ROLE),
    ("registry:site_history", "site_a", WITH_ROLE),
    ("registry:site_edit", "site_a", {**allowed(ADMIN, COUNTY, MANAGER, CLERK, otherwise=403), "none": 404}),
    ("registry:site_detail", "site_b", ONLY_ADMIN),
    ("registry:site_history", "site_b", ONLY_ADMIN),
    ("registry:site_edit", "site_b", ONLY_ADMIN),
    ("registry:person_detail", "person_a", allowed(*PEOPLE_ROLES)),
    ("registry:person_history", "person_a", allowed(*PEOPLE_ROLES)),
    ("registry:person_edit", "person_a", allowed(*PEOPLE_ROLES)),
    ("registry:person_detail", "person_b", ONLY_ADMIN),
    ("registry:person_history", "person_b", ONLY_ADMIN),
    ("registry:person_edit", "person_b", ONLY_ADMIN),
    ("registry:department_detail", "department", WITH_ROLE),
    ("registry:department_history", "department", WITH_ROLE),
    ("registry:department_edit", "department", allowed(ADMIN, otherwise=403)),
    # Issue 15: who viewed whose health data is for the city administrator alone.
    ("access_log", None, allowed(ADMIN, otherwise=403)),
    ("access_log_xlsx", None, allowed(ADMIN, otherwise=403)),
    ("access_log_csv", None, allowed(ADMIN, otherwise=403)),
]


def _url(world, name, record):
    return reverse(name, args=[getattr(world, record).pk]) if record else reverse(name)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_scope_allows(client, world, role):
    client.force_login(world.users[role])
    wrong = []
    for name, record, expected in PAGES:
        status = client.get(_url(world, name, record)).status_code
        if status != expected[role]:
            wrong.append(f"{name} {record}: {status} != {expected[role]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("name", "record", "expected"), PAGES)
def test_anonymous_users_are_sent_to_log_in(client, world, name, record, expected):
    response = client.get(_url(world, name, record))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [r for r in ROLES if r != ADMIN])
def test_lists_never_show_another_countys_records(client, world, role):
    client.force_login(world.users[role])
    for name in ("registry:unit_list", "registry:site_list", "registry:person_list"):
        body = client.get(reverse(name)).content.decode()
        for other in (world.unit_b.name, world.site_b.name, world.person_b.name, world.unit_b.uscc):
            assert other not in body, (name, other)


@pytest.mark.parametrize("role", [r for r in ROLES if r != ADMIN])
def test_export_never_contains_another_countys_units(client, world, role):
    import io

    import openpyxl

    client.force_login(world.users[role])
    response = client.get(reverse("registry:unit_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert world.unit_b.uscc not in values


def test_admin_lists_show_both_counties(client, world):
    client.force_login(world.users[ADMIN])
    body = client.get(reverse("registry:unit_list")).content.decode()
    assert world.unit_a.name in body and world.unit_b.name in body


@pytest.mark.parametrize("role", [COUNTY, CLERK])
def test_posting_to_another_countys_unit_changes_nothing(client, world, role):
    client.force_login(world.users[role])
    url = reverse("registry:unit_edit", args=[world.unit_b.pk])
    response = client.post(url, {"uscc": world.unit_b.uscc, "name": "HACKED", "kind": "enterprise",
                                 "county": "430421", "industry": "3011", "status": "active"})
    assert response.status_code == 404
    world.unit_b.refresh_from_db()
    assert world.unit_b.name != "HACKED"


@pytest.mark.parametrize("role", [DEPT, GATE, REVIEWER, MANAGER])
def test_roles_that_only_read_a_unit_cannot_post_changes(client, world, role):
    client.force_login(world.users[role])
    url = reverse("registry:unit_edit", args=[world.unit_a.pk])
    response = client.post(url, {"uscc": world.unit_a.uscc, "name": "HACKED", "kind": "enterprise",
                                 "county": "430422", "industry": "3011", "status": "active"})
    assert response.status_code == 403
    world.unit_a.refresh_from_db()
    assert world.unit_a.name != "HACKED"


def test_gatekeeper_sees_a_masked_id_number_and_the_manager_the_whole(client, world):
    from zhengtong.registry.identity import decrypt_id_number

    whole = decrypt_id_number(world.person_a.id_number_encrypted)
    client.force_login(world.users[GATE])
    body = client.get(reverse("registry:person_detail", args=[world.person_a.pk])).content.decode()
    assert world.person_a.id_number_masked in body and whole not in body
    client.force_login(world.users[MANAGER])
    body = client.get(reverse("registry:person_detail", args=[world.person_a.pk])).content.decode()
    assert whole in body


def test_clerk_sees_a_masked_id_number(client, world):
    from zhengtong.registry.identity import decrypt_id_number

    client.force_login(world.users[CLERK])
    body = client.get(reverse("registry:person_detail", args=[world.person_a.pk])).content.decode()
    assert decrypt_id_number(world.person_a.id_number_encrypted) not in body


def test_login_by_post_then_home_shows_the_role(client, world):
    response = client.post(reverse("login"), {"username": "gate", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert world.site_a.name in response.content.decode()
