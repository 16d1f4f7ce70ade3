"""The rules defined on the registry's nouns, each once as a predicate and once as a query: the two
must agree."""

from datetime import date, timedelta

import pytest

from zhengtong.registry.models import Site, SitePerson
from zhengtong.tests_support.factories import PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db

DAY = date(2020, 2, 20)


@pytest.mark.parametrize("closed_since", [None, DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)])
def test_closed_on_a_day_is_one_rule(closed_since):
    site = SiteFactory()
    Site.objects.filter(pk=site.pk).update(closed_since=closed_since)
    site.refresh_from_db()
    assert site.is_closed_on(DAY) == Site.objects.filter(Site.closed_on_q(DAY), pk=site.pk).exists()
    assert site.is_closed_on(DAY) == (closed_since is not None and closed_since <= DAY)


@pytest.mark.parametrize("until", [None, DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)])
def test_in_force_on_a_day_is_one_rule(until):
    site = SiteFactory()
    person = PersonFactory(site=site)
    relation = SitePerson.objects.get(site=site, person=person)
    SitePerson.objects.filter(pk=relation.pk).update(until=until)
    relation.refresh_from_db()
    in_query = SitePerson.objects.filter(SitePerson.in_force_q(DAY), pk=relation.pk).exists()
    assert relation.is_in_force_on(DAY) == in_query == (until is None or until >= DAY)
    assert Site.objects.filter(SitePerson.in_force_q(DAY, "memberships__"), pk=site.pk).exists() == in_query
