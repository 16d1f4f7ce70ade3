"""The demo city's clock: its story happens on the newspaper's day, shown on the day it is loaded.

The demo city (``zhengtong demo``, shared/SCENARIO.md) is the newspaper page of 27 February 2020. It is
loaded relative to an anchor day (``--today``, default the real day): the newspaper's day becomes the
anchor, and every date of the story moves by the same number of days (``shift``): closed management
began about five weeks before the anchor, the welfare home has refused visitors for a month, the
campaign's deadlines lie ahead. What is real history or law does not move: the 2019 catalogue, the
laws and their dates, and the 270 first permits of 2017–2019.

The load writes one ``DemoState`` row; the pages show ``notice()`` from it (core.context_processors),
so that nobody takes a shifted date for a real one.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

STORY_DAY = date(2020, 2, 27)  # the newspaper's day: 2月27日上午, the party secretary's visits (shared/seed)


def shift(today: date) -> timedelta:
    """How far the story moves: from the newspaper's day to the anchor."""
    return today - STORY_DAY


def story_date(day: date, today: date) -> date:
    """A date of the story (as the newspaper tells it) as the demo shows it when anchored at ``today``."""
    return day + shift(today)


def whole_years(today: date) -> int:
    """The shift in whole years (at least 0): birth years move by it, so that ages stay as the story has
    them (the welfare home's children stay children)."""
    years = today.year - STORY_DAY.year
    if (today.month, today.day) < (STORY_DAY.month, STORY_DAY.day):
        years -= 1
    return max(0, years)


def record(today: date) -> None:
    """Store the anchor of the demo just loaded (one row; the previous one goes)."""
    from zhengtong.core.models import DemoState

    DemoState.objects.all().delete()
    DemoState.objects.create(story_day=STORY_DAY, anchor=today)


def forget() -> None:
    from zhengtong.core.models import DemoState

    DemoState.objects.all().delete()


def notice() -> str:
    """The sentence the pages show while the database holds the demo city; "" when it does not. Its
    dates are kept whole on a phone's narrow line (a date broken at its hyphen reads as two)."""
    from zhengtong.core.models import DemoState

    state = DemoState.objects.order_by("-pk").first()
    if state is None:
        return ""
    values = {key: format_html('<span class="nowrap">{}</span>', day.isoformat())
              for key, day in (("anchor", state.anchor), ("story", state.story_day))}
    if state.anchor == state.story_day:
        text = _("Demo data: the dates are the newspaper's own (%(story)s).")
    else:
        text = _("Demo data: dates shifted to %(anchor)s. The newspaper's day (%(story)s) is shown as %(anchor)s; "
                 "the 2019 catalogue, the law and the permits of 2017–2019 keep their real dates.")
    return mark_safe(conditional_escape(text) % values)  # the sentence escaped, the dates ours


def now_at(today: date) -> datetime:
    """The present time of day on the anchor day: the demo's "now" (the real now when ``today`` is the
    real day, or when the clock has been moved to it)."""
    return timezone.now() + (today - timezone.localdate())
