"""What screening asks of the apps above it (screening.ports) and the holds it keeps for them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhengtong.core.errors import DomainError
from zhengtong.screening import ports, services
from zhengtong.screening.models import EntryHold
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)


def test_nobody_is_isolated_until_a_source_registers():
    assert ports.isolation_periods({1, 2}, T0, T0 + timedelta(days=1)) == {}
    assert ports.isolated_at({1, 2}, T0) == set()


def test_a_period_covers_its_start_and_not_its_end():
    period = ports.Period(T0, T0 + timedelta(days=14))
    assert period.covers(T0) and period.covers(T0 + timedelta(days=13, hours=23))
    assert not period.covers(T0 + timedelta(days=14)) and not period.covers(T0 - timedelta(seconds=1))
    assert ports.Period(T0).covers(T0 + timedelta(days=400))


def test_a_registered_source_answers_at_a_moment_and_over_a_span(isolation):
    a, b = PersonFactory(), PersonFactory()
    isolation.isolate(a, T0, T0 + timedelta(days=14))
    assert ports.isolated_at({a.pk, b.pk}, T0 + timedelta(days=1)) == {a.pk}
    assert ports.isolated_at({a.pk, b.pk}, T0 + timedelta(days=14)) == set()
    assert set(ports.isolation_periods({a.pk, b.pk}, T0 - timedelta(days=3), T0)) == {a.pk}
    ports.register_isolation_source(isolation)  # registering again changes nothing
    assert ports.isolated_at({a.pk}, T0) == {a.pk} and len(isolation.calls) == 4


def test_a_gate_check_in_refuses_an_isolated_person(world, isolation):
    isolation.isolate(world.person_a, timezone.now() - timedelta(days=1))
    facts = services.facts_for(site=world.site_a, person=world.person_a, temperature=Decimal("36.5"), at=timezone.now())
    assert facts.isolated
    assert not services.facts_for(site=world.site_a, person=world.person_b, temperature=Decimal("36.5"),
                                  at=timezone.now()).isolated


def test_holds_are_kept_released_and_never_deleted():
    person = PersonFactory()
    assert services.held_entries_q() is None
    assert services.entries_hold(person_ids=[person.pk, person.pk], start=T0, end=T0 + timedelta(days=3),
                                 holder="outbreak.case:1", reason="trace") == 1
    assert services.held_entries_q() is not None
    assert services.entries_release(holder="outbreak.case:1") == 1
    assert services.held_entries_q() is None
    assert EntryHold.objects.get().released_at is not None


@pytest.mark.parametrize("kwargs, field", [
    ({"end": T0}, "end"),
    ({"start": T0.replace(tzinfo=None)}, "start"),
    ({"holder": ""}, "holder"),
    ({"holder": "x" * 101}, "holder"),
    ({"reason": "a\x00b"}, "reason"),
])
def test_a_bad_hold_is_refused_by_field(kwargs, field):
    person = PersonFactory()
    args = {"person_ids": [person.pk], "start": T0, "end": T0 + timedelta(days=1), "holder": "case:1", **kwargs}
    with pytest.raises(DomainError) as e:
        services.entries_hold(**args)
    assert field in e.value.errors
    assert not EntryHold.objects.exists()
