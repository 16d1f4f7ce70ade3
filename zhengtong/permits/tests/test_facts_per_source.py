"""Facts and classes keyed by fixed source (issue 17 §3): a permit belongs to one unit at one
location (HJ 608-2017 固定污染源), so each location of a unit declares its own facts, has its own
class and files its own permit or registration; a unit at one location is source 001."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import selectors, services
from zhengtong.permits.models import Campaign, Classification, FixedSource, ReadingDecision, UnitFacts
from zhengtong.registry.models import Industry
from zhengtong.tests_support.api import Api, assert_error
from zhengtong.tests_support.factories import token_for

from .factories import issued_permit
from .test_facts_per_line import DRINKS, DRINKS_LINE, NONE_GENERAL, STARCH, STARCH_LINE

pytestmark = pytest.mark.django_db
REGISTRATION = {"address": "衡阳市蒸湘区", "legal_representative": "李四", "contact_name": "王五",
                "contact_phone": "0734-1234567", "discharge_destinations": "市政管网", "standards": "GB 8978-1996",
                "control_measures": "沉淀"}


@pytest.fixture
def two_sites(world):
    """A starch and drinks maker: both lines at its main works (001), only drinks at a second plant."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code=STARCH)
    unit.save()
    unit.other_industries.set([Industry.objects.get(code=DRINKS)])
    clerk = world.users[Role.ENTERPRISE_CLERK]
    services.unit_facts_save(user=clerk, unit=unit, data={
        **NONE_GENERAL, **{f"{STARCH}:{k}": v for k, v in STARCH_LINE.items()},
        f"{DRINKS}:has_fermentation": False, f"{DRINKS}:raw_juice_production": False})
    services.fixed_source_add(user=clerk, unit=unit, address="衡南县工业园二号厂房", industry_codes=[DRINKS])
    services.unit_facts_save(user=clerk, unit=unit, source=2, data={
        **NONE_GENERAL, **{f"{DRINKS}:{k}": v for k, v in DRINKS_LINE.items()}})
    return unit


def _class(unit, source: int) -> str:
    return Classification.objects.get(unit=unit, source=source).management_class


def test_each_location_has_its_own_facts_and_class(world, two_sites):
    assert _class(two_sites, 1) == "registration"  # no fermentation at the main works
    assert _class(two_sites, 2) == "simplified"  # the second plant ferments (row 22)
    first, second = (UnitFacts.objects.get(unit=two_sites, source=n) for n in (1, 2))
    assert first.lines[DRINKS]["has_fermentation"] is False and second.lines[DRINKS]["has_fermentation"] is True
    assert STARCH not in second.lines  # the second plant has no starch line: it is not asked of it
    # a change at one location leaves the other as it was
    services.unit_facts_save(user=world.users[Role.ENTERPRISE_CLERK], unit=two_sites, source=2,
                             data={f"{DRINKS}:has_fermentation": False})
    assert _class(two_sites, 2) == "registration"
    assert UnitFacts.objects.get(unit=two_sites, source=1).lines == first.lines


def test_the_second_location_reads_only_its_own_industry_lines(world, two_sites):
    assert services.source_industry_codes(two_sites, 1) == [STARCH, DRINKS]
    assert services.source_industry_codes(two_sites, 2) == [DRINKS]
    groups = selectors.fact_groups(two_sites, 2)
    assert [g.line for g in groups if g.line] == [DRINKS]
    with pytest.raises(DomainError) as caught:  # the starch line is not carried on there
        services.unit_facts_save(user=world.users[Role.ENTERPRISE_CLERK], unit=two_sites, source=2,
                                 data={f"{STARCH}:has_fermentation": True})
    assert f"{STARCH}:has_fermentation" in caught.value.errors


def test_a_location_is_refused_by_field_with_nothing_saved(world, two_sites):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with pytest.raises(DomainError) as caught:
        services.fixed_source_add(user=clerk, unit=two_sites, address="", industry_codes=["9999"])
    assert set(caught.value.errors) == {"address", "industry_codes"}
    with pytest.raises(DomainError) as caught:
        services.fixed_source_add(user=clerk, unit=two_sites, address="某地", industry_codes=[])
    assert "industry_codes" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        services.unit_facts_save(user=clerk, unit=two_sites, source=7, data={"on_key_list": True})
    assert "fixed_source" in caught.value.errors
    assert FixedSource.objects.filter(unit=two_sites).count() == 2


