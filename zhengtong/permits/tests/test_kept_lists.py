"""The permit lists read their rows by statements kept per scope, filter, order and page: the campaign
(selectors.campaign_list, campaign_progress; per deadlines, early list and day too), the applications and the
permits (selectors.application_list_rows, permit_list_rows): the same rows as the querysets', and a new
statement when what it is made of changes."""

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
            (selectors.application_list_rows, selectors.application_list, APPLICATION_COLUMNS, ("", "open", "draft")),
            (selectors.permit_list_rows, selectors.permit_list, PERMIT_COLUMNS, ("", "valid", "revoked"))):
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


OLD_HEAD = """{% load i18n %}<h1>{{ campaign.name }}</h1>
<div class="grid">
  <div class="card"><div class="muted">{% blocktranslate with d=progress.early.deadline|date:"Y-m-d" %}Listed industries, due {{ d }}{% endblocktranslate %}</div>
    <div class="stat">{{ progress.early.covered }} / {{ progress.early.total }}</div><div>{% blocktranslate with n=progress.early.past_due %}{{ n }} past due{% endblocktranslate %}</div></div>
  <div class="card"><div class="muted">{% blocktranslate with d=progress.late.deadline|date:"Y-m-d" %}All other units, due {{ d }}{% endblocktranslate %}</div>
    <div class="stat">{{ progress.late.covered }} / {{ progress.late.total }}</div><div>{% blocktranslate with n=progress.late.past_due %}{{ n }} past due{% endblocktranslate %}</div></div>
</div>
<details><summary>{% blocktranslate with n=early_industries|length %}The early list ({{ n }} industries){% endblocktranslate %}</summary>
<p class="notice">{% translate "No text we hold lists the 33 industries covered in 2017–2019; this list is editable data (admin › permit campaigns), seeded with the industries the city's notice names." %} {{ campaign.early_list_source }}</p>
<ul>{% for ci in early_industries %}<li>{{ ci.industry }}{% if ci.note %} — <span class="muted">{{ ci.note }}</span>{% endif %}</li>{% endfor %}</ul>
</details>"""  # noqa: E501 (permits/campaign.html's head as it was)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_campaign_head_is_the_templates(world, campaign, language):  # noqa: F811
    from zhengtong.tests_support.rows import HOSTILE, assert_escaped, render_both

    campaign.name, campaign.early_list_source = HOSTILE, HOSTILE
    CampaignIndustry.objects.create(campaign=campaign, industry=Industry.objects.get(code="2222"), note=HOSTILE)
    early = selectors.campaign_early_industries(campaign)
    assert len(early) == 2 and [ci.note for ci in early] == ["", HOSTILE]
    for today in (date(2020, 4, 1), date(2020, 5, 1), date(2020, 10, 1)):
        progress = selectors.campaign_progress(user=world.users[Role.CITY_ADMIN], campaign=campaign, today=today)
        old, new = render_both(OLD_HEAD, "{% load permit_rows %}{% campaign_head campaign progress early %}",
                               language, campaign=campaign, progress=progress, early=early, early_industries=early)
        assert new == old
        assert_escaped(new)


def test_the_current_campaign_and_its_early_list_are_the_querysets(world, campaign):  # noqa: F811
    from zhengtong.permits.models import Campaign

    def fields(obj):
        return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]

    assert fields(selectors.campaign_current()) == fields(campaign)
    later = Campaign.objects.create(name="later", early_deadline=date(2021, 1, 1), late_deadline=date(2021, 6, 1))
    assert selectors.campaign_current().pk == later.pk  # read at once
    later.is_active = False
    later.save()
    assert selectors.campaign_current().pk == campaign.pk
    early = selectors.campaign_early_industries(campaign)
    assert [(fields(ci), fields(ci.industry)) for ci in early] == [
        (fields(ci), fields(ci.industry)) for ci in campaign.early_industries.select_related("industry")]
    assert selectors.campaign_early_industries(later) == []
    Campaign.objects.update(is_active=False)
    assert selectors.campaign_current() is None
