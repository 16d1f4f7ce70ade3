"""Loading the demo city in tests: always at a fixed anchor day with the clock moved to it (time-machine),
never at the real day, so that what a test sees does not change with the calendar."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

from zhengtong.core.demo_clock import STORY_DAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
ANCHOR = STORY_DAY  # the newspaper's own day (2020-02-27): the story's dates are the page's
SHIFTED_ANCHOR = date(2026, 3, 2)  # a later day, a Monday: the story moved by 2,195 days


@contextmanager
def demo_clock(day: date = ANCHOR, at: time = time(10, 0)) -> Iterator[None]:
    """The clock at ``day`` ``at`` in Asia/Shanghai, running on from there (tick), for as long as the
    block lasts; nested, the innermost wins."""
    with time_machine.travel(datetime.combine(day, at, tzinfo=SHANGHAI), tick=True):
        yield