def test_the_campaign_asks_every_location_that_must_file(world, two_sites):
    today = date(2020, 3, 1)
    campaign = Campaign.objects.create(name="2020", early_deadline=date(2020, 4, 20), late_deadline=date(2020, 9, 30))
    rows = selectors.campaign_units(user=None, campaign=campaign, today=today)
    row = next(r for r in rows if r["unit"].pk == two_sites.pk)
    assert row["filing_class"] == "simplified" and not row["covered"]  # the strictest of its locations
    services.registration_file(user=world.users[Role.ENTERPRISE_CLERK], unit=two_sites, data=REGISTRATION,
                               sequence=1)
    row = next(r for r in selectors.campaign_units(user=None, campaign=campaign, today=today)
               if r["unit"].pk == two_sites.pk)
    assert not row["covered"], "the main works registered; the second plant still needs its permit"
    assert two_sites.pk not in selectors.covered_unit_ids([two_sites.pk])


def test_a_registration_or_a_permit_is_checked_against_its_own_location(world, two_sites):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with pytest.raises(DomainError) as caught:  # the second plant needs a permit: no registration
        services.registration_file(user=clerk, unit=two_sites, data=REGISTRATION, sequence=2)
    assert "management_class" in caught.value.errors
    registration = services.registration_file(user=clerk, unit=two_sites, data=REGISTRATION, sequence=1)
    assert registration.fixed_source.sequence == 1 and registration.industry_codes == f"{STARCH} {DRINKS}"


def test_a_permit_of_one_location_covers_that_location_only(world):
    issued_permit(world)  # unit_a's 001
    Classification.objects.filter(unit=world.unit_a).delete()
    Classification.objects.create(unit=world.unit_a, source=1, management_class="key", classified_at=timezone.now())
    assert world.unit_a.pk in selectors.covered_unit_ids([world.unit_a.pk])
    FixedSource.objects.create(unit=world.unit_a, sequence=2, address="二厂")
    Classification.objects.create(unit=world.unit_a, source=2, management_class="simplified",
                                  classified_at=timezone.now())
    assert world.unit_a.pk not in selectors.covered_unit_ids([world.unit_a.pk])


def test_the_pages_show_each_location_and_declare_its_facts(client, world, two_sites):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    body = client.get(reverse("permits:unit", args=[two_sites.pk])).content.decode()
    assert 'data-testid="fixed-sources"' in body and "衡南县工业园二号厂房" in body
    second = client.get(reverse("permits:unit", args=[two_sites.pk]), {"source": 2}).content.decode()
    assert 'data-class="simplified"' in second
    facts_page = client.get(reverse("permits:unit_facts", args=[two_sites.pk]), {"source": 2}).content.decode()
    assert f'name="{DRINKS}:has_fermentation"' in facts_page and f'name="{STARCH}:' not in facts_page
    response = client.post(f"{reverse('permits:unit_facts', args=[two_sites.pk])}?source=2",
                           {f"{DRINKS}:has_fermentation": "no", f"{DRINKS}:raw_juice_production": "no",
                            **{k: "yes" if v else "no" for k, v in NONE_GENERAL.items()}})
    assert response.status_code == 302 and response["Location"].endswith("?source=2")
    assert _class(two_sites, 2) == "registration" and _class(two_sites, 1) == "registration"
    assert client.get(reverse("permits:unit", args=[two_sites.pk]), {"source": 9}).status_code == 404
    # a third location, with the form's errors named by field
    response = client.post(reverse("permits:fixed_source_add", args=[two_sites.pk]), {"address": ""})
    assert FixedSource.objects.filter(unit=two_sites).count() == 2
    page = response.content.decode()
    assert 'data-testid="add-fixed-source" open' in page
    assert response.status_code == 400 and 'id="address-errors"' in page and 'id="industry_codes-errors"' in page
    response = client.post(reverse("permits:fixed_source_add", args=[two_sites.pk]),
                           {"address": "三厂", "industry_codes": [STARCH]})
    assert response["Location"].endswith("?source=3") and services.source_industry_codes(two_sites, 3) == [STARCH]


def test_a_gatekeeper_or_another_unit_s_clerk_adds_no_location(client, world, two_sites):
    client.force_login(world.users[Role.GATEKEEPER])
    response = client.post(reverse("permits:fixed_source_add", args=[two_sites.pk]),
                           {"address": "x", "industry_codes": [STARCH]})
    assert response.status_code in (403, 404)
    assert FixedSource.objects.filter(unit=two_sites).count() == 2


