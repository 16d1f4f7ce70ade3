from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from zhengtong.core.errors import DomainError
from zhengtong.screening.rules import Facts, decide, parse_temperature, refused_on_sight


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def facts(**kw):
    base = dict(site_active=True, closed=False, visitor_policy="allowed", threshold=Decimal("37.3"),
                relation="worker", relation_since=None, isolated=False, temperature=Decimal("36.5"),
                day=date(2020, 2, 20))
    return Facts(**{**base, **kw})


@pytest.mark.parametrize(("typed", "value"), [("36.5", "36.5"), (" 36,5 ", "36.5"), ("37", "37.0"),
                                               ("36.55", "36.6"), ("34.0", "34.0"), ("43", "43.0"),
                                               ("36.5℃", "36.5")])
def test_temperatures_are_read_in_celsius_with_one_decimal(typed, value):
    assert parse_temperature(typed) == Decimal(value)


def test_a_fahrenheit_value_is_an_input_error_with_a_hint():
    with pytest.raises(DomainError) as e:
        parse_temperature("98.6")
    assert e.value.errors["temperature"] and "Fahrenheit" in e.value.message


@pytest.mark.parametrize("typed", ["33.9", "43.1", "50", "0", "-1", "abc", "", "nan", "inf"])
def test_impossible_temperatures_are_input_errors(typed):
    with pytest.raises(DomainError) as e:
        parse_temperature(typed)
    assert "temperature" in e.value.errors


def test_a_normal_worker_is_admitted():
    assert decide(facts()).decision == "admit"


def test_fever_at_the_threshold_is_refused():
    result = decide(facts(temperature=Decimal("37.3")))
    assert (result.decision, result.reason) == ("refuse", "fever")
    assert decide(facts(temperature=Decimal("37.2"))).decision == "admit"


def test_a_site_threshold_overrides_the_city():
    assert decide(facts(temperature=Decimal("37.3"), threshold=Decimal("37.5"))).decision == "admit"


def test_closed_management_refuses_visitors_and_strangers_but_not_the_sites_people():
    assert decide(facts(closed=True, relation="visitor")).reason == "closed"
    assert decide(facts(closed=True, relation=None)).reason == "closed"
    for relation in ("inmate", "resident", "staff", "worker"):
        assert decide(facts(closed=True, relation=relation)).decision == "admit"


def test_no_visitors_refuses_every_visitor():
    assert decide(facts(visitor_policy="none", relation="visitor")).reason == "no_visitors"
    assert decide(facts(visitor_policy="none", relation="staff")).decision == "admit"


def test_by_appointment_admits_a_visitor_on_the_day_only():
    day = date(2020, 2, 20)
    assert decide(facts(visitor_policy="appointment", relation="visitor", relation_since=day)).decision == "admit"
    assert decide(facts(visitor_policy="appointment", relation="visitor",
                        relation_since=date(2020, 2, 19))).reason == "appointment"


def test_an_isolated_person_is_refused_even_if_they_belong():
    assert decide(facts(isolated=True, relation="inmate")).reason == "isolation"


def test_fever_is_the_reason_given_before_any_other():
    assert decide(facts(temperature=Decimal("38.0"), closed=True, relation=None, isolated=True)).reason == "fever"


def test_an_inactive_site_refuses():
    assert decide(facts(site_active=False)).reason == "inactive"


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("policy", ["allowed", "appointment", "none"])
@pytest.mark.parametrize("relation", [None, "visitor", "inmate", "resident", "staff", "worker"])
def test_what_is_refused_on_sight_is_what_decide_refuses_at_a_normal_temperature(closed, policy, relation):
    """The gate says a refusal at identification (refused_on_sight) only when the screening would refuse
    for that reason, whatever the temperature below a fever."""
    on_sight = refused_on_sight(closed=closed, visitor_policy=policy, relation=relation)
    result = decide(facts(closed=closed, visitor_policy=policy, relation=relation))
    if on_sight is not None:
        assert (result.decision, result.reason) == ("refuse", on_sight)
    else:
        assert result.reason not in ("closed", "no_visitors")
    assert (on_sight is not None) == (relation not in ("inmate", "resident", "staff", "worker")
                                      and (closed or policy == "none"))
