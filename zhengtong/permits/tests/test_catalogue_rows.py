"""The industry rows 1–107 of the 2019 catalogue, read through the rules file.

Each case names the row it exercises and gives only the facts that matter for it; every other fact
the row reads is filled in with its "nothing" value (no, 0, no choice), so that a threshold is seen
on both of its sides with all else absent. No database is used.
"""

from __future__ import annotations

import csv
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

from zhengtong.permits.catalogue import (
    GENERAL_PROCESS_ROWS,
    INDUSTRY_ROWS,
    RULES_TOML,
    Context,
    compile_term,
    load_catalogue,
    read_catalogue,
)
from zhengtong.permits.classification import GENERAL_ONLY, WHOLE, classify

GBT_CSV = Path(__file__).resolve().parents[2] / "registry" / "data" / "gbt4754-2017.csv"

KEY, SIMPLIFIED, REGISTRATION, NONE, UNDETERMINED = "key", "simplified", "registration", "none", "undetermined"
REVIEW = "review"

# The unit has none of the general processes of rows 109–112.
NO_GENERAL = {
    "has_boiler": False,
    "has_furnace": False,
    "has_surface_treatment": False,
    "has_water_treatment": False,
}
GENERAL_KEY = {"has_boiler": True, "on_key_list": True, "boiler_max_tph": 1, "boiler_total_tph": 1}
GENERAL_SIMPLIFIED = {"has_boiler": True, "boiler_max_tph": 20, "boiler_total_tph": 20}
GENERAL_REGISTRATION = {"has_boiler": True, "boiler_max_tph": 19.9, "boiler_total_tph": 19.9}

NON_TERMS = ("all", "rest", "industrial")


# --- reading the rules file and the standard --------------------------------------------------


@cache
def raw_rules() -> dict:
    with open(RULES_TOML, "rb") as f:
        return tomllib.load(f)


@cache
def gbt_classes() -> frozenset[str]:
    with open(GBT_CSV, encoding="utf-8", newline="") as f:
        return frozenset(line["code"] for line in csv.DictReader(f) if line["level"] == "class")


def alternatives(spec: dict) -> list[str]:
    found = []
    for name in ("key", "simplified", "registration", "applies"):
        value = spec.get(name, [])
        found.extend([value] if isinstance(value, str) else value)
    return found


def terms(spec: dict) -> list[str]:
    return [part.strip() for alternative in alternatives(spec) for part in alternative.split("&")]


def facts_read(spec: dict) -> set[str]:
    """The facts a row's rules name (the ﹡ term reads in_industrial_building)."""
    names = set()
    for term in terms(spec):
        words = term.split()
        if term == "industrial":
            names.add("in_industrial_building")
        elif term in NON_TERMS or words[0] in ("general", "code", "!code"):
            continue
        else:
            names.add(words[0].lstrip("!"))
    return names


def code_terms(spec: dict) -> list[str]:
    return [code for term in terms(spec) if term.split()[0] in ("code", "!code") for code in term.split()[1:]]


def nothing(fact_key: str) -> object:
    kind = raw_rules()["facts"][fact_key]["type"]
    return {"bool": False, "number": 0, "choices": []}[kind]


def unit_facts(row: int, given: dict) -> dict:
    """The row's facts at their "nothing" value, in an industrial building, off the key list, with
    no general processes; then what the case gives."""
    facts = {name: nothing(name) for name in facts_read(raw_rules()["rows"][str(row)])}
    facts.update(NO_GENERAL)
    facts.update(on_key_list=False, in_industrial_building=True)
    facts.update(given)
    return facts


def first_class(row: int) -> str:
    """The first 4-digit class the row's industry column covers."""
    catalogue = load_catalogue()
    for code in sorted(gbt_classes()):
        if catalogue.rows_for(code) and row in catalogue.rows_for(code):
            return code
    raise AssertionError(f"row {row} covers no class")


def finding(result, row: int):
    return next(f for f in result.findings if f.row == row)


# --- the loader -------------------------------------------------------------------------------


def test_loads_strictly_all_112_rows():
    catalogue = read_catalogue(RULES_TOML, strict=True)
    assert sorted(catalogue.rows) == list(range(1, 113))
    assert sorted(load_catalogue().rows) == list(range(1, 113))
    assert sorted(int(n) for n in raw_rules()["rows"]) == list(range(1, 113))


def test_every_code_term_and_exclude_is_a_class_of_the_standard_under_the_row():
    classes = gbt_classes()
    catalogue = load_catalogue()
    for number, spec in raw_rules()["rows"].items():
        row = catalogue.rows[int(number)]
        for code in [*code_terms(spec), *spec.get("exclude", [])]:
            assert code in classes, f"row {number}: {code} is not a 4-digit class of GB/T 4754-2017"
            assert any(code.startswith(c) for c in row.codes), f"row {number}: {code} is outside the row"


def test_row_80_excludes_the_foundry_classes_of_row_82():
    catalogue = load_catalogue()
    assert catalogue.rows[80].exclude == ("3391", "3392")
    assert catalogue.rows_for("3391") == (82,)
    assert catalogue.rows_for("3392") == (82,)
    assert catalogue.rows_for("3393") == (80, 82)


def test_every_fact_a_rule_reads_is_defined_and_every_defined_fact_is_read():
    facts = raw_rules()["facts"]
    read = set()
    for number, spec in raw_rules()["rows"].items():
        missing = facts_read(spec) - set(facts)
        assert not missing, f"row {number} reads undefined facts {sorted(missing)}"
        read |= facts_read(spec)
    # The start of operation is read by catalogue note 2's quantities (permits.quantities), not by a term.
    assert set(facts) - read == {"operation_start"}


def test_fact_definitions_are_complete():
    for key, spec in raw_rules()["facts"].items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key), key
        assert spec["type"] in ("bool", "number", "choices", "date"), key
        assert spec["zh"].strip() and spec["en"].strip(), key
        if spec["type"] == "number":
            assert "unit" in spec, f"{key}: a number carries its unit"
        if spec["type"] == "choices":
            values = [c[0] for c in spec["choices"]]
            assert values and len(values) == len(set(values)), key
            assert all(len(c) == 3 and c[1] and c[2] for c in spec["choices"]), key


def test_shared_facts_are_reused():
    rows = raw_rules()["rows"]

    def users(fact: str) -> set[int]:
        return {int(n) for n, spec in rows.items() if fact in facts_read(spec)}

    assert users("has_fermentation") == {10, 16, 20, 21, 22, 47}
    assert users("kiln_fuel") == {64, 66, 67, 68, 69}
    assert users("solvent_coating_adhesive_cleaning_tpy") == {85, 86}
    assert {11, 17, 19, 20, 42, 45, 46, 47, 48, 50, 52, 54, 57, 58} <= users("mixing_or_packing_only")
    assert users("has_washing") == {27, 31, 93}
    assert users("organic_solvent_tpy") == {81, 111}


