"""The screening overview: its rows written by screening_rows, and its totals read from the rows when
one page holds every site (selectors.rows_totals) — the same numbers as selectors.figure_totals."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.screening import selectors, services
from zhengtong.screening.models import Alert, Area
from zhengtong.tests_support.factories import PersonFactory

pytestmark = pytest.mark.django_db


def busy(world) -> None:
    """Two sites with something in every figure: people inside, refusals, an alert, an area never
    disinfected, the first site closed."""
    admin = world.users[Role.CITY_ADMIN]
    actor = services.Actor(user=admin)
    for site, person in ((world.site_a, world.person_a), (world.site_b, world.person_b)):
        services.entry_screen(actor=actor, site=site, person=person, temperature="36.5")
        fever = PersonFactory(site=site)
        services.entry_screen(actor=actor, site=site, person=fever, temperature="38.9")
        Area.objects.create(site=site, name="一监区")
    world.site_a.closed_since = timezone.localdate() - timedelta(days=3)
    world.site_a.save()
    Alert.objects.filter(recipient=admin).update(acknowledged_at=None)


def test_the_rows_totals_are_the_figure_totals(world):
    busy(world)
    for user in world.users.values():
        qs = selectors.screening_sites(user=user)
        rows = list(selectors.with_figures(qs, user=user))
        assert selectors.rows_totals(rows) == selectors.figure_totals(qs, user=user), user.username
    admin = world.users[Role.CITY_ADMIN]
    totals = selectors.rows_totals(list(selectors.with_figures(selectors.screening_sites(user=admin), user=admin)))
    assert totals["sites"] == 2 and totals["closed"] == 1 and totals["inside_now"] == 2
    assert totals["refused_today"] == 2 and totals["overdue_areas"] == 2


def test_one_page_of_sites_is_totalled_without_a_count(client, world):
    busy(world)
    client.force_login(world.users[Role.CITY_ADMIN])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("screening:site_list")).content.decode()
    # (the navigation counts the user's open alerts and overdue difficulties)
    counted = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")
               and "screening_alert" not in q["sql"] and "resumption_" not in q["sql"]]
    assert counted == []  # neither the pager's count nor the totals' counts: the rows are all the sites
    totals = html[html.index('data-testid="totals"'):html.index("</tr>", html.index('data-testid="totals"'))]
    assert re.search(r'data-figure="refused_today"[^>]*>2</td>', totals)  # the two sites' refusals summed
    assert re.search(r'data-figure="inside_now"[^>]*>2</td>', totals)
    assert html.count('data-state="closed"') == 1 and html.count('data-state="open"') == 1


def test_the_rows_escape_what_they_show(client, world):
    world.site_a.name = '<script>alert("x")</script>&车间'
    world.site_a.save()
    client.force_login(world.users[Role.CITY_ADMIN])
    html = client.get(reverse("screening:site_list")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;车间" in html
    assert f'href="{reverse("screening:site", args=[world.site_a.pk])}"' in html


def test_no_site_matches(client, world):
    client.force_login(world.users[Role.CITY_ADMIN])
    html = client.get(reverse("screening:site_list") + "?q=没有这个场所").content.decode()
    assert 'colspan="9" class="muted"' in html
