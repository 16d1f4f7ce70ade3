"""Accounts without the Django admin (issue 16 §2): the services' rules, on whichever database the
suite runs (SQLite and PostgreSQL alike)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengtong.accounts import scopes, selectors, services
from zhengtong.accounts.models import AccountEvent, Role, RoleAssignment, UserProfile
from zhengtong.core.errors import DomainError
from zhengtong.tests_support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Qy7-lantern-river"


def fresh(user):
    """The user read again, so that its scope is computed anew."""
    return User.objects.get(pk=user.pk)


def create(actor, **data):
    return services.user_create(user=actor, data={"username": "newgate", "name": "王五", "phone": "13800000000",
                                                   "password": STRONG, **data})


def test_city_admin_creates_a_user_with_a_first_assignment(world):
    admin = world.users[Role.CITY_ADMIN]
    user = create(admin, role=Role.GATEKEEPER, site=str(world.site_a.pk))
    assert user.check_password(STRONG) and user.first_name == "王五"
    assert UserProfile.objects.get(user=user).must_change_password
    a = RoleAssignment.objects.get(user=user)
    assert (a.role, a.site, a.created_by, a.ended_at) == (Role.GATEKEEPER, world.site_a, admin, None)
    assert list(AccountEvent.objects.filter(user=user).values_list("action", "actor")) == [
        ("assigned", admin.pk), ("created", admin.pk)]
    assert scopes.can_screen_at(fresh(user), world.site_a)


def test_a_weak_password_is_refused_naming_the_field_and_nothing_is_saved(world):
    with pytest.raises(DomainError) as e:
        create(world.users[Role.CITY_ADMIN], password="12345678")
    assert "password" in e.value.errors
    assert not User.objects.filter(username="newgate").exists()


def test_a_taken_username_is_refused_whatever_its_case(world):
    with pytest.raises(DomainError) as e:
        create(world.users[Role.CITY_ADMIN], username="GATE")
    assert list(e.value.errors) == ["username"]


def test_a_second_active_assignment_of_the_same_role_and_scope_is_refused_with_a_field_error(world):
    admin, gate = world.users[Role.CITY_ADMIN], world.users[Role.GATEKEEPER]
    with pytest.raises(DomainError) as e:
        services.assignment_create(user=admin, target=gate, data={"role": Role.GATEKEEPER, "site": world.site_a.pk})
    assert list(e.value.errors) == ["site"]
    assert RoleAssignment.objects.filter(user=gate).count() == 1


def test_the_database_refuses_a_second_active_assignment_too(world):
    """The partial unique constraints hold on SQLite as on PostgreSQL (no NULL in their key)."""
    gate = world.users[Role.GATEKEEPER]
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=gate, role=Role.GATEKEEPER, site=world.site_a)


def test_an_ended_assignment_grants_nothing_and_may_be_given_again(world):
    admin, gate = world.users[Role.CITY_ADMIN], world.users[Role.GATEKEEPER]
    a = RoleAssignment.objects.get(user=gate)
    services.assignment_end(user=admin, assignment=a)
    a.refresh_from_db()
    assert a.ended_at is not None and a.ended_by == admin  # kept, not deleted
    assert not scopes.can_screen_at(fresh(gate), world.site_a)
    assert not scopes.has_any_role(fresh(gate))
    again = services.assignment_create(user=admin, target=gate, data={"role": Role.GATEKEEPER,
                                                                       "site": world.site_a.pk})
    assert RoleAssignment.objects.filter(user=gate).count() == 2 and again.ended_at is None
    assert scopes.can_screen_at(fresh(gate), world.site_a)


def test_an_ended_site_managers_assignment_no_longer_brings_alerts(world):
    from zhengtong.screening.alerts import site_recipients

    manager = world.users[Role.SITE_MANAGER]
    assert manager in site_recipients(world.site_a)
    services.assignment_end(user=world.users[Role.CITY_ADMIN], assignment=RoleAssignment.objects.get(user=manager))
    assert manager not in site_recipients(world.site_a)


def test_an_assignment_ended_twice_is_refused(world):
    admin = world.users[Role.CITY_ADMIN]
    a = RoleAssignment.objects.get(user=world.users[Role.GATEKEEPER])
    services.assignment_end(user=admin, assignment=a)
    with pytest.raises(DomainError):
        services.assignment_end(user=admin, assignment=a)


def test_the_scope_must_fit_the_role(world):
    admin = world.users[Role.CITY_ADMIN]
    user = create(admin)
    with pytest.raises(DomainError) as e:
        services.assignment_create(user=admin, target=user, data={"role": Role.COUNTY_OFFICER,
                                                                   "region": world.department.region_id})
    assert list(e.value.errors) == ["region"]
    with pytest.raises(DomainError) as e:
        services.assignment_create(user=admin, target=user, data={"role": Role.SITE_MANAGER})
    assert list(e.value.errors) == ["site"]
    unit = services.assignment_create(user=admin, target=user, data={"role": Role.ENTERPRISE_CLERK,
                                                                      "unit": world.unit_a.uscc})
    assert unit.unit == world.unit_a


def test_a_county_officer_manages_the_site_roles_at_the_countys_sites_only(world):
    county = world.users[Role.COUNTY_OFFICER]
    user = create(county, role=Role.GATEKEEPER, site=str(world.site_a.pk))
    services.assignment_create(user=county, target=user, data={"role": Role.SITE_MANAGER, "site": world.site_a.pk})
    with pytest.raises(DomainError) as e:
        services.assignment_create(user=county, target=user, data={"role": Role.SITE_MANAGER,
                                                                    "site": world.site_b.pk})
    assert e.value.status == 403
    with pytest.raises(DomainError) as e:
        services.assignment_create(user=county, target=user, data={"role": Role.ENTERPRISE_CLERK,
                                                                    "unit": world.unit_a.uscc})
    assert e.value.status == 403


def test_a_county_officers_new_user_needs_a_role_at_the_countys_sites(world):
    with pytest.raises(DomainError) as e:
        create(world.users[Role.COUNTY_OFFICER])
    assert "role" in e.value.errors
    with pytest.raises(DomainError) as e:
        create(world.users[Role.COUNTY_OFFICER], role=Role.GATEKEEPER, site=str(world.site_b.pk))
    assert e.value.status == 403
    assert not User.objects.filter(username="newgate").exists()


def test_a_county_officer_never_reaches_users_with_other_roles_or_other_counties(world):
    county = world.users[Role.COUNTY_OFFICER]
    other = UserFactory.create(role=Role.GATEKEEPER, site=world.site_b)
    both = UserFactory.create(role=Role.GATEKEEPER, site=world.site_a)
    RoleAssignment.objects.create(user=both, role=Role.ENTERPRISE_CLERK, unit=world.unit_a)
    managed = set(selectors.account_users(user=county))
    assert managed == {world.users[Role.SITE_MANAGER], world.users[Role.GATEKEEPER]}
    for target in (other, both, world.users[Role.CITY_ADMIN], world.users[Role.DEPARTMENT_OFFICER], county):
        with pytest.raises(DomainError) as e:
            services.password_reset(user=county, target=target)
        assert e.value.status == 404


def test_a_gatekeeper_moved_to_another_county_is_that_countys_to_manage(world):
    admin, county, gate = world.users[Role.CITY_ADMIN], world.users[Role.COUNTY_OFFICER], world.users[Role.GATEKEEPER]
    services.assignment_end(user=admin, assignment=RoleAssignment.objects.get(user=gate))
    assert gate in selectors.account_users(user=county)  # a former gatekeeper of the county's site
    services.assignment_create(user=admin, target=gate, data={"role": Role.GATEKEEPER, "site": world.site_b.pk})
    assert gate not in selectors.account_users(user=county)


@pytest.mark.parametrize("role", [Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER,
                                  Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER, "none"])
def test_other_roles_manage_no_accounts(world, role):
    with pytest.raises(DomainError) as e:
        create(world.users[role], role=Role.GATEKEEPER, site=str(world.site_a.pk))
    assert e.value.status == 403
    assert not selectors.account_users(user=world.users[role]).exists()


def test_a_reset_password_is_generated_valid_and_must_be_changed(world):
    gate = world.users[Role.GATEKEEPER]
    password = services.password_reset(user=world.users[Role.COUNTY_OFFICER], target=gate)
    assert len(password) >= 12 and fresh(gate).check_password(password)
    assert UserProfile.objects.get(user=gate).must_change_password
    assert AccountEvent.objects.filter(user=gate, action="password_reset").exists()


def test_a_reset_password_given_must_meet_the_validators(world):
    with pytest.raises(DomainError) as e:
        services.password_reset(user=world.users[Role.CITY_ADMIN], target=world.users[Role.GATEKEEPER],
                                password="gate")
    assert list(e.value.errors) == ["new_password"]


def test_unlocking_lifts_the_axes_lockout_of_the_username(world, settings):
    AccessAttempt.objects.create(username="gate", ip_address="10.0.0.1", user_agent="x", path_info="/",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
                                 get_data="", post_data="")
    assert selectors.is_locked_out(username="gate")
    services.account_unlock(user=world.users[Role.COUNTY_OFFICER], target=world.users[Role.GATEKEEPER])
    assert not selectors.is_locked_out(username="gate")


def test_a_deactivated_user_cannot_sign_in_and_is_kept(world, client):
    gate = world.users[Role.GATEKEEPER]
    services.user_set_active(user=world.users[Role.COUNTY_OFFICER], target=gate, active=False)
    assert client.post("/accounts/login/", {"username": "gate", "password": PASSWORD}).status_code == 200
    assert User.objects.filter(pk=gate.pk, is_active=False).exists()
    assert not scopes.has_any_role(fresh(gate))
    services.user_set_active(user=world.users[Role.COUNTY_OFFICER], target=gate, active=True)
    assert client.post("/accounts/login/", {"username": "gate", "password": PASSWORD}).status_code == 302


def test_nobody_deactivates_themselves_or_ends_their_own_city_administrators_assignment(world):
    admin = world.users[Role.CITY_ADMIN]
    with pytest.raises(DomainError):
        services.user_set_active(user=admin, target=admin, active=False)
    with pytest.raises(DomainError):
        services.assignment_end(user=admin, assignment=RoleAssignment.objects.get(user=admin))
    assert fresh(admin).is_active and RoleAssignment.objects.active().filter(user=admin).exists()


def test_an_ended_assignment_is_gone_from_the_callers_api_answer_and_pages(world, client):
    gate = world.users[Role.GATEKEEPER]
    api = world.api(Role.GATEKEEPER)
    assert [a["role"] for a in api.get("/me").json()["assignments"]] == ["gatekeeper"]
    client.force_login(gate)
    assert client.get(f"/registry/sites/{world.site_a.pk}/").status_code == 200
    services.assignment_end(user=world.users[Role.CITY_ADMIN], assignment=RoleAssignment.objects.get(user=gate))
    assert api.get("/me").json()["assignments"] == []
    assert client.get(f"/registry/sites/{world.site_a.pk}/").status_code == 404


def test_a_deactivated_users_open_session_and_token_stop_working(world, client):
    gate = world.users[Role.GATEKEEPER]
    api = world.api(Role.GATEKEEPER)
    client.force_login(gate)
    services.user_set_active(user=world.users[Role.CITY_ADMIN], target=gate, active=False)
    assert client.get("/").url.startswith("/accounts/login/")
    assert api.get("/me").status_code == 401
