import pytest

from zhengtong.tests_support.factories import gate_device


@pytest.fixture
def device(world):
    """A gate device of world.site_a, with its key at ``device.key``."""
    return gate_device(world.site_a, name="North gate")


class StandInIsolation:
    """Stands in at screening's isolation port, so that screening's tests give the periods they need
    without the outbreak app's orders, and see every question asked."""

    def __init__(self):
        self.periods: dict = {}
        self.calls: list = []
        self.while_asked = None  # called on every question (to check what else is going on)

    def isolate(self, person, start, end=None):
        from zhengtong.screening.ports import Period

        self.periods.setdefault(person.pk, []).append(Period(start, end))

    def isolation_periods(self, *, person_ids, start, end):
        if self.while_asked:
            self.while_asked()
        self.calls.append((set(person_ids), start, end))
        return {pid: [p for p in periods if p.start <= end and (p.end is None or p.end > start)]
                for pid, periods in self.periods.items() if pid in person_ids}


@pytest.fixture
def isolation():
    """An isolation source registered with screening.ports for the test, removed after it."""
    from zhengtong.screening import ports

    source = StandInIsolation()
    ports.register_isolation_source(source)
    yield source
    ports.unregister_isolation_source(source)
