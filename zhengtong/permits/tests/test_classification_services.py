"""Declared facts, one unit's classification, and classifying the whole registry."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import services
from zhengtong.permits.models import CatalogueEntry, Classification, UnitFacts
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory

NO_GENERAL = {"has_boiler": False, "has_furnace": False, "has_surface_treatment": False,
              "has_water_treatment": False}
ART7_NONE = {"on_key_list": False, "so2_tpy": 0, "nox_tpy": 0, "dust_tpy": 0, "cod_tpy": 0,
             "total_nitrogen_tpy": 0, "total_phosphorus_tpy": 0, "ammonia_oil_phenol_tpy": 0,
             "max_toxic_pollution_equivalent": 0}

pytestmark = pytest.mark.django_db


def test_the_migration_loads_all_112_catalogue_rows():
    assert CatalogueEntry.objects.count() == 112
    row = CatalogueEntry.objects.get(row=36)
    assert row.industry_text == "纸浆制造221" and row.key_text == "全部"
    assert CatalogueEntry.objects.get(row=109).industry_text == "锅炉"


def test_a_paper_mill_is_key_by_its_code_alone(world):
    unit = UnitFactory(county_code="430422", industry_code="2221")
    result = services.unit_classify(unit=unit)
    assert result.management_class == "key" and result.deciding_row == 37


def test_declared_facts_decide_and_are_kept_with_history(world):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="1351")
    unit.save()
    services.unit_facts_save(user=clerk, unit=unit, data={
        **NO_GENERAL, "pigs_slaughtered_per_year": "120,000"})
    classification = Classification.objects.get(unit=unit)
    assert classification.management_class == "key" and classification.deciding_row == 13
    assert UnitFacts.objects.get(unit=unit).lines["1351"]["pigs_slaughtered_per_year"] == 120000
    services.unit_facts_save(user=clerk, unit=unit, data={"pigs_slaughtered_per_year": ""})
    classification.refresh_from_db()
    assert classification.management_class == "undetermined"
    assert "1351:pigs_slaughtered_per_year" in classification.missing
    assert UnitFacts.objects.get(unit=unit).history.count() == 2


def test_a_negative_quantity_is_refused_and_nothing_is_saved(world):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with translation.override("en"), pytest.raises(DomainError) as e:
        services.unit_facts_save(user=clerk, unit=world.unit_a, data={
            "boiler_total_tph": "-3", "has_boiler": "maybe", "no_such_fact": 1})
    assert e.value.errors["boiler_total_tph"] == ["A quantity cannot be negative."]
    assert e.value.errors["has_boiler"] == ["Answer yes or no."]
    assert "no_such_fact" in e.value.errors
    assert not UnitFacts.objects.filter(unit=world.unit_a).exists()


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "1e400"])
def test_a_number_that_is_not_a_quantity_is_refused(world, value):
    with pytest.raises(DomainError) as e:
        services.unit_facts_save(user=world.users[Role.ENTERPRISE_CLERK], unit=world.unit_a,
                                 data={"water_treatment_tpd": value})
    assert "water_treatment_tpd" in e.value.errors


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICER, Role.PERMIT_REVIEWER, Role.SITE_MANAGER, "none"])
def test_only_the_units_clerk_or_the_city_declares_its_facts(world, role):
    with pytest.raises(PermissionDenied):
        services.unit_facts_save(user=world.users[role], unit=world.unit_a, data={"has_boiler": True})


def test_a_clerk_cannot_declare_for_another_unit(world):
    with pytest.raises(PermissionDenied):
        services.unit_facts_save(user=world.users[Role.ENTERPRISE_CLERK], unit=world.unit_b,
                                 data={"has_boiler": True})


def test_a_shop_outside_the_catalogue_with_no_general_process_needs_nothing(world):
    unit = UnitFactory(county_code="430422", industry_code="5211")
    UnitFacts.objects.create(unit=unit, facts={**NO_GENERAL, **ART7_NONE})
    assert services.unit_classify(unit=unit).management_class == "none"


def test_classify_all_covers_the_reviewers_region_only(world):
    UnitFactory(county_code="430422", industry_code="2221")
    UnitFactory(county_code="430421", industry_code="2221")
    counts = services.units_classify(user=world.users[Role.PERMIT_REVIEWER])
    assert sum(counts.values()) == 2  # unit_a and the paper mill in county a
    assert counts["key"] == 1
    assert not Classification.objects.filter(unit__county__code="430421").exists()


def test_classify_all_is_refused_to_clerks_and_officers(world):
    for role in (Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER, "none"):
        with pytest.raises(PermissionDenied):
            services.units_classify(user=world.users[role])


def test_classify_all_replaces_earlier_results(world):
    admin = world.users[Role.CITY_ADMIN]
    services.units_classify(user=admin)
    services.units_classify(user=admin)
    assert Classification.objects.count() == 2


def test_classify_all_writes_only_what_changed(world):
    admin = world.users[Role.CITY_ADMIN]
    paper = UnitFactory(county_code="430422", industry_code="2221")
    services.units_classify(user=admin)
    before = dict(Classification.objects.values_list("unit_id", "classified_at"))
    UnitFacts.objects.create(unit=world.unit_a, facts={"has_boiler": True})
    services.units_classify(user=admin)
    after = dict(Classification.objects.values_list("unit_id", "classified_at"))
    assert after[paper.pk] == before[paper.pk]
    assert after[world.unit_a.pk] != before[world.unit_a.pk]


def test_an_industry_code_that_does_not_exist_or_no_industry_is_refused():
    from zhengtong.permits.classification import ClassificationInputError, classify, industry_classes

    assert len(industry_classes()) == 1382
    for codes in ([], ["9999"], ["221"], ["22a1"]):
        with pytest.raises(ClassificationInputError):
            classify(codes, {})


def test_a_units_fixed_sources_are_numbered_001_002_in_its_codes(world):
    from zhengtong.permits.services import fixed_source_add, fixed_source_for

    clerk = world.users[Role.ENTERPRISE_CLERK]
    first = fixed_source_for(unit=world.unit_a)
    second = fixed_source_add(user=clerk, unit=world.unit_a, address="衡南县二号厂区")
    assert first.code("P") == f"{world.unit_a.uscc}001P" and second.code("P") == f"{world.unit_a.uscc}002P"
    with pytest.raises(DomainError):
        fixed_source_for(unit=world.unit_a, sequence=3)
    with pytest.raises(PermissionDenied):
        fixed_source_add(user=clerk, unit=world.unit_b, address="x")


@pytest.mark.parametrize("raw", [5, {"a": 1}, [1, 2], None])
def test_a_choice_fact_given_as_something_else_is_refused_or_ignored(raw):
    from zhengtong.permits.services import clean_facts

    if raw is None:
        assert clean_facts({"biomass_fuel": raw}) == {}
        return
    with pytest.raises(DomainError) as e:
        clean_facts({"biomass_fuel": raw})
    assert "biomass_fuel" in e.value.errors


def test_classify_all_writes_what_classifying_one_unit_writes(world):
    """The bulk write (COPY on PostgreSQL) stores each result as the single unit's classification does:
    the same class, row, missing facts, notes and open readings, JSON read back as lists."""
    admin = world.users[Role.CITY_ADMIN]
    mixed = UnitFactory(county_code="430422", industry_code="2221")
    UnitFacts.objects.create(unit=mixed, facts={"has_boiler": True})
    services.units_classify(user=admin)
    fields = ("management_class", "scope", "deciding_row", "at_least", "missing", "notes", "open_readings",
              "catalogue_version")
    bulk = {row[0]: row[1:] for row in Classification.objects.values_list("unit_id", *fields)}
    assert len(bulk) == Classification.objects.count() >= 3
    for unit in (world.unit_a, world.unit_b, mixed):
        Classification.objects.filter(unit=unit).delete()
        services.unit_classify(unit=unit)
        one = Classification.objects.filter(unit=unit).values_list(*fields).get()
        assert one == bulk[unit.pk]
        assert isinstance(one[fields.index("missing")], list)
