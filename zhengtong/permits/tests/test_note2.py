"""Catalogue note 2 (表注2): the solvent, coating, ink and adhesive quantities of rows 32, 35, 39, 81,
85, 86, 89 and 111 are worked out from the start of operation and the yearly quantities, on the
classification day: the largest year of the last three (three years or more), the largest year
since operation (one to three years), the approved EIA document's figure (not yet operating, or
under a year)."""

from datetime import date

import pytest

from zhengtong.core.errors import DomainError
from zhengtong.permits import quantities, services
from zhengtong.permits.catalogue import load_catalogue
from zhengtong.permits.classification import classify
from zhengtong.permits.models import UnitFacts

AS_OF = date(2025, 6, 1)
SHOES = "1951"  # row 32: 年使用10吨及以上溶剂型胶粘剂或者3吨及以上溶剂型处理剂的 → simplified
BASE = {"on_key_list": False, "in_industrial_building": True, "has_boiler": False, "has_furnace": False,
        "has_surface_treatment": False, "has_water_treatment": False, "solvent_treatment_agent_tpy": 0}


def shoes(adhesive, start: str | None = "2020-01-01", as_of=AS_OF):
    facts = {**BASE, "solvent_adhesive_tpy": adhesive}
    if start is not None:
        facts["operation_start"] = start
    return classify([SHOES], facts, as_of=as_of)


def how(result, key="solvent_adhesive_tpy"):
    d = result.derived[key]
    return [(c.how, c.year) for c in d.candidates], d.value


def test_the_note2_facts_are_the_quantities_of_the_rows_the_note_names():
    catalogue = load_catalogue()
    rows = {n for n, row in catalogue.rows.items() if any(catalogue.facts[k].note2 for k in row.facts
                                                            if k in catalogue.facts)}
    assert rows == {32, 35, 39, 81, 85, 86, 89, 111}
    assert all("operation_start" in catalogue.rows[n].facts for n in rows)


def test_three_years_or_more_takes_the_largest_of_the_last_three_years():
    result = shoes({"years": {"2021": 50, "2022": 4, "2023": 9.5, "2024": 3}})
    assert result.management_class == "registration"  # 2021 is not one of the last three
    assert how(result) == ([(quantities.THREE_YEARS, 2023)], 9.5)
    result = shoes({"years": {"2022": 12, "2023": 5, "2024": 3}})
    assert result.management_class == "simplified" and how(result) == ([(quantities.THREE_YEARS, 2022)], 12)
    # exactly three years on the classification day
    assert how(shoes({"years": {"2022": 1, "2023": 2, "2024": 3}}, start="2022-06-01"))[0][0][0] == \
        quantities.THREE_YEARS


def test_one_to_three_years_takes_the_largest_year_since_operation():
    result = shoes({"years": {"2022": 40, "2023": 11, "2024": 2}}, start="2023-03-01")
    assert result.management_class == "simplified"
    assert how(result) == ([(quantities.SINCE_START, 2023)], 11)  # 2022 is before the start
    assert shoes({"years": {"2024": 9.9}}, start="2024-05-31").management_class == "registration"
    assert how(shoes({"years": {"2024": 9.9}}, start="2024-06-01"))[0] == [(quantities.SINCE_START, 2024)]


def test_under_a_year_takes_the_eia_figure_whatever_was_used():
    result = shoes({"years": {"2024": 30}, "eia": 8}, start="2024-06-02")
    assert result.management_class == "registration" and how(result) == ([(quantities.EIA, None)], 8)
    assert shoes({"eia": 10}, start="2025-01-01").management_class == "simplified"


def test_not_yet_operating_takes_the_eia_figure():
    result = shoes({"eia": 12}, start="2026-01-01")
    assert result.management_class == "simplified" and how(result) == ([(quantities.EIA, None)], 12)
    missing = shoes({"years": {"2024": 3}}, start="2026-01-01")
    assert missing.management_class == "undetermined"
    assert missing.missing == ("1951:solvent_adhesive_tpy__eia",)  # asked of the shoe line


