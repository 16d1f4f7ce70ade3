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


OLD_HEAD = """{% load i18n %}<thead><tr>
    <th>{% translate "Site" %}</th><th>{% translate "County" %}</th><th>{% translate "State" %}</th>
    <th class="num">{% translate "Inside now" %}</th><th class="num">{% translate "Admitted today" %}</th>
    <th class="num">{% translate "Refused today" %}</th><th class="num">{% translate "Unchecked today" %}</th>
    <th class="num">{% translate "Your open alerts" %}</th><th class="num">{% translate "Areas overdue for disinfection" %}</th>
  </tr></thead>"""  # noqa: E501 (screening/site_list.html's header as it was)
OLD_TOTALS = """{% load i18n %}<td>{% blocktranslate count n=totals.sites %}{{ n }} site{% plural %}{{ n }} sites{% endblocktranslate %}</td><td class="empty"></td>
      <td>{% blocktranslate with n=totals.closed %}{{ n }} closed{% endblocktranslate %}</td>"""  # noqa: E501


def render(template: str, language: str, **context) -> str:
    from django.template import Context, Template
    from django.utils import translation

    with translation.override(language):
        return Template(template).render(Context(context))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_overviews_head_totals_and_pager_are_the_templates(language):
    from django.http import QueryDict

    assert render("{% load screening_rows %}{% overview_head %}", language) == render(OLD_HEAD, language)
    for sites, closed in ((1, 0), (2, 1), (1234, 17)):
        totals = {"sites": sites, "closed": closed}
        assert (render("{% load screening_rows %}{% totals_lead totals %}", language, totals=totals)
                == render(OLD_TOTALS, language, totals=totals))
    for n, number in ((0, 1), (3, 1), (120, 1), (120, 2), (120, 3)):
        page = paginate(list(range(n)), number=number, size=50)
        query = QueryDict("q=<b>&county=430422&closed=on")
        old = render('{% include "registry/_pager.html" %}', language, page=page, query=query)
        assert render("{% load screening_rows %}{% overview_pager page query %}", language, page=page,
                      query=query) == old, (n, number)


def test_the_filter_fields_are_the_forms_for_each_language_and_value(world):
    from django.http import QueryDict
    from django.template.loader import render_to_string
    from django.utils import translation

    from zhengtong.screening.forms import OverviewFilterForm
    from zhengtong.screening.views_site import _filter_fields

    shown = set()
    for language in ("zh-hans", "en"):
        for query in ("", "q=<b>", "county=430422", "county=bogus&closed=on", "closed=on&q=x&q=y"):
            with translation.override(language):
                data = QueryDict(query)
                form = OverviewFilterForm(data)
                form.is_valid()
                html = _filter_fields(form, data)
                assert html == render_to_string("screening/_overview_filters.html", {"filters": form})
                shown.add(html)
    assert len(shown) == 10  # each language and value its own


def test_a_new_disinfection_interval_is_read_at_once(world):
    from zhengtong.registry.models import Site

    before = selectors.disinfection_intervals()
    assert before == tuple(sorted(set(Site.objects.values_list("disinfection_interval_hours", flat=True))))
    Site.objects.filter(pk=world.site_b.pk).update(disinfection_interval_hours=77)
    assert 77 in selectors.disinfection_intervals() and 77 not in before


def test_an_interval_of_no_hours_or_of_the_longest_stay_is_read_as_the_querysets(world, settings):
    """An interval of 0 hours makes "now less the interval" now itself, one of the longest stay makes it
    the start of the longest stay: the same markers (the overview failed for everyone on a site with 0)."""
    from zhengtong.registry.models import Site

    busy(world)
    Site.objects.filter(pk=world.site_a.pk).update(disinfection_interval_hours=0)
    Site.objects.filter(pk=world.site_b.pk).update(disinfection_interval_hours=settings.MAX_STAY_HOURS)
    now = timezone.now()
    for user in world.users.values():
        for at in (now, now + timedelta(days=1)):
            kept = [shown(s) for s in paginate(selectors.site_overview_rows(user=user, now=at), number=1, size=50)]
            expected = [shown(s) for s in selectors.with_figures(
                selectors.site_overview(user=user, day=timezone.localdate(at)), user=user, now=at)]
            assert kept == expected, (user.username, at)
