"""The account pages (issue 16 §2) for every role: who reaches which page and which account, the
forms' field errors in Chinese, and the password a new user must change first."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.tests_support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER = (
    Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.SITE_MANAGER, Role.GATEKEEPER,
    Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER,
)
ROLES = [ADMIN, COUNTY, DEPT, MANAGER, GATE, CLERK, REVIEWER, "none"]
OTHERS = [DEPT, MANAGER, GATE, CLERK, REVIEWER, "none"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["account_user_list", "account_user_create"])
def test_the_account_pages_are_for_the_city_administrator_and_county_officers(client, world, role, name):
    client.force_login(world.users[role])
    assert client.get(reverse(name)).status_code == (200 if role in (ADMIN, COUNTY) else 403)


@pytest.fixture
def other_gate(world):
    """A gatekeeper at the other county's site."""
    return UserFactory.create(username="gate_b", role=GATE, site=world.site_b)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["gate", "gate_b", "dept"])
def test_an_account_page_answers_as_the_scope_says(client, world, other_gate, role, whose):
    client.force_login(world.users[role])
    target = User.objects.get(username=whose)
    expected = {ADMIN: 200, COUNTY: 200 if whose == "gate" else 404}.get(role, 403)
    assert client.get(reverse("account_user_detail", args=[target.pk])).status_code == expected


def test_a_county_officers_list_holds_their_countys_site_staff_only(client, world, other_gate):
    client.force_login(world.users[COUNTY])
    html = client.get(reverse("account_user_list")).content.decode()
    assert ">gate<" in html and ">manager<" in html
    assert "gate_b" not in html and ">dept<" not in html and ">admin<" not in html


def test_the_list_searches_and_filters(client, world):
    client.force_login(world.users[ADMIN])
    html = client.get(reverse("account_user_list"), {"q": "mana"}).content.decode()
    assert ">manager<" in html and ">gate<" not in html
    html = client.get(reverse("account_user_list"), {"role": GATE}).content.decode()
    assert ">gate<" in html and ">manager<" not in html
    html = client.get(reverse("account_user_list"), {"active": "no"}).content.decode()
    assert ">gate<" not in html


