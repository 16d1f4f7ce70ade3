"""The screening overview reads its sites and figures by statements kept per scope, user, filters and
intervals, with each request's times where the statement takes them (selectors.site_overview_rows): the same
sites and figures as with_figures(site_overview(...)) at any time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.listing import paginate
from zhengtong.screening import selectors
from zhengtong.screening.tests.test_overview_rows import busy

pytestmark = pytest.mark.django_db

FILTERS = [{}, {"closed": True}, {"q": "监狱 看守所"}, {"county": "430422"}]


def shown(site) -> tuple:
    return (site.pk, site.name, site.unit.name, site.county.name, site.closed_since, site.visitor_policy,
            *(getattr(site, name) for name in selectors.FIGURES))


def test_the_kept_overview_is_the_querysets_at_any_time(world):
    busy(world)
    now = timezone.now()
    for user in world.users.values():
        for filters in FILTERS:
            # later the same day, the next day (nobody admitted today, the stays over), before the entries
            for at in (now, now + timedelta(minutes=5), now + timedelta(days=1), now - timedelta(hours=2)):
                rows = selectors.site_overview_rows(user=user, filters=filters, now=at)
                kept = [shown(s) for s in paginate(rows, number=1, size=50)]
                expected = [shown(s) for s in selectors.with_figures(
                    selectors.site_overview(user=user, filters=filters, day=timezone.localdate(at)), user=user,
                    now=at)]
                assert kept == expected, (user.username, filters, at)


def test_the_figures_follow_the_time_of_each_request(world):
    busy(world)
    admin, now = world.users[Role.CITY_ADMIN], timezone.now()

    def refused(at):
        return sum(s.refused_today for s in paginate(selectors.site_overview_rows(user=admin, now=at), number=1,
                                                     size=50))

    assert refused(now) == 2
    assert refused(now + timedelta(days=1)) == 0  # the same kept statement, another day
    assert refused(now) == 2


def test_more_sites_than_a_page_are_counted(world):
    admin = world.users[Role.CITY_ADMIN]
    page = paginate(selectors.site_overview_rows(user=admin), number=1, size=1)
    assert (page.total, page.num_pages, len(page.rows), page.has_next) == (2, 2, 1, True)
