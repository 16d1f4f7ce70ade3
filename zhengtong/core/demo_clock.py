"""The demo city's clock: its story happens on the newspaper's day, shown on the day it is loaded.

The demo city (``zhengtong demo``, shared/SCENARIO.md) is the newspaper page of 27 February 2020. It is
loaded relative to an anchor day (``--today``, default the real day): the newspaper's day becomes the
anchor, and every date of the story moves by the same number of days (``shift``): closed management
began about five weeks before the anchor, the welfare home has refused visitors for a month, the
campaign's deadlines lie ahead. What is real history or law does not move: the 2019 catalogue, the
laws and their dates, and the 270 first permits of 2017–2019.

The load writes one ``DemoState`` row; the pages show ``notice()`` from it (core.context_processors),
so that nobody takes a shifted date for a real one. A process keeps what it read of the row for a minute
(``KEEP_SECONDS``) outside transactions: every page shows the footer, and the row changes once a load.
"""

import time
from datetime import date, datetime, timedelta

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhengtong.core.compiled import kept

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
    _forget_now_and_on_commit()


def forget() -> None:
    from zhengtong.core.models import DemoState

    DemoState.objects.all().delete()
    _forget_now_and_on_commit()


def _forget_now_and_on_commit() -> None:
    """What this process kept of the state is wrong now, and again once the change commits (another
    request of this process may read the old row, outside the transaction, before it does)."""
    forget_kept()
    transaction.on_commit(forget_kept)


def notice() -> str:
    """The sentence the pages show while the database holds the demo city; "" when it does not. Its
    dates are kept whole on a phone's narrow line (a date broken at its hyphen reads as two)."""
    state = _state()
    if state is None:
        return ""
    return kept(_SENTENCES, (state, get_language()), lambda: _sentence(*state))


def _sentence(anchor: date, story_day: date) -> str:
    values = {key: format_html('<span class="nowrap">{}</span>', day.isoformat())
              for key, day in (("anchor", anchor), ("story", story_day))}
    if anchor == story_day:
        text = _("Demo data: the dates are the newspaper's own (%(story)s).")
    else:
        text = _("Demo data: dates shifted to %(anchor)s. The newspaper's day (%(story)s) is shown as %(anchor)s; "
                 "the 2019 catalogue, the law and the permits of 2017–2019 keep their real dates.")
    return mark_safe(conditional_escape(text) % values)  # the sentence escaped, the dates ours


# How long a process keeps what it read of the demo's state (``_state``): the row changes only when the
# demo is loaded or wiped, which clears it at once in the process that does it; another process (a web
# worker while ``zhengtong demo`` runs beside it) sees the change within this many seconds.
KEEP_SECONDS = 60.0


def _state() -> tuple[date, date] | None:
    """The loaded demo's (anchor, story day), or None: read once per ``KEEP_SECONDS`` per process and
    database, so that a page does not pay a statement for its footer. Inside a transaction it is read
    each time and not kept: what a transaction sees may yet be rolled back (the test suite's tests each
    run in one)."""
    from zhengtong.core.models import DemoState

    alias = router.db_for_read(DemoState)
    connection = connections[alias]
    if connection.in_atomic_block:
        return _read(alias)
    key = (alias, connection.settings_dict["NAME"])
    now = time.monotonic()
    kept = _KEPT.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    state = _read(alias)
    _KEPT[key] = (now + KEEP_SECONDS, state)
    return state


def _read(alias: str) -> tuple[date, date] | None:
    from zhengtong.core.models import DemoState

    return DemoState.objects.using(alias).order_by("-pk").values_list("anchor", "story_day").first()


def forget_kept(**_signal) -> None:
    """Forget the state read (``_state``): the demo was loaded or wiped, or the table emptied by a flush
    (core.apps connects it to ``post_migrate``, which a flush sends)."""
    _KEPT.clear()


_KEPT: dict[tuple, tuple[float, tuple[date, date] | None]] = {}
_SENTENCES: dict[tuple, str] = {}  # by (anchor, story day) and language


def now_at(today: date) -> datetime:
    """The present time of day on the anchor day: the demo's "now" (the real now when ``today`` is the
    real day, or when the clock has been moved to it)."""
    return timezone.now() + (today - timezone.localdate())
