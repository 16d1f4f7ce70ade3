"""The permit tables in the Django admin: the campaign is edited there, submitted records only
viewed. (The holiday calendar is core's: core/tests/test_holidays.py.)"""

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role

pytestmark = pytest.mark.django_db

MODELS = ("campaign", "catalogueentry", "classification", "unitfacts", "fixedsource",
          "registration", "application", "permit", "compliancereport", "enforcementcase", "reminder")


def test_every_permit_table_has_an_admin_list(admin_client):
    for model in MODELS:
        assert admin_client.get(reverse(f"admin:permits_{model}_changelist")).status_code == 200, model


def test_submitted_records_cannot_be_added_in_the_admin(admin_client):
    for model in ("application", "permit", "registration", "compliancereport"):
        assert admin_client.get(reverse(f"admin:permits_{model}_add")).status_code == 403, model


def test_a_clerk_does_not_open_the_admin(client, world):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    assert client.get(reverse("admin:permits_permit_changelist")).status_code == 302