def test_the_api_declares_and_reads_each_location(world, two_sites):
    clerk = Api(token=token_for(world.users[Role.ENTERPRISE_CLERK]))
    answer = clerk.get(f"/permits/units/{two_sites.pk}/classification", {"fixed_source": 2})
    assert answer.status_code == 200 and answer.json()["fixed_source"] == 2
    assert answer.json()["management_class"] == "simplified"
    assert clerk.get(f"/permits/units/{two_sites.pk}/classification").json()["management_class"] == "registration"
    answer = clerk.post(f"/permits/units/{two_sites.pk}/facts",
                        {"fixed_source": 2, "facts": {"has_fermentation": False}})
    assert answer.status_code == 200 and answer.json()["management_class"] == "registration"
    assert_error(clerk.post(f"/permits/units/{two_sites.pk}/facts", {"fixed_source": 5, "facts": {}}), 400,
                 "fixed_source")
    listed = clerk.get(f"/permits/units/{two_sites.pk}/sources").json()
    assert [(s["fixed_source"], s["industry_codes"], s["management_class"]) for s in listed] == [
        (1, [STARCH, DRINKS], "registration"), (2, [DRINKS], "registration")]
    assert listed[1]["address"] == "衡南县工业园二号厂房"
    # a unit the caller does not see answers as a missing one
    outsider = Api(token=token_for(world.users[Role.GATEKEEPER]))
    assert_error(outsider.get(f"/permits/units/{world.unit_b.pk}/sources"), 404)


def test_a_reviewer_s_decision_holds_for_its_own_location(world, two_sites):
    ReadingDecision.objects.create(unit=two_sites, source=2, reading="r", key="k", choice="a", reason="x",
                                   decided_by=world.users[Role.PERMIT_REVIEWER], decided_at=timezone.now())
    assert services.unit_decisions(two_sites.pk, 2) == {"k": "a"} and services.unit_decisions(two_sites.pk, 1) == {}


def test_the_migration_gives_every_numbered_location_the_facts_it_read_before(world, two_sites):
    migration = importlib.import_module("zhengtong.permits.migrations.0011_facts_per_fixed_source")
    first = UnitFacts.objects.get(unit=two_sites, source=1)
    UnitFacts.objects.filter(unit=two_sites, source=2).delete()
    Classification.objects.filter(unit=two_sites, source=2).delete()
    migration.copy_to_sources(django_apps, None)
    copied = UnitFacts.objects.get(unit=two_sites, source=2)
    assert (copied.facts, copied.lines) == (first.facts, first.lines)
    assert Classification.objects.get(unit=two_sites, source=2).management_class == _class(two_sites, 1)


def _permit_at(world, unit, sequence: int, cls: str):
    """A valid permit of the unit's fixed source ``sequence`` (no reports due: none are checked)."""
    from zhengtong.permits.models import Application, Permit

    source = FixedSource.objects.get(unit=unit, sequence=sequence)
    admin = world.users[Role.CITY_ADMIN]
    application = Application.objects.create(fixed_source=source, management_class=cls, status="issued",
                                             created_by=admin)
    return Permit.objects.create(
        fixed_source=source, application=application, number=f"{unit.uscc}{sequence:03d}P", management_class=cls,
        decided_on=date(2020, 1, 10), valid_from=date(2020, 1, 10), valid_until=date(2025, 1, 9),
        validity_basis="办法2018 第二十一条", issued_by=admin, report_cadence=[], content={"outlets": []})


def test_enforcement_names_what_is_missing_not_the_strictest_class(world, two_sites):
    """The second plant holds its permit; the main works (registration class) has not registered:
    past the deadline that is a registration not filed (登记), not discharging without a permit."""
    from zhengtong.permits import compliance
    from zhengtong.permits.models import EnforcementCase

    _permit_at(world, two_sites, 2, "simplified")
    campaign = Campaign.objects.create(name="2020", early_deadline=date(2020, 4, 20), late_deadline=date(2020, 9, 30))
    row = next(r for r in selectors.campaign_units(user=None, campaign=campaign, today=date(2020, 10, 1))
               if r["unit"].pk == two_sites.pk)
    assert row["filing_class"] == "simplified" and not row["covered"]
    compliance.enforcement_scan(today=date(2020, 10, 1))
    cases = EnforcementCase.objects.filter(unit=two_sites)
    assert [c.kind for c in cases] == ["no_registration"]
    assert "001" in cases[0].details and "002" not in cases[0].details


