"""Facts per industry line (issue 17 §3): a unit with several industries declares each line's own
facts separately; the whole unit's facts (key list, general processes, Art. 7) once."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import services
from zhengtong.permits.catalogue import load_catalogue
from zhengtong.permits.classification import classify
from zhengtong.permits.models import Classification, UnitFacts
from zhengtong.registry.models import Industry

STARCH, DRINKS = "1391", "1529"  # row 16 (其他农副食品加工139), row 22 (饮料制造152)
NONE_GENERAL = {"on_key_list": False, "in_industrial_building": True, "has_boiler": False, "has_furnace": False,
                "has_surface_treatment": False, "has_water_treatment": False}
STARCH_LINE = {"starch_corn_capacity_tpy": 0, "starch_tuber_capacity_tpy": 0, "starch_legume_capacity_tpy": 0,
               "starch_wheat_capacity_tpy": 0, "starch_products_tpy": 500, "has_fermentation": False}
DRINKS_LINE = {"has_fermentation": True, "raw_juice_production": False}


def test_a_fermentation_of_the_drinks_line_is_not_the_starch_line_s():
    lines = {STARCH: STARCH_LINE, DRINKS: DRINKS_LINE}
    result = classify([STARCH, DRINKS], NONE_GENERAL, lines=lines)
    by_row = {f.row: f.management_class for f in result.findings}
    assert by_row[16] == "registration"  # "有发酵工艺的淀粉制品" is key: the starch line has none
    assert by_row[22] == "simplified"  # the drinks line ferments
    # one set of facts read by every line: the truthful facts gave the starch line the key class
    flat = classify([STARCH, DRINKS], {**NONE_GENERAL, **STARCH_LINE, **DRINKS_LINE, "has_fermentation": True})
    assert {f.row: f.management_class for f in flat.findings}[16] == "key"


def test_only_mixing_holds_for_one_line_and_not_the_other():
    # row 11 (植物油加工133) and row 12's neighbours read mixing_or_packing_only per line
    lines = {"1331": {"mixing_or_packing_only": True}, "1332": {"mixing_or_packing_only": False}}
    result = classify(["1331", "1332"], NONE_GENERAL, lines=lines)
    classes = {f.code: f.management_class for f in result.findings if f.code}
    assert classes == {"1331": "registration", "1332": "simplified"}


def test_a_missing_line_fact_is_named_with_its_line():
    result = classify([STARCH, DRINKS], NONE_GENERAL, lines={STARCH: STARCH_LINE, DRINKS: {}})
    assert result.management_class == "undetermined"
    assert f"{DRINKS}:has_fermentation" in result.missing and "has_fermentation" not in result.missing


def test_the_whole_unit_s_facts_are_read_by_every_line():
    lines = {STARCH: STARCH_LINE, DRINKS: DRINKS_LINE}
    result = classify([STARCH, DRINKS], {**NONE_GENERAL, "in_industrial_building": False}, lines=lines)
    # both lines' cells are ﹡ (note 1): outside an industrial building neither gives a class
    assert {f.row: f.management_class for f in result.findings if f.code} == {16: None, 22: None}
    assert result.management_class == "none"


def test_every_row_that_reads_the_unit_as_a_whole_reads_only_unit_facts():
    catalogue = load_catalogue()
    for number in (108, 109, 110, 111, 112):
        assert set(catalogue.rows[number].facts) <= catalogue.unit_wide
    assert catalogue.is_line_fact("has_fermentation") and catalogue.is_line_fact("solvent_adhesive_tpy__2023")
    assert not catalogue.is_line_fact("on_key_list") and not catalogue.is_line_fact("no_such_fact")


@pytest.fixture
def two_lines(world):
    unit = world.unit_a
    unit.industry = Industry.objects.get(code=STARCH)
    unit.save()
    unit.other_industries.set([Industry.objects.get(code=DRINKS)])
    return unit


@pytest.mark.django_db
def test_the_service_keeps_each_line_s_facts_apart(world, two_lines):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    services.unit_facts_save(user=clerk, unit=two_lines, data={
        **NONE_GENERAL, **{f"{STARCH}:{k}": v for k, v in STARCH_LINE.items()},
        **{f"{DRINKS}:{k}": v for k, v in DRINKS_LINE.items()}})
    record = UnitFacts.objects.get(unit=two_lines)
    assert record.facts == NONE_GENERAL
    assert record.lines == {STARCH: STARCH_LINE, DRINKS: DRINKS_LINE}
    assert Classification.objects.get(unit=two_lines).management_class in ("simplified", "review")
    # a fact only one line is asked goes to that line without its code
    services.unit_facts_save(user=clerk, unit=two_lines, data={"raw_juice_production": True})
    assert UnitFacts.objects.get(unit=two_lines).lines[DRINKS]["raw_juice_production"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "words"), [
    ("has_fermentation", "1391:has_fermentation"),  # both lines are asked it: which one?
    ("2211:has_fermentation", "not one of the unit's industries"),
    (f"{STARCH}:on_key_list", "whole unit"),
    (f"{STARCH}:no_such_fact", "Not a fact"),
    (f"{STARCH}:starch_products_tpy", "number"),
])
def test_a_fact_given_for_the_wrong_line_is_refused_by_its_key(world, two_lines, key, words, settings):
    settings.LANGUAGE_CODE = "en"
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with pytest.raises(DomainError) as e:
        services.unit_facts_save(user=clerk, unit=two_lines, data={key: "many" if "tpy" in key else True})
    assert list(e.value.errors) == [key]
    assert words.lower() in " ".join(e.value.errors[key]).lower()
    assert not UnitFacts.objects.filter(unit=two_lines).exists()


@pytest.mark.django_db
def test_the_page_asks_each_line_its_own_facts(client, world, two_lines):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    url = reverse("permits:unit_facts", args=[two_lines.pk])
    body = client.get(url).content.decode()
    assert f'name="{STARCH}:has_fermentation"' in body and f'name="{DRINKS}:has_fermentation"' in body
    assert body.count('name="on_key_list"') == 1 and f'name="{STARCH}:on_key_list"' not in body
    form = {**{k: ("yes" if v else "no") if isinstance(v, bool) else v for k, v in NONE_GENERAL.items()},
            **{f"{STARCH}:{k}": ("yes" if v else "no") if isinstance(v, bool) else v for k, v in STARCH_LINE.items()},
            **{f"{DRINKS}:{k}": "yes" if v else "no" for k, v in DRINKS_LINE.items()}}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert UnitFacts.objects.get(unit=two_lines).lines[DRINKS]["has_fermentation"] is True
    assert UnitFacts.objects.get(unit=two_lines).lines[STARCH]["has_fermentation"] is False
    page = client.get(reverse("permits:unit", args=[two_lines.pk])).content.decode()
    assert "淀粉" in page and "饮料" in page
    bad = client.post(url, {**form, f"{STARCH}:starch_products_tpy": "many"})
    body = bad.content.decode()
    assert bad.status_code == 200
    # the error sits on the starch line's own field, in words, and nothing is saved
    assert f'id="{STARCH}:starch_products_tpy-errors"' in body and "请输入数字" in body
    assert f"{STARCH}:starch_products_tpy" not in body.split("<form")[0]  # no raw key above the form
    assert UnitFacts.objects.get(unit=two_lines).lines[STARCH]["starch_products_tpy"] == 500


@pytest.mark.django_db
def test_the_migration_moves_each_line_fact_to_the_lines_that_ask_it(world, two_lines):
    migration = importlib.import_module("zhengtong.permits.migrations.0009_facts_per_line")
    flat = {**NONE_GENERAL, **STARCH_LINE, "raw_juice_production": True, "liquor_capacity_klpy": 3,
            "unknown_key": 1}
    UnitFacts.objects.create(unit=two_lines, facts=flat)
    migration.split(django_apps, None)
    record = UnitFacts.objects.get(unit=two_lines)
    assert record.facts == {**NONE_GENERAL, "unknown_key": 1}
    # has_fermentation: both lines are asked it; liquor_capacity_klpy (row 21): neither, kept in both
    assert record.lines[STARCH] == {**STARCH_LINE, "liquor_capacity_klpy": 3}
    assert record.lines[DRINKS] == {"has_fermentation": False, "raw_juice_production": True, "liquor_capacity_klpy": 3}
    # the class is the one the flat facts gave
    assert classify([STARCH, DRINKS], record.facts, lines=record.lines).management_class == \
        classify([STARCH, DRINKS], flat).management_class
