"""Issue 16, §2: every user changes their own password, without the Django admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Hengyang-2020-gate!"


@pytest.mark.parametrize("role", [Role.GATEKEEPER, Role.ENTERPRISE_CLERK, Role.CITY_ADMIN, "none"])
def test_a_user_changes_their_own_password_and_stays_signed_in(client, world, role):
    user = world.users[role]
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in home  # from the name in the header, on every page
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "密码已修改" in response.content.decode()
    assert client.get(reverse("home")).status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_by_field_in_chinese(client, world):
    user = world.users[Role.GATEKEEPER]
    client.force_login(user)
    wrong = client.post(reverse("password_change"), {
        "old_password": "not-it", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    assert 'data-field="old_password"' in wrong.content.decode()
    weak = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert "new_password2" in weak.context["form"].errors
    body = weak.content.decode()
    assert "密码" in body and "This password" not in body
    assert get_user_model().objects.get(pk=user.pk).check_password(PASSWORD)


def test_signed_out_the_page_asks_to_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