def test_a_locked_account_is_shown_and_unlocked_from_its_page(client, world, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(username="gate", ip_address="10.0.0.1", user_agent="x", path_info="/",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
                                 get_data="", post_data="")
    client.force_login(world.users[COUNTY])
    url = reverse("account_user_detail", args=[world.users[GATE].pk])
    assert 'data-testid="locked"' in client.get(url).content.decode()
    assert client.post(reverse("account_unlock", args=[world.users[GATE].pk])).status_code == 302
    html = client.get(url).content.decode()
    assert 'data-testid="locked"' not in html and "解除登录锁定" in html  # and who did it is recorded
    assert client.post("/accounts/login/", {"username": "gate", "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.1").status_code == 302


def test_the_lists_search_answers_htmx_with_the_table_alone(client, world):
    client.force_login(world.users[ADMIN])
    html = client.get(reverse("account_user_list"), {"q": "gate"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="user-list"' in html and ">gate<" in html and "<html" not in html


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_may_change_no_account(client, world, role):
    client.force_login(world.users[role])
    gate = world.users[GATE]
    assignment = RoleAssignment.objects.get(user=gate)
    posts = [
        (reverse("account_user_create"), {"username": "x", "name": "x", "password": "Qy7-lantern-river"}),
        (reverse("account_assign", args=[gate.pk]), {"role": GATE, "site": world.site_a.pk}),
        (reverse("account_password_reset", args=[gate.pk]), {}),
        (reverse("account_unlock", args=[gate.pk]), {}),
        (reverse("account_set_active", args=[gate.pk]), {"active": "0"}),
        (reverse("account_assignment_end", args=[assignment.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assignment.refresh_from_db()
    assert assignment.ended_at is None and User.objects.get(pk=gate.pk).is_active


def test_a_county_officer_may_not_give_other_roles_or_sites_of_another_county(client, world):
    client.force_login(world.users[COUNTY])
    gate = world.users[GATE]
    url = reverse("account_assign", args=[gate.pk])
    assert client.post(url, {"role": MANAGER, "site": world.site_b.pk}).status_code == 403
    assert client.post(url, {"role": DEPT, "department": world.department.pk}).status_code == 403
    assert client.post(url, {"role": MANAGER, "site": world.site_a.pk}).status_code == 302
    assert set(RoleAssignment.objects.filter(user=gate).values_list("role", "site")) == {
        (GATE, world.site_a.pk), (MANAGER, world.site_a.pk)}


def test_a_county_officer_may_not_end_another_countys_assignment(client, world, other_gate):
    client.force_login(world.users[COUNTY])
    assignment = RoleAssignment.objects.get(user=other_gate)
    assert client.post(reverse("account_assignment_end", args=[assignment.pk])).status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_at is None


def test_a_form_error_names_the_field_in_chinese(client, world):
    client.force_login(world.users[ADMIN])
    response = client.post(reverse("account_user_create"), {"username": "", "name": "王五", "password": "123"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="username"' in html and "此项为必填项" in html
    assert 'id="password-errors"' in html


def test_a_duplicate_assignment_is_refused_on_the_page_naming_the_site(client, world):
    client.force_login(world.users[ADMIN])
    gate = world.users[GATE]
    response = client.post(reverse("account_assign", args=[gate.pk]), {"role": GATE, "site": world.site_a.pk})
    assert response.status_code == 400
    assert 'id="site-errors"' in response.content.decode()


def test_the_user_page_shows_who_ended_an_assignment(client, world):
    client.force_login(world.users[ADMIN])
    gate = world.users[GATE]
    assignment = RoleAssignment.objects.get(user=gate)
    assert client.post(reverse("account_assignment_end", args=[assignment.pk])).status_code == 302
    html = client.get(reverse("account_user_detail", args=[gate.pk])).content.decode()
    assert f'data-assignment="{assignment.pk}"' in html and 'data-testid="end-assignment"' not in html
    assert html.count(">admin<") >= 2  # the assignment's end, and the event


def test_a_generated_password_is_shown_once_and_must_be_changed(client, world):
    client.force_login(world.users[ADMIN])
    gate = world.users[GATE]
    response = client.post(reverse("account_password_reset", args=[gate.pk]), {"new_password": ""})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    password = html.split('data-testid="generated-password">')[1].split("<")[0]
    assert password not in client.get(reverse("account_user_detail", args=[gate.pk])).content.decode()
    client.logout()
    assert client.post("/accounts/login/", {"username": "gate", "password": password}).status_code == 302
    assert client.get("/").url == reverse("password_change")
    new = "Another-7-strong-one"
    response = client.post(reverse("password_change"), {"old_password": password, "new_password1": new,
                                                        "new_password2": new})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_new_users_api_session_calls_wait_for_the_password_change(client, world):
    client.force_login(world.users[ADMIN])
    response = client.post(reverse("account_user_create"), {"username": "newbie", "name": "王五",
                                                            "password": "Qy7-lantern-river"})
    assert response.status_code == 302
    client.logout()
    client.post("/accounts/login/", {"username": "newbie", "password": "Qy7-lantern-river"})
    assert client.get("/api/me").status_code == 403


def test_the_factory_password_still_signs_in(client, world):
    assert client.post("/accounts/login/", {"username": "gate", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_county_officer_edits_deactivates_and_reactivates_a_gatekeeper(client, world):
    gate = world.users[GATE]
    client.force_login(world.users[COUNTY])
    assert client.post(reverse("account_user_edit", args=[gate.pk]), {"name": "门岗甲", "phone": "0734-1234567"}
                       ).status_code == 302
    response = client.post(reverse("account_user_edit", args=[gate.pk]), {"name": "门岗甲", "phone": "电话"})
    assert response.status_code == 400 and 'id="phone-errors"' in response.content.decode()
    assert client.post(reverse("account_set_active", args=[gate.pk]), {"active": "0"}).status_code == 302
    html = client.get(reverse("account_user_detail", args=[gate.pk])).content.decode()
    assert "门岗甲" in html and 'data-testid="reactivate"' in html and "停用账号" in html
    assert client.post(reverse("account_set_active", args=[gate.pk]), {"active": "1"}).status_code == 302
    assert User.objects.get(pk=gate.pk).is_active and gate.profile.phone == "0734-1234567"


def test_a_session_from_before_the_flag_was_read_reads_it_on_its_next_request(client, world):
    from zhengtong.accounts.middleware import SESSION_KEY
    from zhengtong.accounts.models import UserProfile

    gate = world.users[GATE]
    client.force_login(gate)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    UserProfile.objects.create(user=gate, must_change_password=True)
    assert client.get("/").url == reverse("password_change")