def test_enforcement_opens_one_case_for_each_kind_missing(world, two_sites):
    from zhengtong.permits import compliance
    from zhengtong.permits.models import EnforcementCase

    Campaign.objects.create(name="2020", early_deadline=date(2020, 4, 20), late_deadline=date(2020, 9, 30))
    compliance.enforcement_scan(today=date(2020, 10, 1))
    assert sorted(EnforcementCase.objects.filter(unit=two_sites).values_list("kind", flat=True)) == [
        "no_permit", "no_registration"]
    assert sum(compliance.enforcement_scan(today=date(2020, 10, 1)).values()) == 0  # nothing twice


def test_the_registration_form_of_a_location_starts_from_its_own_address(client, world, two_sites):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("permits:registration_file", args=[two_sites.pk])
    second = client.get(url, {"source": 2}).content.decode()
    assert 'value="衡南县工业园二号厂房"' in second
    first = client.get(url).content.decode()
    assert "衡南县工业园二号厂房" not in first


def test_the_add_location_form_asks_the_industries_as_one_question(client, world, two_sites):
    """The industries are a fieldset with its question as legend (a label around a list of labelled
    checkboxes made the question toggle the first choice), and the form is checked by the server so
    each field's refusal is said in the page's language."""
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    page = client.get(reverse("permits:unit", args=[two_sites.pk])).content.decode()
    form = page[page.index('data-testid="add-fixed-source"'):]
    assert 'class="stacked" novalidate' in form
    assert '<fieldset class="choices"><legend>在该地点从事的行业</legend>' in form
    assert form.count("<label") == form.count("</label>") and "<label><div" not in form


def test_the_declared_facts_say_which_location_they_are_of(client, world, two_sites):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    page = client.get(reverse("permits:unit", args=[two_sites.pk]), {"source": 2}).content.decode()
    assert "<h2>已申报信息 · 固定污染源 002</h2>" in page
    form = client.get(reverse("permits:registration_file", args=[two_sites.pk]), {"source": 2}).content.decode()
    assert '<form method="post" class="stacked" novalidate>' in form


def test_the_clerk_s_to_do_leads_to_the_location_that_must_file(world, two_sites):
    items = selectors.todo(user=world.users[Role.ENTERPRISE_CLERK], today=date(2020, 3, 1))
    by_url = {item.url: item.text for item in items if item.urgent}
    unit_url = reverse("permits:unit", args=[two_sites.pk])
    assert "固定污染源 001" in by_url[unit_url] and "登记" in by_url[unit_url]
    assert "固定污染源 002" in by_url[f"{unit_url}?source=2"]


def test_a_refused_application_is_shown_on_its_own_location_s_page(client, world, two_sites):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    services.unit_facts_save(user=clerk, unit=two_sites, source=2, data={f"{DRINKS}:has_fermentation": False})
    client.force_login(clerk)
    response = client.post(reverse("permits:application_start", args=[two_sites.pk]), {"source": "2"})
    assert response.status_code == 302 and response["Location"].endswith(f"/units/{two_sites.pk}/?source=2")
    assert not FixedSource.objects.get(unit=two_sites, sequence=2).applications.exists()


def test_a_line_moved_wholly_to_another_location_leaves_the_first(client, world, two_sites):
    # the drinks line is carried on only at 002: 001 keeps the starch line alone and is read by its rows
    clerk = world.users[Role.ENTERPRISE_CLERK]
    services.fixed_source_industries(user=clerk, unit=two_sites, source=1, industry_codes=[STARCH])
    assert services.source_industry_codes(two_sites, 1) == [STARCH]
    rows = {f.row for f in services.source_result(two_sites, 1).findings if f.code}
    assert rows == {16}  # row 22 (drinks) no longer reads 001
    with pytest.raises(DomainError) as caught:
        services.fixed_source_industries(user=clerk, unit=two_sites, source=1, industry_codes=[])
    assert "industry_codes" in caught.value.errors
    # the page: the form of the location shown, its refusal named by field, nothing changed
    client.force_login(clerk)
    page = client.get(reverse("permits:unit", args=[two_sites.pk]), {"source": 2}).content.decode()
    assert 'data-testid="source-industries"' in page
    url = f"{reverse('permits:source_industries', args=[two_sites.pk])}?source=2"
    response = client.post(url, {})
    assert response.status_code == 400 and 'id="industry_codes-errors"' in response.content.decode()
    assert services.source_industry_codes(two_sites, 2) == [DRINKS]
    response = client.post(url, {"industry_codes": [STARCH, DRINKS]})
    assert response.status_code == 302 and response["Location"].endswith("?source=2")
    assert services.source_industry_codes(two_sites, 2) == [STARCH, DRINKS]
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.post(url, {"industry_codes": [STARCH]}).status_code in (403, 404)
    assert services.source_industry_codes(two_sites, 2) == [STARCH, DRINKS]