def test_rows_that_leave_a_unit_without_a_class_say_so():
    catalogue = load_catalogue()
    noted = {n for n in INDUSTRY_ROWS if catalogue.rows[n].note}
    assert noted == {1, 2, 61, 62, 63, 71, 75, 95, 96, 99, 100, 101, 102, 103, 104, 105, 106, 107}
    assert all(catalogue.rows[n].note.endswith(".") for n in noted)


# --- rows whose cells point only to the general processes ------------------------------------

GENERAL_ROWS = (3, 4, 5, 6, 7, 8, 15, 18, 23, 24, 26, 28, 30, 34, 40, 41, 44, 51, 55, 80, 83, 84, 87, 90, 91,
                92, 94, 97, 98)
STARRED_GENERAL_ROWS = (15, 18, 23, 24, 26, 28, 30, 34, 40, 41, 55, 80, 92, 94)


@pytest.mark.parametrize("row", GENERAL_ROWS)
def test_general_process_rows(row):
    code = first_class(row)
    assert load_catalogue().rows[row].rules["key"][0].text == "general key"

    key = classify([code], unit_facts(row, GENERAL_KEY))
    assert key.management_class == KEY
    assert key.scope == GENERAL_ONLY  # Art. 6: the permit covers the general processes only
    assert finding(key, row).management_class == KEY and finding(key, row).via_general
    assert key.deciding.row == 109

    simplified = classify([code], unit_facts(row, GENERAL_SIMPLIFIED))
    assert simplified.management_class == SIMPLIFIED
    assert finding(simplified, row).management_class == SIMPLIFIED
    assert simplified.scope == GENERAL_ONLY

    # A small boiler (row 109 registration) does not lift the row above its own 其他.
    small = classify([code], unit_facts(row, GENERAL_REGISTRATION))
    assert small.management_class == REGISTRATION
    assert small.deciding.row == row and small.scope == WHOLE

    rest = classify([code], unit_facts(row, {}))
    assert rest.management_class == REGISTRATION
    assert rest.deciding.row == row

    outside = classify([code], unit_facts(row, {"in_industrial_building": False}))
    if row in STARRED_GENERAL_ROWS:  # 其他﹡: 表注1 limits the residual to industrial buildings
        assert outside.management_class == NONE
        assert "note1_industrial_building" in outside.notes
    else:
        assert outside.management_class == REGISTRATION


def test_general_process_rows_undetermined_while_the_processes_are_unknown():
    facts = unit_facts(3, {})
    del facts["has_boiler"]
    result = classify(["0610"], facts)
    assert result.management_class == UNDETERMINED
    assert "has_boiler" in result.missing


def test_starred_residual_outside_an_industrial_building_keeps_the_general_process_class():
    facts = unit_facts(92, {**GENERAL_REGISTRATION, "in_industrial_building": False})
    result = classify(["4111"], facts)
    # Registration for the general processes only: Art. 6 names key and simplified management alone,
    # so whether the registration covers only them is an open reading for a reviewer.
    assert result.management_class == REVIEW and result.at_least == REGISTRATION
    (point,) = result.open
    assert point.reading == "art6_registration" and not point.chosen
    decided = classify(["4111"], facts, decisions={point.key: "a"})
    assert decided.management_class == REGISTRATION
    assert decided.deciding.row == 109 and decided.scope == GENERAL_ONLY


# --- rows decided by their own facts ----------------------------------------------------------