def test_a_year_missing_is_asked_by_its_year_with_the_class_already_certain():
    result = shoes({"years": {"2023": 5, "2024": 3}})
    assert result.management_class == "undetermined"
    assert result.missing == ("1951:solvent_adhesive_tpy__2022",)
    assert result.at_least == "registration"  # row 32's 其他﹡ holds whatever 2022 was
    # a year already at the threshold decides without the missing one
    decided = shoes({"years": {"2023": 10, "2024": 3}})
    assert decided.management_class == "simplified"


def test_the_start_of_operation_is_asked_only_when_it_changes_the_class():
    small = shoes({"years": {"2022": 1, "2023": 1, "2024": 1}, "eia": 2}, start=None)
    assert small.management_class == "registration"  # every way note 2 counts it: under 10 t
    open_ = shoes({"years": {"2022": 1, "2023": 1, "2024": 1}, "eia": 20}, start=None)
    assert open_.management_class == "undetermined" and open_.missing == ("operation_start",)


def test_the_classification_day_counts_the_years():
    entered = {"years": {"2022": 12, "2023": 1, "2024": 1}}
    assert shoes(entered, as_of=date(2025, 6, 1)).management_class == "simplified"
    assert shoes({**entered, "years": {**entered["years"], "2025": 1}}, as_of=date(2026, 1, 2)).management_class \
        == "registration"  # 2022 is no longer one of the last three


def test_a_single_figure_declared_before_the_years_were_asked_is_used_as_declared():
    result = shoes(12, start=None)
    assert result.management_class == "simplified" and result.derived == {}


def test_row_111_reads_the_organic_solvents_as_note_2_says():
    facts = {**BASE, "has_surface_treatment": True, "surface_treatment_listed": False, "operation_start": "2021-01-01",
             "organic_solvent_tpy": {"years": {"2022": 10, "2023": 1, "2024": 1}}}
    result = classify(["5211"], {**facts, "so2_tpy": 0, "nox_tpy": 0, "dust_tpy": 0, "cod_tpy": 0,
                                 "total_nitrogen_tpy": 0, "total_phosphorus_tpy": 0, "ammonia_oil_phenol_tpy": 0,
                                 "max_toxic_pollution_equivalent": 0}, as_of=AS_OF)
    assert result.management_class == "simplified" and result.deciding.row == 111


# --- declaring the years ------------------------------------------------------------------


@pytest.mark.django_db
def test_years_and_the_eia_figure_are_declared_by_part_and_merged(world):
    clerk, unit = world.users["enterprise_clerk"], world.unit_a
    services.unit_facts_save(user=clerk, unit=unit, data={"solvent_adhesive_tpy": 12})
    services.unit_facts_save(user=clerk, unit=unit, data={
        "operation_start": "2020-01-01", "solvent_adhesive_tpy__2023": "8", "solvent_adhesive_tpy__2024": "3.5"})
    record = UnitFacts.objects.get(unit=unit)
    code = unit.industry.code  # the unit's one line: a line's own fact given without its code goes there
    assert record.lines[code]["solvent_adhesive_tpy"] == {"years": {"2023": 8, "2024": 3.5}}
    assert record.facts["operation_start"] == "2020-01-01" and "solvent_adhesive_tpy" not in record.facts
    services.unit_facts_save(user=clerk, unit=unit, data={f"{code}:solvent_adhesive_tpy__eia": "20",
                                                          "solvent_adhesive_tpy__2024": ""})
    assert UnitFacts.objects.get(unit=unit).lines[code]["solvent_adhesive_tpy"] == {"years": {"2023": 8}, "eia": 20}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [
    ("solvent_adhesive_tpy__2023", "ten"),
    ("solvent_adhesive_tpy__2023", "-1"),
    ("solvent_adhesive_tpy__1800", "1"),
    ("solvent_adhesive_tpy__eia", "abc"),
    ("solvent_adhesive_tpy__month", "1"),
    ("solvent_adhesive_tpy", {"years": {"2023": 1}}),
    ("operation_start", "2020-13-01"),
    ("operation_start", "yesterday"),
    ("has_boiler__2023", "1"),
])
def test_bad_parts_are_refused_by_field(world, field, value):
    with pytest.raises(DomainError) as e:
        services.unit_facts_save(user=world.users["enterprise_clerk"], unit=world.unit_a, data={field: value})
    assert field in e.value.errors
