"""Ask only what can change the answer (issue 17 §4): a missing fact no value of which changes the
class or the scope is not asked; the class already certain is shown as "at least …"; the unit's
page never fails, whatever the facts (none, some, a key the catalogue no longer has)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.permits import services
from zhengtong.permits.catalogue import load_catalogue
from zhengtong.permits.classification import classify
from zhengtong.permits.models import UnitFacts
from zhengtong.registry.models import Industry

AS_OF = date(2025, 6, 1)
SHOES = "1951"  # row 32
BASE = {"on_key_list": False, "in_industrial_building": True, "has_boiler": False, "has_furnace": False,
        "has_surface_treatment": False, "has_water_treatment": False, "solvent_treatment_agent_tpy": 0,
        "solvent_adhesive_tpy": 12}


def test_a_general_process_that_cannot_raise_the_class_is_not_asked():
    # Row 32 gives simplified; the boiler can give at most simplified (the unit is off the key list).
    result = classify([SHOES], {**BASE, "has_boiler": True}, as_of=AS_OF)
    assert result.management_class == "simplified" and result.missing == ()
    assert result.deciding.row == 32 and result.scope == "whole"
    # On the key list, the key cells decide anyway: nothing about the boiler is asked either.
    assert classify([SHOES], {**BASE, "on_key_list": True, "has_boiler": True}, as_of=AS_OF).missing == ()


def test_a_general_process_that_could_raise_the_class_is_asked():
    result = classify([SHOES], {**BASE, "solvent_adhesive_tpy": 1, "has_boiler": True}, as_of=AS_OF)
    assert result.management_class == "undetermined" and result.at_least == "registration"
    assert set(result.missing) == {"boilers_all_electric", "boiler_max_tph", "boiler_total_tph"}


def test_a_process_whose_row_gives_nothing_either_way_is_not_asked():
    # Water treatment under 500 t/d is in no cell of row 112: whether the unit has it changes nothing.
    facts = {**BASE, "water_treatment_tpd": 100}
    del facts["has_water_treatment"]
    assert classify([SHOES], facts, as_of=AS_OF).management_class == "simplified"


def test_at_least_is_the_cell_that_holds_below_the_missing_one():
    facts = {**BASE}
    del facts["on_key_list"]  # row 32's key cell: 纳入重点排污单位名录的
    result = classify([SHOES], facts, as_of=AS_OF)
    assert result.management_class == "undetermined"
    assert result.at_least == "simplified" and result.missing == ("on_key_list",)


# --- the unit's page --------------------------------------------------------------------------

def page(client, world, unit):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    response = client.get(reverse("permits:unit", args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def shoe_unit(world):
    unit = world.unit_a
    unit.industry = Industry.objects.get(code=SHOES)
    unit.save()
    return unit


@pytest.mark.django_db
@pytest.mark.parametrize("facts", [
    None,
    {},
    {"has_boiler": True},
    {"retired_fact": 3, "another_gone": {"years": {"2023": 1}}},
    {"solvent_adhesive_tpy": "not a number", "operation_start": "some day"},
    {"solvent_adhesive_tpy": {"years": "garbled"}, "boiler_max_tph": {"unit": "MW"}},
])
def test_the_unit_page_never_fails_whatever_the_facts(client, world, shoe_unit, facts):
    with time_machine.travel(datetime(2025, 6, 1, 4, tzinfo=UTC), tick=False):
        if facts is not None:
            UnitFacts.objects.create(unit=shoe_unit, facts=facts)
            try:
                services.unit_classify(unit=shoe_unit)
            except (TypeError, ValueError):
                pytest.fail("classifying stored facts of another shape failed")
        body = page(client, world, shoe_unit)
        assert client.get(reverse("permits:unit_facts", args=[shoe_unit.pk])).status_code == 200
    assert shoe_unit.name in body


FORM = {"on_key_list": "no", "in_industrial_building": "yes", "operation_start": "2019-03-01",
        "has_boiler": "no", "has_furnace": "no", "has_surface_treatment": "no", "has_water_treatment": "no",
        "solvent_adhesive_tpy__2023": "6", "solvent_adhesive_tpy__2024": "2",
        "solvent_treatment_agent_tpy__2022": "0", "solvent_treatment_agent_tpy__2023": "0",
        "solvent_treatment_agent_tpy__2024": "0"}


def per_line(form: dict) -> dict:
    """The form's fields: the shoe line's own facts are named with its code."""
    catalogue = load_catalogue()
    return {f"{SHOES}:{k}" if catalogue.is_line_fact(k) else k: v for k, v in form.items()}


@pytest.mark.django_db
def test_the_page_shows_at_least_and_asks_only_the_missing_year(client, world, shoe_unit):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with time_machine.travel(datetime(2025, 6, 1, 4, tzinfo=UTC), tick=False):
        client.force_login(clerk)
        response = client.post(reverse("permits:unit_facts", args=[shoe_unit.pk]), per_line(FORM))
        assert response.status_code == 302, response.content.decode()[:2000]
        body = page(client, world, shoe_unit)
    assert 'data-testid="at-least"' in body and "至少为登记管理" in body
    assert "年使用溶剂型胶粘剂量：2022年" in body  # the one year still needed, by its year
    assert "至少6 t/a" in body  # what is known so far
    with time_machine.travel(datetime(2025, 6, 1, 4, tzinfo=UTC), tick=False):
        client.post(reverse("permits:unit_facts", args=[shoe_unit.pk]),
                    per_line({**FORM, "solvent_adhesive_tpy__2022": "10.5"}))
        body = page(client, world, shoe_unit)
    assert 'data-class="simplified"' in body
    assert "近三年年最大量（2022年），名录表注2" in body


@pytest.mark.django_db
def test_the_form_asks_the_three_years_before_the_day_and_the_eia_figure(client, world, shoe_unit):
    with time_machine.travel(datetime(2025, 6, 1, 4, tzinfo=UTC), tick=False):
        client.force_login(world.users[Role.ENTERPRISE_CLERK])
        body = client.get(reverse("permits:unit_facts", args=[shoe_unit.pk])).content.decode()
    for name in ("1951:solvent_adhesive_tpy__2022", "1951:solvent_adhesive_tpy__2023",
                 "1951:solvent_adhesive_tpy__2024", "1951:solvent_adhesive_tpy__eia", "operation_start",
                 "boiler_max_tph__unit", "boilers_all_electric"):
        assert f'name="{name}"' in body, name
    assert 'name="1951:solvent_adhesive_tpy__2025"' not in body