CASES = [
    # (row, code, facts given, expected class)
    # 1 牲畜饲养031，家禽饲养032
    (1, "0311", {"large_scale_livestock_farm": True, "has_wastewater_outlet": True}, KEY),
    (1, "0321", {"large_scale_livestock_farm": True, "has_wastewater_outlet": True}, KEY),
    (1, "0311", {"large_scale_livestock_farm": True}, REGISTRATION),
    (1, "0329", {"has_wastewater_outlet": True}, REGISTRATION),
    (1, "0311", {}, NONE),
    # 2 其他畜牧业039
    (2, "0391", {"has_wastewater_outlet": True}, REGISTRATION),
    (2, "0399", {}, NONE),
    # 9 谷物磨制131
    (9, "1311", {}, REGISTRATION),
    (9, "1319", {"in_industrial_building": False}, NONE),
    # 10 饲料加工132
    (10, "1321", {"has_fermentation": True}, SIMPLIFIED),
    (10, "1329", {}, REGISTRATION),
    (10, "1321", {"has_fermentation": True, "in_industrial_building": False}, NONE),
    # 11 植物油加工133
    (11, "1331", {}, SIMPLIFIED),
    (11, "1332", {"mixing_or_packing_only": True}, REGISTRATION),
    (11, "1331", {"in_industrial_building": False}, NONE),
    # 12 制糖业134
    (12, "1340", {"sugar_crop_capacity_tpd": 1000}, KEY),
    (12, "1340", {"sugar_crop_capacity_tpd": 1000, "in_industrial_building": False}, KEY),
    (12, "1340", {"sugar_crop_capacity_tpd": 999}, SIMPLIFIED),
    (12, "1340", {"sugar_crop_capacity_tpd": 999, "in_industrial_building": False}, NONE),
    # 13 屠宰及肉类加工135
    (13, "1351", {"pigs_slaughtered_per_year": 100000}, KEY),
    (13, "1351", {"pigs_slaughtered_per_year": 99999}, SIMPLIFIED),
    (13, "1351", {"pigs_slaughtered_per_year": 20000}, SIMPLIFIED),
    (13, "1351", {"pigs_slaughtered_per_year": 19999}, REGISTRATION),
    (13, "1351", {"cattle_slaughtered_per_year": 10000}, KEY),
    (13, "1351", {"cattle_slaughtered_per_year": 9999}, SIMPLIFIED),
    (13, "1351", {"cattle_slaughtered_per_year": 2000}, SIMPLIFIED),
    (13, "1351", {"cattle_slaughtered_per_year": 1999}, REGISTRATION),
    (13, "1351", {"sheep_slaughtered_per_year": 150000}, KEY),
    (13, "1351", {"sheep_slaughtered_per_year": 149999}, SIMPLIFIED),
    (13, "1351", {"sheep_slaughtered_per_year": 25000}, SIMPLIFIED),
    (13, "1351", {"sheep_slaughtered_per_year": 24999}, REGISTRATION),
    (13, "1352", {"poultry_slaughtered_per_year": 10_000_000}, KEY),
    (13, "1352", {"poultry_slaughtered_per_year": 9_999_999}, SIMPLIFIED),
    (13, "1352", {"poultry_slaughtered_per_year": 1_000_000}, SIMPLIFIED),
    (13, "1352", {"poultry_slaughtered_per_year": 999_999}, REGISTRATION),
    (13, "1353", {"meat_processed_tpy": 20000}, SIMPLIFIED),
    (13, "1353", {"meat_processed_tpy": 19999}, REGISTRATION),
    (13, "1353", {"meat_processed_tpy": 19999, "in_industrial_building": False}, NONE),
    # 14 水产品加工136
    (14, "1361", {"aquatic_products_processed_tpy": 100000}, SIMPLIFIED),
    (14, "1369", {"aquatic_products_processed_tpy": 100000}, SIMPLIFIED),
    (14, "1362", {"aquatic_products_processed_tpy": 99999}, REGISTRATION),
    (14, "1363", {"aquatic_products_processed_tpy": 99999, "in_industrial_building": False}, NONE),
    # 16 其他农副食品加工139 (starch)
    (16, "1391", {"starch_corn_capacity_tpy": 150000}, KEY),
    (16, "1391", {"starch_corn_capacity_tpy": 149999}, SIMPLIFIED),
    (16, "1391", {"starch_corn_capacity_tpy": 15000}, SIMPLIFIED),
    (16, "1391", {"starch_corn_capacity_tpy": 14999}, REGISTRATION),
    (16, "1391", {"starch_tuber_capacity_tpy": 15000}, KEY),
    (16, "1391", {"starch_tuber_capacity_tpy": 14999}, SIMPLIFIED),
    (16, "1391", {"starch_tuber_capacity_tpy": 1000}, SIMPLIFIED),
    (16, "1391", {"starch_tuber_capacity_tpy": 999}, REGISTRATION),
    (16, "1391", {"starch_legume_capacity_tpy": 1000}, SIMPLIFIED),
    (16, "1391", {"starch_legume_capacity_tpy": 999}, REGISTRATION),
    (16, "1391", {"starch_wheat_capacity_tpy": 45000}, SIMPLIFIED),
    (16, "1391", {"starch_wheat_capacity_tpy": 44999}, REGISTRATION),
    (16, "1391", {"starch_products_tpy": 10000}, KEY),
    (16, "1391", {"starch_products_tpy": 9999}, SIMPLIFIED),
    (16, "1391", {"starch_products_tpy": 1000}, SIMPLIFIED),
    (16, "1391", {"starch_products_tpy": 999}, REGISTRATION),
    (16, "1391", {"starch_products_tpy": 1, "has_fermentation": True}, KEY),
    (16, "1392", {"has_fermentation": True}, REGISTRATION),
    (16, "1393", {"in_industrial_building": False}, NONE),
    # 17 方便食品制造143，其他食品制造149
    (17, "1431", {}, SIMPLIFIED),
    (17, "1439", {}, SIMPLIFIED),
    (17, "1495", {}, SIMPLIFIED),
    (17, "1432", {"handmade": True}, REGISTRATION),
    (17, "1433", {"mixing_or_packing_only": True}, REGISTRATION),
    (17, "1491", {}, REGISTRATION),
    (17, "1431", {"in_industrial_building": False}, NONE),
    # 19 乳制品制造144
    (19, "1441", {"dairy_processed_tpy": 200000}, KEY),
    (19, "1441", {"dairy_processed_tpy": 200000, "in_industrial_building": False}, KEY),
    (19, "1442", {"dairy_processed_tpy": 199999}, SIMPLIFIED),
    (19, "1449", {"dairy_processed_tpy": 300000, "mixing_or_packing_only": True}, REGISTRATION),
    (19, "1442", {"dairy_processed_tpy": 199999, "in_industrial_building": False}, NONE),
    # 20 调味品、发酵制品制造146
    (20, "1461", {"has_fermentation": True, "seasoning_products": ["msg"]}, KEY),
    (20, "1469", {"has_fermentation": True, "seasoning_products": ["yeast"]}, KEY),
    (20, "1469", {"has_fermentation": True, "seasoning_products": ["citric_acid", "other"]}, KEY),
    (20, "1461", {"seasoning_products": ["msg"]}, SIMPLIFIED),
    (20, "1462", {"has_fermentation": True, "seasoning_products": ["soy_sauce"], "soy_sauce_vinegar_tpy": 20000}, KEY),
    (20, "1462", {"has_fermentation": True, "seasoning_products": ["vinegar"], "soy_sauce_vinegar_tpy": 19999},
     SIMPLIFIED),
    (20, "1462", {"seasoning_products": ["soy_sauce"], "soy_sauce_vinegar_tpy": 50000}, SIMPLIFIED),
    (20, "1469", {"seasoning_products": ["other"], "mixing_or_packing_only": True}, REGISTRATION),
    (20, "1469", {"seasoning_products": ["other"], "in_industrial_building": False}, NONE),
    # 21 酒的制造151
    (21, "1511", {}, KEY),
    (21, "1512", {"has_fermentation": True, "liquor_capacity_klpy": 5000}, KEY),
    (21, "1513", {"has_fermentation": True, "liquor_capacity_klpy": 4999}, SIMPLIFIED),
    (21, "1515", {"liquor_capacity_klpy": 9000}, REGISTRATION),
    (21, "1519", {"has_fermentation": True, "liquor_capacity_klpy": 4999, "in_industrial_building": False}, NONE),
    # 22 饮料制造152
    (22, "1521", {"has_fermentation": True}, SIMPLIFIED),
    (22, "1523", {"raw_juice_production": True}, SIMPLIFIED),
    (22, "1524", {}, REGISTRATION),
    (22, "1523", {"raw_juice_production": True, "in_industrial_building": False}, NONE),
    # 25 纺织业171–175
    (25, "1713", {"textile_processes": ["dyeing"]}, KEY),
    (25, "1711", {"textile_processes": ["water_jet_weaving"]}, KEY),
    (25, "1721", {"textile_processes": ["wool_scouring"]}, KEY),
    (25, "1731", {"textile_processes": ["ramie_degumming"]}, KEY),
    (25, "1741", {"textile_processes": ["silk_reeling"]}, KEY),
    (25, "1752", {"textile_processes": ["pretreatment", "printing"]}, KEY),
    (25, "1713", {"textile_finishing_only": True}, SIMPLIFIED),
    (25, "1711", {}, REGISTRATION),
    (25, "1711", {"in_industrial_building": False}, NONE),
    # 27 机织服装制造181，服饰制造183
    (27, "1811", {"has_washing": True}, KEY),
    (27, "1819", {"has_wet_printing": True}, KEY),
    (27, "1830", {"has_dyeing": True}, KEY),
    (27, "1811", {}, REGISTRATION),
    (27, "1830", {"in_industrial_building": False}, NONE),
    # 29 皮革鞣制加工191，毛皮鞣制及制品加工193
    (29, "1910", {"has_tanning": True}, KEY),
    (29, "1931", {"has_tanning": True}, KEY),
    (29, "1910", {}, SIMPLIFIED),
    (29, "1931", {}, REGISTRATION),
    (29, "1939", {"in_industrial_building": False}, REGISTRATION),
    # 31 羽毛(绒)加工及制品制造194
    (31, "1941", {"has_washing": True}, KEY),
    (31, "1941", {}, REGISTRATION),
    (31, "1942", {}, REGISTRATION),
    (31, "1942", {"in_industrial_building": False}, NONE),
    # 32 制鞋业195
    (32, "1951", {"on_key_list": True}, KEY),
    (32, "1952", {"solvent_adhesive_tpy": 10}, SIMPLIFIED),
    (32, "1952", {"solvent_adhesive_tpy": 9.9}, REGISTRATION),
    (32, "1959", {"solvent_treatment_agent_tpy": 3}, SIMPLIFIED),
    (32, "1959", {"solvent_treatment_agent_tpy": 2.9}, REGISTRATION),
    (32, "1959", {"in_industrial_building": False}, NONE),
    # 33 人造板制造202
    (33, "2021", {"on_key_list": True}, KEY),
    (33, "2021", {"wood_panel_output_m3py": 100000}, SIMPLIFIED),
    (33, "2021", {"wood_panel_output_m3py": 99999}, REGISTRATION),
    (33, "2022", {}, SIMPLIFIED),
    (33, "2023", {}, SIMPLIFIED),
    (33, "2029", {"wood_panel_output_m3py": 100000}, SIMPLIFIED),
    (33, "2029", {"wood_panel_output_m3py": 99999}, REGISTRATION),
    (33, "2029", {"in_industrial_building": False}, NONE),
    # 35 家具制造业21
    (35, "2110", {"on_key_list": True}, KEY),
    (35, "2110", {"solvent_coating_adhesive_tpy": 10}, SIMPLIFIED),
    (35, "2130", {"solvent_coating_adhesive_tpy": 9.9}, REGISTRATION),
    (35, "2140", {"waterborne_coating_adhesive_tpy": 20}, SIMPLIFIED),
    (35, "2140", {"waterborne_coating_adhesive_tpy": 19.9}, REGISTRATION),
    (35, "2190", {"has_phosphating": True}, SIMPLIFIED),
    (35, "2190", {"in_industrial_building": False}, NONE),
    # 36 纸浆制造221
    (36, "2211", {}, KEY),
    (36, "2212", {"in_industrial_building": False}, KEY),
    # 37 造纸222
    (37, "2221", {}, KEY),
    (37, "2222", {}, KEY),
    (37, "2223", {"industrial_wastewater": True, "industrial_waste_gas": True}, SIMPLIFIED),
    (37, "2223", {"industrial_wastewater": True}, REGISTRATION),
    (37, "2223", {"industrial_waste_gas": True, "in_industrial_building": False}, NONE),
    # 38 纸制品制造223
    (38, "2231", {"industrial_wastewater": True}, SIMPLIFIED),
    (38, "2239", {"industrial_waste_gas": True}, SIMPLIFIED),
    (38, "2239", {}, REGISTRATION),
    (38, "2231", {"in_industrial_building": False}, NONE),
    # 39 印刷231
    (39, "2311", {"on_key_list": True}, KEY),
    (39, "2319", {"packaging_printing": True, "solvent_ink_coating_tpy": 80}, SIMPLIFIED),
    (39, "2319", {"packaging_printing": True, "solvent_ink_coating_tpy": 79.9}, REGISTRATION),
    (39, "2319", {"packaging_printing": True, "solvent_thinner_tpy": 10}, SIMPLIFIED),
    (39, "2319", {"packaging_printing": True, "solvent_thinner_tpy": 9.9}, REGISTRATION),
    (39, "2311", {"solvent_ink_coating_tpy": 500, "solvent_thinner_tpy": 50}, REGISTRATION),
    (39, "2312", {"in_industrial_building": False}, NONE),
    # 42 精炼石油产品制造251
    (42, "2511", {}, KEY),
    (42, "2519", {}, KEY),
    (42, "2511", {"mixing_or_packing_only": True}, REGISTRATION),
    # 43 煤炭加工252
    (43, "2521", {}, KEY),
    (43, "2522", {}, KEY),
    (43, "2523", {}, KEY),
    (43, "2524", {}, REGISTRATION),
    (43, "2529", {}, REGISTRATION),
    # 45 基础化学原料制造261
    (45, "2611", {}, KEY),
    (45, "2614", {}, KEY),
    (45, "2612", {"mixing_or_packing_only": True}, SIMPLIFIED),
    (45, "2619", {"listed_basic_chemicals": True}, KEY),
    (45, "2619", {"listed_basic_chemicals": True, "mixing_or_packing_only": True}, SIMPLIFIED),
    (45, "2619", {}, REGISTRATION),
    (45, "2619", {"mixing_or_packing_only": True}, REGISTRATION),
    # 46 肥料制造262
    (46, "2621", {}, KEY),
    (46, "2622", {}, KEY),
    (46, "2624", {}, KEY),
    (46, "2621", {"mixing_or_packing_only": True}, SIMPLIFIED),
    (46, "2622", {"mixing_or_packing_only": True}, REGISTRATION),
    (46, "2623", {}, SIMPLIFIED),
    (46, "2625", {}, SIMPLIFIED),
    (46, "2629", {}, SIMPLIFIED),
    (46, "2623", {"mixing_or_packing_only": True}, REGISTRATION),
    # 47 农药制造263
    (47, "2631", {}, KEY),
    (47, "2631", {"mixing_or_packing_only": True}, SIMPLIFIED),
    (47, "2632", {"has_fermentation": True}, KEY),
    (47, "2632", {}, SIMPLIFIED),
    # 48 涂料、油墨、颜料及类似产品制造264
    (48, "2641", {}, KEY),
    (48, "2645", {}, KEY),
    (48, "2642", {"mixing_or_packing_only": True}, SIMPLIFIED),
    (48, "2643", {"mixing_or_packing_only": True}, REGISTRATION),
    (48, "2646", {}, SIMPLIFIED),
    (48, "2646", {"mixing_or_packing_only": True}, REGISTRATION),
    # 49 合成材料制造265
    (49, "2651", {}, KEY),
    (49, "2652", {}, KEY),
    (49, "2653", {}, KEY),
    (49, "2659", {"special_fibre_composites": True}, KEY),
    (49, "2659", {}, REGISTRATION),
    # 50 专用化学产品制造266
    (50, "2661", {}, KEY),
    (50, "2662", {}, KEY),
    (50, "2663", {"pyrolysis_or_hydrolysis": True}, KEY),
    (50, "2663", {}, SIMPLIFIED),
    (50, "2667", {}, SIMPLIFIED),
    (50, "2669", {}, SIMPLIFIED),
    (50, "2661", {"mixing_or_packing_only": True}, REGISTRATION),
    (50, "2666", {"mixing_or_packing_only": True}, REGISTRATION),
    # 52 日用化学产品制造268
    (52, "2681", {"soap_from_oils_fats": True}, KEY),
    (52, "2681", {"soap_from_oils_fats": True, "mixing_or_packing_only": True}, REGISTRATION),
    (52, "2681", {"spray_tower_detergent": True}, SIMPLIFIED),
    (52, "2681", {}, REGISTRATION),
    (52, "2684", {"makes_aroma_chemicals": True}, KEY),
    (52, "2684", {"heat_reaction_flavours": True}, SIMPLIFIED),
    (52, "2684", {}, REGISTRATION),
    (52, "2682", {}, REGISTRATION),
    (52, "2683", {}, REGISTRATION),
    (52, "2689", {}, REGISTRATION),
    # 53 化学药品原料药制造271
    (53, "2710", {}, KEY),
    # 54 化学药品制剂制造272
    (54, "2720", {}, KEY),
    (54, "2720", {"mixing_or_packing_only": True}, REGISTRATION),
    # 56 中成药生产274
    (56, "2740", {"has_extraction": True}, SIMPLIFIED),
    (56, "2740", {}, REGISTRATION),
    (56, "2740", {"in_industrial_building": False}, NONE),
    # 57 兽用药品制造275
    (57, "2750", {}, KEY),
    (57, "2750", {"mixing_or_packing_only": True}, REGISTRATION),
    # 58 生物药品制品制造276
    (58, "2761", {}, KEY),
    (58, "2762", {}, KEY),
    (58, "2762", {"mixing_or_packing_only": True}, REGISTRATION),
    # 59 卫生材料及医药用品制造277
    (59, "2770", {}, REGISTRATION),
    # 60 化学纤维制造业28
    (60, "2811", {}, KEY),
    (60, "2812", {}, KEY),
    (60, "2826", {}, KEY),
    (60, "2829", {}, KEY),
    (60, "2831", {"lyocell": True}, KEY),
    (60, "2831", {}, REGISTRATION),
    (60, "2825", {}, REGISTRATION),
    (60, "2832", {}, REGISTRATION),
    # 61 橡胶制品业291
    (61, "2913", {"on_key_list": True}, KEY),
    (61, "2911", {}, SIMPLIFIED),
    (61, "2912", {"rubber_consumption_tpy": 2000}, SIMPLIFIED),
    (61, "2912", {"rubber_consumption_tpy": 1999}, REGISTRATION),
    (61, "2913", {"rubber_consumption_tpy": 2000}, SIMPLIFIED),
    (61, "2919", {"rubber_consumption_tpy": 2000}, SIMPLIFIED),
    (61, "2913", {"rubber_consumption_tpy": 1999}, REVIEW),  # the row's open reading (see its note)
    # 62 塑料制品业292
    (62, "2925", {}, KEY),
    (62, "2924", {"plastics_output_tpy": 10000}, SIMPLIFIED),
    (62, "2924", {"plastics_output_tpy": 9999}, REGISTRATION),
    (62, "2921", {"plastics_output_tpy": 10000, "plastics_modification": True}, SIMPLIFIED),
    (62, "2921", {"plastics_output_tpy": 10000}, REGISTRATION),
    (62, "2921", {"plastics_output_tpy": 9999, "plastics_modification": True}, REGISTRATION),
    (62, "2929", {"plastics_output_tpy": 10000, "plastics_modification": True}, SIMPLIFIED),
    (62, "2922", {"plastics_output_tpy": 9999}, REVIEW),  # the row's open reading (see its note)
    (62, "2922", {"plastics_output_tpy": 10000}, REVIEW),  # no modification: open as well
    # 63 水泥、石灰和石膏制造301，石膏、水泥制品及类似制品制造302
    (63, "3011", {"cement_clinker": True}, KEY),
    (63, "3011", {"cement_grinding_station": True}, SIMPLIFIED),
    (63, "3011", {}, NONE),  # see the row's note
    (63, "3012", {}, SIMPLIFIED),
    (63, "3021", {}, REGISTRATION),
    (63, "3029", {}, REGISTRATION),
    # 64 砖瓦、石材等建筑材料制造303
    (64, "3031", {"fired_bricks": True, "kiln_fuel": ["coal"]}, KEY),
    (64, "3031", {"fired_bricks": True, "kiln_fuel": ["coal_gangue"]}, KEY),
    (64, "3031", {"fired_bricks": True, "kiln_fuel": ["natural_gas"]}, SIMPLIFIED),
    (64, "3031", {"kiln_fuel": ["coal"]}, SIMPLIFIED),
    (64, "3031", {"cutting_only": True}, REGISTRATION),
    (64, "3032", {}, SIMPLIFIED),
    (64, "3032", {"cutting_only": True}, REGISTRATION),
    (64, "3039", {}, SIMPLIFIED),
    # 65 玻璃制造304
    (65, "3041", {}, KEY),
    (65, "3042", {}, SIMPLIFIED),
    (65, "3049", {}, REGISTRATION),
    # 66 玻璃制品制造305
    (66, "3051", {"kiln_fuel": ["coal"]}, KEY),
    (66, "3052", {"kiln_fuel": ["producer_gas"]}, KEY),
    (66, "3053", {"kiln_fuel": ["natural_gas", "oil"]}, KEY),
    (66, "3054", {"kiln_fuel": ["natural_gas"]}, SIMPLIFIED),
    (66, "3055", {"kiln_fuel": ["electricity"]}, REGISTRATION),
    (66, "3059", {}, REGISTRATION),
    # 67 玻璃纤维和玻璃纤维增强塑料制品制造306
    (67, "3061", {"kiln_fuel": ["petroleum_coke"]}, KEY),
    (67, "3062", {"kiln_fuel": ["natural_gas"]}, SIMPLIFIED),
    (67, "3062", {"kiln_fuel": ["other"]}, REGISTRATION),
    # 68 陶瓷制品制造307
    (68, "3071", {"kiln_fuel": ["oil"]}, KEY),
    (68, "3071", {"kiln_fuel": ["natural_gas"]}, SIMPLIFIED),
    (68, "3071", {"kiln_fuel": ["electricity"]}, REGISTRATION),
    (68, "3072", {"ceramic_pieces_per_year": 1_500_000}, KEY),
    (68, "3072", {"ceramic_pieces_per_year": 1_499_999}, REGISTRATION),
    (68, "3074", {"ceramic_pieces_per_year": 2_500_000}, KEY),
    (68, "3074", {"ceramic_pieces_per_year": 2_499_999}, REGISTRATION),
    (68, "3073", {"ceramic_pieces_per_year": 9_000_000, "kiln_fuel": ["coal"]}, REGISTRATION),
    (68, "3079", {}, REGISTRATION),
    # 69 耐火材料制品制造308
    (69, "3081", {}, KEY),
    (69, "3082", {"kiln_fuel": ["coal"]}, SIMPLIFIED),
    (69, "3089", {"kiln_fuel": ["oil"]}, SIMPLIFIED),
    (69, "3082", {"kiln_fuel": ["natural_gas"]}, REGISTRATION),
    # 70 石墨及其他非金属矿物制品制造309
    (70, "3091", {"graphite_carbon_products": True}, KEY),
    (70, "3091", {}, SIMPLIFIED),
    (70, "3099", {"other_mineral_products": ["polysilicon_rods"]}, KEY),
    (70, "3099", {"other_mineral_products": ["monocrystalline_silicon_rods"]}, SIMPLIFIED),
    (70, "3099", {"other_mineral_products": ["asphalt_mixtures"]}, SIMPLIFIED),
    (70, "3099", {"other_mineral_products": ["other"]}, REGISTRATION),
    # 71 炼铁311
    (71, "3110", {"ironmaking_processes": True}, KEY),
    (71, "3110", {}, NONE),  # see the row's note
    # 72 炼钢312
    (72, "3120", {}, KEY),
    # 73 钢压延加工313
    (73, "3130", {"cold_rolling": True, "cold_rolled_output_tpy": 500000}, KEY),
    (73, "3130", {"cold_rolling": True, "cold_rolled_output_tpy": 499999}, SIMPLIFIED),
    (73, "3130", {"hot_rolling": True}, SIMPLIFIED),
    (73, "3130", {}, REGISTRATION),
    # 74 铁合金冶炼314
    (74, "3140", {}, KEY),
    # 75 常用有色金属冶炼321
    (75, "3211", {"listed_common_nonferrous_smelting": True}, KEY),
    (75, "3218", {}, REVIEW),  # silicon is not named: does 等 cover it? (the row's open reading)
    (75, "3218", {"listed_common_nonferrous_smelting": True}, KEY),
    (75, "3212", {}, REGISTRATION),
    # 76 贵金属冶炼322; 77 稀有稀土金属冶炼323
    (76, "3221", {}, KEY),
    (76, "3229", {}, KEY),
    (77, "3231", {}, KEY),
    (77, "3239", {}, KEY),
    # 78 有色金属合金制造324
    (78, "3240", {"lead_based_alloy": True}, KEY),
    (78, "3240", {"nonferrous_alloy_output_tpy": 20000}, KEY),
    (78, "3240", {"nonferrous_alloy_output_tpy": 19999}, SIMPLIFIED),
    # 79 有色金属压延加工325
    (79, "3251", {"has_rolling": True}, SIMPLIFIED),
    (79, "3259", {"has_annealing": True}, SIMPLIFIED),
    (79, "3252", {}, REGISTRATION),
    # 81 金属表面处理及热处理加工336
    (81, "3360", {"on_key_list": True}, KEY),
    (81, "3360", {"electroplating_enterprise": True}, KEY),
    (81, "3360", {"electroplating_wastewater_plant": True}, KEY),
    (81, "3360", {"has_electroplating": True}, KEY),
    (81, "3360", {"has_chromium_passivation": True}, KEY),
    (81, "3360", {"surface_treatment_listed": True}, SIMPLIFIED),
    (81, "3360", {"organic_solvent_tpy": 10}, SIMPLIFIED),
    (81, "3360", {"organic_solvent_tpy": 9.9}, REGISTRATION),
    (81, "3360", {"in_industrial_building": False}, REGISTRATION),
    # 82 铸造及其他金属制品制造339 (3391, 3392)
    (82, "3391", {"uses_cupola": True}, KEY),
    (82, "3391", {}, SIMPLIFIED),
    (82, "3392", {"lead_castings": True}, KEY),
    (82, "3392", {}, SIMPLIFIED),
    # 85 汽车制造业36
    (85, "3670", {"on_key_list": True}, KEY),
    (85, "3611", {}, SIMPLIFIED),
    (85, "3612", {}, SIMPLIFIED),
    (85, "3620", {"solvent_coating_adhesive_cleaning_tpy": 10}, SIMPLIFIED),
    (85, "3670", {"solvent_coating_adhesive_cleaning_tpy": 10}, SIMPLIFIED),
    (85, "3670", {"solvent_coating_adhesive_cleaning_tpy": 9.9}, REGISTRATION),
    # 86 铁路、船舶、航空航天和其他运输设备制造37
    (86, "3711", {"on_key_list": True}, KEY),
    (86, "3731", {"solvent_coating_adhesive_cleaning_tpy": 10}, SIMPLIFIED),
    (86, "3751", {"solvent_coating_adhesive_cleaning_tpy": 9.9}, REGISTRATION),
    # 88 电池制造384
    (88, "3843", {}, KEY),
    (88, "3841", {}, SIMPLIFIED),
    (88, "3842", {}, SIMPLIFIED),
    (88, "3844", {}, SIMPLIFIED),
    (88, "3849", {}, SIMPLIFIED),
    # 89 计算机制造391 …
    (89, "3911", {"on_key_list": True}, KEY),
    (89, "3971", {"solvent_coating_tpy": 10}, SIMPLIFIED),
    (89, "3981", {"solvent_coating_tpy": 9.9}, REGISTRATION),
    # 93 废弃资源综合利用业42
    (93, "4210", {"waste_processed": ["batteries"]}, KEY),
    (93, "4220", {"waste_processed": ["oil"]}, KEY),
    (93, "4220", {"waste_processed": ["tyres", "plastics"]}, KEY),
    (93, "4210", {"waste_processed": ["weee"]}, SIMPLIFIED),
    (93, "4210", {"waste_processed": ["vehicles"]}, SIMPLIFIED),
    (93, "4220", {"waste_processed": ["plastics"]}, SIMPLIFIED),
    (93, "4210", {"waste_processed": ["ships"]}, SIMPLIFIED),
    (93, "4220", {"waste_processed": ["other"], "has_washing": True}, SIMPLIFIED),
    (93, "4220", {"waste_processed": ["other"]}, REGISTRATION),
    (93, "4210", {}, REGISTRATION),
    # 95 电力生产441
    (95, "4411", {}, KEY),
    (95, "4412", {}, KEY),
    (95, "4417", {"biomass_fuel": ["household_waste"]}, KEY),
    (95, "4417", {"biomass_fuel": ["sludge", "biogas"]}, KEY),
    (95, "4417", {"biomass_fuel": ["agri_forestry"]}, SIMPLIFIED),
    (95, "4417", {"biomass_fuel": ["landfill_gas"]}, SIMPLIFIED),
    (95, "4415", {}, NONE),  # see the row's note
    # 99 污水处理及其再生利用462
    (99, "4620", {"industrial_wastewater_plant": True}, KEY),
    (99, "4620", {"urban_rural_sewage_plant": True, "water_treatment_tpd": 20000}, KEY),
    (99, "4620", {"urban_rural_sewage_plant": True, "water_treatment_tpd": 19999}, SIMPLIFIED),
    (99, "4620", {"urban_rural_sewage_plant": True, "water_treatment_tpd": 500}, SIMPLIFIED),
    (99, "4620", {"urban_rural_sewage_plant": True, "water_treatment_tpd": 499}, REGISTRATION),
    (99, "4620", {"water_treatment_tpd": 50000}, NONE),  # see the row's note
    # 100 汽车、摩托车、零配件和燃料及其他动力销售526
    (100, "5265", {"filling_station": True, "in_urban_built_up_area": True}, SIMPLIFIED),
    (100, "5265", {"filling_station": True}, REGISTRATION),
    (100, "5261", {"in_urban_built_up_area": True}, NONE),  # see the row's note
    # 101 水上运输辅助活动553
    (101, "5532", {"bulk_terminal": True, "terminal_waters": ["inland"], "largest_berth_dwt": 1000}, SIMPLIFIED),
    (101, "5532", {"bulk_terminal": True, "terminal_waters": ["inland"], "largest_berth_dwt": 999}, REGISTRATION),
    (101, "5532", {"bulk_terminal": True, "terminal_waters": ["coastal"], "largest_berth_dwt": 10000}, SIMPLIFIED),
    (101, "5532", {"bulk_terminal": True, "terminal_waters": ["coastal"], "largest_berth_dwt": 9999},
     REGISTRATION),
    (101, "5532", {"terminal_waters": ["coastal"], "largest_berth_dwt": 200000}, REGISTRATION),
    (101, "5539", {"bulk_terminal": True, "terminal_waters": ["coastal"], "largest_berth_dwt": 10000}, SIMPLIFIED),
    (101, "5531", {}, NONE),  # see the row's note
    # 102 危险品仓储594
    (102, "5941", {"oil_depot": True, "oil_depot_capacity_m3": 100000}, KEY),
    (102, "5941", {"oil_depot": True, "oil_depot_capacity_m3": 99999}, SIMPLIFIED),
    (102, "5941", {"oil_depot": True, "oil_depot_capacity_m3": 10000}, SIMPLIFIED),
    (102, "5941", {"oil_depot": True, "oil_depot_capacity_m3": 9999}, REGISTRATION),
    (102, "5942", {}, REGISTRATION),
    (102, "5941", {"oil_depot": True, "reserve_oil_depot": True, "oil_depot_capacity_m3": 200000}, NONE),
    # 103 环境治理业772
    (103, "7724", {"hazardous_waste_business": True}, KEY),
    (103, "7723", {"industrial_solid_waste_business": True}, KEY),
    (103, "7721", {}, NONE),  # see the row's note
    # 104 环境卫生管理782
    (104, "7820", {"municipal_waste_treatment": ["incineration"]}, KEY),
    (104, "7820", {"municipal_waste_treatment": ["landfill"]}, KEY),
    (104, "7820", {"municipal_waste_treatment": ["other"]}, SIMPLIFIED),
    (104, "7820", {"night_soil_plant": True, "night_soil_capacity_tpd": 50}, SIMPLIFIED),
    (104, "7820", {"night_soil_plant": True, "night_soil_capacity_tpd": 49}, REGISTRATION),
    (104, "7820", {"waste_transfer_station": True, "transfer_capacity_tpd": 150}, SIMPLIFIED),
    (104, "7820", {"waste_transfer_station": True, "transfer_capacity_tpd": 149}, REGISTRATION),
    (104, "7820", {}, NONE),  # see the row's note
    # 105 殡葬服务808
    (105, "8080", {"crematorium": True}, SIMPLIFIED),
    (105, "8080", {}, NONE),
    # 106 汽车、摩托车等修理与维护811
    (106, "8111", {"has_painting": True, "business_area_m2": 5000}, SIMPLIFIED),
    (106, "8112", {"has_painting": True, "business_area_m2": 4999}, NONE),
    (106, "8113", {"business_area_m2": 9000}, NONE),
    # 107 医院841，专业公共卫生服务843
    (107, "8411", {"beds": 500}, KEY),
    (107, "8412", {"beds": 499}, SIMPLIFIED),
    (107, "8413", {"beds": 100}, SIMPLIFIED),
    (107, "8414", {"beds": 99}, REGISTRATION),
    (107, "8415", {"beds": 500}, KEY),
    (107, "8415", {"beds": 499}, SIMPLIFIED),
    (107, "8415", {"beds": 99}, REGISTRATION),
    (107, "8415", {"psych_rehab_hospital": True, "beds": 800}, SIMPLIFIED),
    (107, "8415", {"psych_rehab_hospital": True, "beds": 100}, SIMPLIFIED),
    (107, "8415", {"psych_rehab_hospital": True, "beds": 99}, REGISTRATION),
    (107, "8416", {"beds": 800}, SIMPLIFIED),
    (107, "8416", {"beds": 100}, SIMPLIFIED),
    (107, "8416", {"beds": 99}, REGISTRATION),
    (107, "8431", {}, REGISTRATION),
    (107, "8431", {"beds": 500}, KEY),
    (107, "8433", {"beds": 500}, KEY),
    (107, "8433", {"beds": 499}, NONE),  # see the row's note
]


