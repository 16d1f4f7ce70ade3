"""/api/me: who the caller is, with their role assignments."""

import pytest

from zhengtong.accounts.models import Role
from zhengtong.api.tests import Api, build_registry, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg():
    return build_registry()


def test_me_names_the_caller_and_their_roles(reg):
    body = reg.api(Role.ENTERPRISE_CLERK).get("/me").json()
    assert body == {"username": "clerk", "assignments": [{
        "role": "enterprise_clerk", "role_name": "Enterprise clerk", "scope_type": "unit",
        "scope_id": reg.unit_a.pk, "scope_name": "衡南火电厂", "is_head": False}]}
    admin = Api(token=token_for(reg.users[Role.CITY_ADMIN])).get("/me").json()
    assert admin["assignments"][0]["scope_type"] == "region" and admin["assignments"][0]["scope_name"] == "衡阳市"
