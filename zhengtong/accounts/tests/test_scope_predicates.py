"""The named predicates that pages, the navigation and the home page ask, for every demo role:
each says yes to exactly the roles DESIGN.md gives the thing it names."""

import pytest

from zhengtong.accounts import scopes
from zhengtong.accounts.models import Role
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER,
    Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER,
)
ROLES = [ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER, "none"]

# predicate -> the roles (of build_world: everyone scoped to the first county) it answers yes for
PREDICATES = {
    scopes.has_any_role: {ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER},
    scopes.is_city_admin: {ADMIN},
    scopes.can_change_units: {ADMIN, COUNTY, CLERK},
    scopes.can_import_units: {ADMIN, COUNTY},
    scopes.can_change_departments: {ADMIN},
    scopes.can_see_people: {ADMIN, COUNTY, MANAGER, GATE, CLERK},
    scopes.can_see_health_data: {ADMIN, COUNTY, MANAGER},
    scopes.can_see_screening: {ADMIN, COUNTY, MANAGER, GATE},
    scopes.can_oversee_screening: {ADMIN, COUNTY},
    scopes.has_gate_duty: {ADMIN, MANAGER, GATE},
    scopes.can_see_alerts: {ADMIN, COUNTY, MANAGER},
    scopes.can_see_permit_overview: {ADMIN, COUNTY, DEPT, REVIEWER},
    scopes.can_review_permits: {ADMIN, REVIEWER},
    scopes.can_review_permits_citywide: {ADMIN},
}


@pytest.mark.parametrize("predicate", PREDICATES, ids=lambda p: p.__name__)
def test_each_predicate_allows_exactly_its_roles(world, predicate):
    allowed = {role for role in ROLES if predicate(world.users[role])}
    assert allowed == PREDICATES[predicate]


@pytest.mark.parametrize("role", ROLES)
def test_health_data_at_a_site_is_for_its_manager_its_county_and_the_city(world, role):
    user = world.users[role]
    assert scopes.can_see_health_data(user, {world.site_a.pk}) == (role in {ADMIN, COUNTY, MANAGER})
    assert scopes.can_see_health_data(user, {world.site_b.pk}) == (role == ADMIN)


@pytest.mark.parametrize("role", ROLES)
def test_own_units_are_the_clerks_unit_only(world, role):
    assert scopes.own_unit_ids(world.users[role]) == ({world.unit_a.pk} if role == CLERK else set())


def test_a_superuser_without_an_assignment_is_the_city_administrator(world):
    root = UserFactory(username="root")
    root.is_superuser = True
    root.save()
    assert scopes.is_city_admin(root) and scopes.has_any_role(root)
    assert all(predicate(root) for predicate in PREDICATES)


def test_an_inactive_user_is_allowed_nothing(world):
    world.users[ADMIN].is_active = False
    world.users[ADMIN].save()
    user = type(world.users[ADMIN]).objects.get(pk=world.users[ADMIN].pk)  # no scope kept from before
    assert not any(predicate(user) for predicate in PREDICATES)