def _case_id(case) -> str:
    row, code, given, expected = case
    shown = ",".join(f"{k}={v}" for k, v in given.items())
    return f"row{row}-{code}-{expected}-{shown}"


@pytest.mark.parametrize("row, code, given, expected", CASES, ids=[_case_id(c) for c in CASES])
def test_row(row, code, given, expected):
    assert code in gbt_classes()
    assert row in load_catalogue().rows_for(code)
    result = classify([code], unit_facts(row, given))
    assert result.management_class == expected, (result.findings, result.missing)
    if expected == REVIEW:
        assert [p.reading for p in result.open] == [load_catalogue().rows[row].open]
        assert finding(result, row).open and finding(result, row).management_class is None
    elif expected == NONE:
        assert finding(result, row).management_class is None
        assert not finding(result, row).undetermined
    else:
        assert result.deciding.row == row
        assert result.scope == WHOLE


def test_every_industry_row_has_a_case():
    covered = {case[0] for case in CASES} | set(GENERAL_ROWS) | {96}
    assert covered == set(INDUSTRY_ROWS)


# --- overlaps ---------------------------------------------------------------------------------


def test_3391_with_a_cupola_is_key_by_row_82_not_row_80():
    result = classify(["3391"], unit_facts(82, {"uses_cupola": True}))
    assert result.management_class == KEY
    assert result.deciding.row == 82
    assert {f.row for f in result.findings} == {82}


