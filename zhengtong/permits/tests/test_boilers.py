"""Boilers (rows 96 and 109): output entered in t/h or MW, compared with the catalogue's own pairs
("20吨/小时（14兆瓦）", "1吨/小时（0.7兆瓦）"); electric boilers declared, and left out by the rule."""

from datetime import date

import pytest

from zhengtong.core.errors import DomainError
from zhengtong.permits import quantities, services
from zhengtong.permits.catalogue import RULES_TOML, RuleError, load_catalogue, read_catalogue
from zhengtong.permits.classification import classify
from zhengtong.permits.models import Classification, UnitFacts

AS_OF = date(2025, 6, 1)
OTHER = "5211"  # row 108: its general processes decide
ART7_NONE = {"on_key_list": False, "so2_tpy": 0, "nox_tpy": 0, "dust_tpy": 0, "cod_tpy": 0, "total_nitrogen_tpy": 0,
             "total_phosphorus_tpy": 0, "ammonia_oil_phenol_tpy": 0, "max_toxic_pollution_equivalent": 0,
             "has_furnace": False, "has_surface_treatment": False, "has_water_treatment": False}
HEAT = "4430"  # row 96


def mw(value):
    return {"value": value, "unit": "MW"}


def boilers(code=OTHER, **facts):
    return classify([code], {**ART7_NONE, "has_boiler": True, **facts}, as_of=AS_OF)


def row(result, number):
    return next(f for f in result.findings if f.row == number)


def test_14_mw_is_20_t_h_exactly_at_the_boundary():
    assert quantities.mw_to_tph(14) == 20 and quantities.mw_to_tph(0.7) == 1
    at = boilers(boiler_max_tph=mw(14), boiler_total_tph=mw(14))
    assert at.management_class == "simplified" and row(at, 109).management_class == "simplified"
    below = boilers(boiler_max_tph=mw(13.99), boiler_total_tph=mw(13.99))
    assert below.management_class == "registration"
    assert boilers(boiler_max_tph=20, boiler_total_tph=20).management_class == "simplified"
    assert boilers(boiler_max_tph=19.99, boiler_total_tph=19.99).management_class == "registration"
    # the total alone (单台或者合计), in MW, with the single boiler in t/h
    assert boilers(boiler_max_tph=10, boiler_total_tph=mw(14)).management_class == "simplified"


def test_the_reading_says_the_mw_figure_was_converted():
    result = boilers(boiler_max_tph=mw(14), boiler_total_tph=mw(1))
    d = result.derived["boiler_max_tph"]
    assert d.value == 20 and d.candidates[0].how == quantities.MW and d.entered == mw(14)


def test_row_96_compares_with_its_printed_pairs_0_7_mw_and_14_mw():
    gas = {"boilers_all_gas": True, "boilers_all_electric": False}
    assert boilers(HEAT, boiler_max_tph=mw(0.7), boiler_total_tph=mw(0.7), **gas).management_class == "registration"
    assert boilers(HEAT, boiler_max_tph=mw(0.7), boiler_total_tph=mw(0.71), **gas).management_class == "simplified"
    assert boilers(HEAT, boiler_max_tph=mw(14), boiler_total_tph=mw(14), **gas).management_class == "key"
    assert boilers(HEAT, boiler_max_tph=1, boiler_total_tph=1, **gas).management_class == "registration"


def test_a_unit_with_only_electric_boilers_gets_no_boiler_cell():
    electric = boilers(boilers_all_electric=True)
    assert all(f.row != 109 for f in electric.findings)
    assert electric.management_class == "none"
    heat = boilers(HEAT, boilers_all_electric=True)
    assert heat.management_class == "none" and row(heat, 96).management_class is None
    # nothing about outputs is asked of electric boilers
    assert not heat.missing and not electric.missing


def test_electric_boilers_are_asked_only_when_the_other_boilers_output_is_not_given():
    asked = boilers()
    assert asked.management_class == "undetermined" and "boilers_all_electric" in asked.missing
    implied = boilers(boiler_max_tph=2, boiler_total_tph=3)  # output given: some boiler is not electric
    assert implied.management_class == "registration"
    assert implied.derived["boilers_all_electric"].candidates[0].how == quantities.IMPLIED


def test_a_threshold_that_is_not_a_printed_pair_is_refused_by_the_loader(tmp_path):
    text = RULES_TOML.read_text(encoding="utf-8").replace('"boiler_max_tph >= 20", "boiler_total_tph >= 20"',
                                                          '"boiler_max_tph >= 21", "boiler_total_tph >= 20"')
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="printed pair"):
        read_catalogue(path)
    assert load_catalogue().facts["boiler_max_tph"].pairs == ((20.0, 14.0), (1.0, 0.7))


@pytest.mark.django_db
def test_the_clerk_declares_an_output_in_mw(world):
    clerk, unit = world.users["enterprise_clerk"], world.unit_a
    services.unit_facts_save(user=clerk, unit=unit, data={
        "has_boiler": "yes", "boiler_max_tph": "14", "boiler_max_tph__unit": "MW",
        "boiler_total_tph": "20", "boiler_total_tph__unit": "t/h"})
    facts = UnitFacts.objects.get(unit=unit).facts
    assert facts["boiler_max_tph"] == {"value": 14, "unit": "MW"} and facts["boiler_total_tph"] == 20
    services.unit_facts_save(user=clerk, unit=unit, data={"boiler_max_tph": "10", "boiler_max_tph__unit": "t/h"})
    assert UnitFacts.objects.get(unit=unit).facts["boiler_max_tph"] == 10
    assert Classification.objects.filter(unit=unit).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("boiler_max_tph__unit", "kW"), ("boiler_max_tph", "-3"),
                                              ("so2_tpy__unit", "MW"), ("boilers_all_electric", "maybe")])
def test_bad_boiler_input_is_refused_by_field(world, field, value):
    with pytest.raises(DomainError) as e:
        services.unit_facts_save(user=world.users["enterprise_clerk"], unit=world.unit_a, data={field: value})
    assert field in e.value.errors
