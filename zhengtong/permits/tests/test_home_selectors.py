"""The permits' part of the home page: ``todo`` and ``figures`` for the clerk, the reviewer and
roles without permit work."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zhengtong.accounts.models import Role
from zhengtong.permits import selectors, services, workflow
from zhengtong.registry.models import Industry

pytestmark = pytest.mark.django_db


def todo(world, role):
    with override("en"):
        return selectors.todo(user=world.users[role], today=timezone.localdate())


@pytest.fixture
def paper_mill(world):
    """unit_a as a paper mill (2221, a permit class) with no permit yet."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    return unit


def test_the_clerk_is_told_to_apply_for_a_permit(world, paper_mill):
    items = todo(world, Role.ENTERPRISE_CLERK)
    assert [(t.url, t.urgent) for t in items] == [(reverse("permits:unit", args=[paper_mill.pk]), True)]
    assert items[0].text.startswith(f"{paper_mill.name}: ") and "apply for a permit" in items[0].text


def test_the_reviewer_sees_the_waiting_application_as_overdue(world, paper_mill):
    application = workflow.application_create(user=world.users[Role.ENTERPRISE_CLERK], unit=paper_mill)
    application.status, application.received_on = "submitted", date(2020, 3, 2)
    application.save()
    items = todo(world, Role.PERMIT_REVIEWER)
    assert [(t.url, t.urgent) for t in items] == [(reverse("permits:applications"), True)]
    assert items[0].text == "1 permit application waits for a decision (1 overdue)."


@pytest.mark.parametrize("role", [Role.SITE_MANAGER, Role.GATEKEEPER, Role.DEPARTMENT_OFFICER, "none"])
def test_roles_without_permit_work_get_no_permit_to_do(world, paper_mill, role):
    assert todo(world, role) == []


@pytest.mark.parametrize("role", [Role.ENTERPRISE_CLERK, Role.PERMIT_REVIEWER])
def test_the_home_page_shows_no_permit_figures(world, paper_mill, role):
    assert selectors.figures(user=world.users[role], now=timezone.now()) == []