def test_3393_is_read_by_row_80_and_passed_over_by_row_82():
    facts = unit_facts(80, {})
    facts.update(unit_facts(82, {}))
    result = classify(["3393"], facts)
    assert result.management_class == REGISTRATION
    assert result.deciding.row == 80
    assert finding(result, 82).management_class is None and not finding(result, 82).undetermined

    general = classify(["3393"], {**facts, **GENERAL_KEY})
    assert general.management_class == KEY
    assert finding(general, 80).management_class == KEY
    assert general.scope == GENERAL_ONLY

    outside = classify(["3399"], {**facts, "in_industrial_building": False})
    assert outside.management_class == NONE


# --- row 96: boilers of a heat supplier -------------------------------------------------------


def boilers(max_tph, total_tph, all_gas):
    return unit_facts(96, {"has_boiler": True, "boiler_max_tph": max_tph, "boiler_total_tph": total_tph,
                           "boilers_all_gas": all_gas})


@pytest.mark.parametrize(
    "facts, expected",
    [
        (boilers(20, 20, False), KEY),  # 单台 20 t/h
        (boilers(10, 20, True), KEY),  # 合计 20 t/h
        (boilers(19.9, 19.9, False), SIMPLIFIED),
        (boilers(5, 19.9, True), SIMPLIFIED),
        (boilers(1, 1, True), REGISTRATION),  # 单台且合计 1 t/h（0.7 MW）及以下的天然气锅炉
        (boilers(0.5, 0.9, True), REGISTRATION),
        (boilers(1, 1.1, True), SIMPLIFIED),  # gas, but the total is above 1 t/h
        (boilers(1.1, 1.1, True), SIMPLIFIED),
        (boilers(0.5, 0.5, False), SIMPLIFIED),  # small, but not all natural gas
    ],
)
def test_row_96_boilers(facts, expected):
    result = classify(["4430"], facts)
    assert result.management_class == expected
    assert result.deciding.row == 96
    assert result.scope == WHOLE
    assert finding(result, 109).management_class in (SIMPLIFIED, REGISTRATION)  # row 109 is read too


