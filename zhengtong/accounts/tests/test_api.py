"""/api/me: who the caller is, with their role assignments."""

import pytest

from zhengtong.accounts.models import Role
from zhengtong.tests_support.api import Api
from zhengtong.tests_support.factories import token_for

pytestmark = pytest.mark.django_db



def test_me_names_the_caller_and_their_roles(world):
    body = world.api(Role.ENTERPRISE_CLERK).get("/me").json()
    assert body == {"username": "clerk", "assignments": [{
        "role": "enterprise_clerk", "role_name": "Enterprise clerk", "scope_type": "unit",
        "scope_id": world.unit_a.pk, "scope_name": "衡南火电厂", "is_head": False}]}
    admin = Api(token=token_for(world.users[Role.CITY_ADMIN])).get("/me").json()
    assert admin["assignments"][0]["scope_type"] == "region" and admin["assignments"][0]["scope_name"] == "衡阳市"
