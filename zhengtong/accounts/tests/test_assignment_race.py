"""Two requests give the same role at the same site to the same user at once: one assignment is made,
the other request gets the field error (never a second active assignment, never a 500)."""

import threading

import pytest
from django.db import connection, connections

from zhengtong.accounts import services
from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core.errors import DomainError
from zhengtong.tests_support.codes import CITY
from zhengtong.tests_support.factories import SiteFactory, UnitFactory, UserFactory, region


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent writers need PostgreSQL (SQLite's test database is one in-memory file)")
def test_two_simultaneous_assignments_make_one(transactional_db):
    admin = UserFactory.create(role=Role.CITY_ADMIN, region=region(CITY))
    site = SiteFactory.create(unit=UnitFactory.create())
    target = UserFactory.create()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def assign():
        try:
            barrier.wait()
            services.assignment_create(user=admin, target=target, data={"role": Role.GATEKEEPER, "site": site.pk})
            outcomes.append("made")
        except DomainError as e:
            outcomes.append(sorted(e.errors))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=str) == [["site"], "made"]
    assert RoleAssignment.objects.active().filter(user=target).count() == 1