def test_row_96_electric_boilers_only_get_no_class():
    result = classify(["4430"], unit_facts(96, {"has_boiler": False}))  # has_boiler leaves electric boilers out
    assert result.management_class == NONE
    assert finding(result, 96).management_class is None
    assert load_catalogue().rows[96].note


def test_row_96_boiler_output_unknown_is_undetermined():
    facts = unit_facts(96, {"has_boiler": True, "boilers_all_gas": True})
    del facts["boiler_max_tph"], facts["boiler_total_tph"]
    result = classify(["4430"], facts)
    assert result.management_class == UNDETERMINED
    assert {"boiler_max_tph", "boiler_total_tph"} <= set(result.missing)


# --- facts not given: undetermined, never guessed ---------------------------------------------


@pytest.mark.parametrize(
    "row, code, given, dropped",
    [
        (13, "1351", {}, "pigs_slaughtered_per_year"),
        (9, "1311", {}, "in_industrial_building"),
        (1, "0311", {"has_wastewater_outlet": True}, "large_scale_livestock_farm"),
        (12, "1340", {}, "sugar_crop_capacity_tpd"),
        (19, "1441", {"dairy_processed_tpy": 1}, "mixing_or_packing_only"),
        (37, "2223", {"industrial_wastewater": True}, "industrial_waste_gas"),
        (61, "2912", {}, "rubber_consumption_tpy"),
        (64, "3031", {"fired_bricks": True}, "kiln_fuel"),
        (66, "3051", {}, "kiln_fuel"),
        (99, "4620", {"urban_rural_sewage_plant": True}, "water_treatment_tpd"),
        (107, "8411", {}, "beds"),
        (32, "1951", {}, "on_key_list"),
    ],
)
def test_a_missing_fact_leaves_the_class_undetermined(row, code, given, dropped):
    facts = unit_facts(row, given)
    facts.pop(dropped, None)
    result = classify([code], facts)
    assert result.management_class == UNDETERMINED
    # a line's own fact is asked of its line (``code:key``), the whole unit's as it is
    assert (f"{code}:{dropped}" if load_catalogue().is_line_fact(dropped) else dropped) in result.missing


