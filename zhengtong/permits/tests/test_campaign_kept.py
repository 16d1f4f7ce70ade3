"""The permit campaign's page reads its rows and progress by statements kept per scope, deadlines, early
list, day, filter, order and page (selectors.campaign_list, campaign_progress): the same rows as the
queryset's, and a new statement when what it is made of changes."""

from datetime import date

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.listing import sorted_rows
from zhengtong.permits import selectors
from zhengtong.permits.models import CampaignIndustry
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.permits.tests.test_lists import campaign  # noqa: F401  (the fixture)
from zhengtong.permits.views import CAMPAIGN_COLUMNS
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory
from zhengtong.tests_support.world import HENGNAN

pytestmark = pytest.mark.django_db

SORTS = [s for c in CAMPAIGN_COLUMNS if c.sortable for s in (c.name, f"-{c.name}")]


def shown(row) -> tuple:
    u = row["unit"]
    return (u.pk, u.name, u.uscc, u.county.name, row["filing_class"], row["class_label"], row["due"],
            row["covered"], row["past_due"], row["days_left"])


def early_ids(made):
    return [ci.industry_id for ci in made.early_industries.select_related("industry")]


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK, Role.GATEKEEPER])
def test_the_kept_rows_are_the_querysets_in_every_order(world, campaign, role):  # noqa: F811
    issued_permit(world, unit=UnitFactory._meta.model.objects.get(name="十一号造纸厂"))
    user, today = world.users[role], date(2020, 5, 1)
    for past_due in (False, True):
        listed = selectors.campaign_list(user=user, campaign=campaign, today=today, early=early_ids(campaign),
                                         only_past_due=past_due, columns=CAMPAIGN_COLUMNS)
        every = selectors.campaign_filtered(selectors.campaign_queryset(user=user, campaign=campaign, today=today),
                                            only_past_due=past_due)
        for sort in SORTS:
            for start, stop in ((0, 51), (1, 3)):
                kept = [shown(r) for r in listed.sorted(sort)[start:stop]]
                expected = [shown(selectors.campaign_row(u)) for u in sorted_rows(every, CAMPAIGN_COLUMNS, sort)[
                    start:stop]]
                assert kept == expected, (sort, past_due, start)


def test_an_edited_early_list_or_deadline_is_read_at_once(client, world, campaign):  # noqa: F811
    client.force_login(world.users[Role.CITY_ADMIN])

    def due(name):
        page = client.get(reverse("permits:campaign")).context["page"]
        return next(r["due"] for r in page.rows if r["unit"].name == name)

    UnitFactory.create(county_code=HENGNAN, industry_code="2222", name="晚造纸厂")
    from zhengtong.permits import services

    services.units_classify(user=world.users[Role.CITY_ADMIN])
    assert due("二号造纸厂").early and not due("晚造纸厂").early
    CampaignIndustry.objects.create(campaign=campaign, industry=Industry.objects.get(code="2222"))
    assert due("晚造纸厂") == selectors.Due(campaign.early_deadline, True, "2222")
    campaign.early_deadline = date(2020, 4, 25)
    campaign.save()
    assert due("二号造纸厂").date == date(2020, 4, 25)
    CampaignIndustry.objects.filter(campaign=campaign).delete()
    assert due("二号造纸厂") == selectors.Due(campaign.late_deadline, False, "")
