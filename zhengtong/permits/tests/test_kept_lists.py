"""The permit lists read their rows by statements kept per scope, filter, order and page: the campaign
(selectors.campaign_list, campaign_progress; per deadlines, early list and day too), the applications and the
permits (selectors.application_rows, permit_rows): the same rows as the querysets', and a new statement when
what it is made of changes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.listing import sorted_rows
from zhengtong.permits import selectors
from zhengtong.permits.models import Application, CampaignIndustry, FixedSource
from zhengtong.permits.tests.factories import issued_permit
from zhengtong.permits.tests.test_lists import campaign, permits  # noqa: F401  (the fixtures)
from zhengtong.permits.views import APPLICATION_COLUMNS, CAMPAIGN_COLUMNS, PERMIT_COLUMNS
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


def listed(obj) -> tuple:
    unit = obj.fixed_source.unit
    return (type(obj), *(getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields), unit.pk, unit.name,
            unit.county.name)


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK, Role.GATEKEEPER])
def test_the_kept_application_and_permit_rows_are_the_querysets(world, permits, role):  # noqa: F811
    user = world.users[role]
    for rows, queryset, columns, statuses in (
            (selectors.application_rows, selectors.application_list, APPLICATION_COLUMNS, ("", "open", "draft")),
            (selectors.permit_rows, selectors.permit_list, PERMIT_COLUMNS, ("", "valid", "revoked"))):
        for status in statuses:
            for q in ("", "衡南", "=", "nothing like it"):
                kept = rows(user=user, status=status, q=q, columns=columns)
                every = queryset(user=user, status=status, q=q)
                for sort in [s for c in columns if c.sortable for s in (c.name, f"-{c.name}")]:
                    expected = [listed(o) for o in sorted_rows(every, columns, sort)[0:51]]
                    if not hasattr(kept, "sorted"):  # a scope without units: the empty queryset
                        assert expected == [] and not kept.exists()
                        continue
                    with CaptureQueriesContext(connection) as queries:
                        found = [listed(o) for o in kept.sorted(sort)[0:51]]
                    assert found == expected, (status, q, sort)
                    assert len(queries.captured_queries) == 1  # the units and counties came with the rows


def test_a_new_application_is_listed_at_once(client, world, permits):  # noqa: F811
    client.force_login(world.users[Role.COUNTY_OFFICER])
    before = client.get(reverse("permits:applications") + "?status=").context["listing"].page.total
    source = FixedSource.objects.create(unit=world.unit_a, sequence=7)
    Application.objects.create(fixed_source=source, management_class="key", status="submitted",
                               created_by=world.users[Role.CITY_ADMIN], received_on=date(2020, 3, 9))
    assert client.get(reverse("permits:applications") + "?status=").context["listing"].page.total == before + 1