def test_a_missing_fact_that_cannot_matter_is_not_asked():
    # 2221 is key by its code alone; 2211 pulp likewise.
    assert classify(["2221"], {**NO_GENERAL}).management_class == KEY
    assert classify(["2211"], {**NO_GENERAL}).management_class == KEY
    # Once a stricter cell holds, the facts of the later cells are not needed.
    facts = unit_facts(13, {"pigs_slaughtered_per_year": 100000})
    del facts["meat_processed_tpy"], facts["in_industrial_building"]
    assert classify(["1351"], facts).management_class == KEY


# --- engine behaviour found while writing these tests ------------------------------------------


def test_engine_an_unknown_alternative_of_the_cell_that_holds_does_not_matter():
    # Row 13, key cell: 肉牛 10 000 head holds whatever the pig count is (three-valued OR).
    facts = unit_facts(13, {"cattle_slaughtered_per_year": 10000})
    del facts["pigs_slaughtered_per_year"]
    assert classify(["1351"], facts).management_class == KEY


def test_engine_negated_comparison_is_negated_or_refused():
    facts = load_catalogue().facts
    ctx = Context("", {"organic_solvent_tpy": 20, "kiln_fuel": ["coal"]}, None, ())
    for text in ("!organic_solvent_tpy >= 10", "!kiln_fuel in coal"):
        try:
            term = compile_term(text, facts)
        except ValueError:
            continue
        assert term(ctx)[0] is False, text


def test_a_choice_given_as_one_string_is_read_as_that_choice():
    ctx = Context("", {"kiln_fuel": "coal"}, None, ())
    assert compile_term("kiln_fuel in coal", load_catalogue().facts)(ctx)[0] is True
    assert compile_term("kiln_fuel in oil", load_catalogue().facts)(ctx)[0] is False


def test_general_process_rows_are_not_industry_rows():
    catalogue = load_catalogue()
    for number in GENERAL_PROCESS_ROWS:
        assert catalogue.rows[number].applies is not None
    for number in INDUSTRY_ROWS:
        assert catalogue.rows[number].applies is None
