"""The working-day clocks of resumption: a declaration's answer and a difficulty's acceptance and
resolution, counted by the city's calendar (core.workdays with the statutory holidays and make-up
working days of chinesecalendar, and the city's own entries, core.holidays).

A year the holiday library does not know and the city has not entered is counted Monday–Friday: the
due date is kept with ``confirmed=False``, the page says "holiday calendar not confirmed" and the log
says so too, instead of failing (as permits do)."""

from __future__ import annotations

import logging
from datetime import date

from zhengtong.core import workdays
from zhengtong.core.holidays import city_calendar

log = logging.getLogger(__name__)


def due_after(start: date, days: int, *, calendar: workdays.Calendar | None = None) -> workdays.DueDate:
    """The ``days``-th working day after ``start`` (the day itself not counted)."""
    result = workdays.add_days(start, days, workdays.DayBasis.WORKING, calendar or city_calendar())
    if not result.confirmed:
        log.warning("holiday calendar not confirmed for %s–%s: Monday–Friday counted, due %s",
                    start.isoformat(), result.due.isoformat(), result.due.isoformat())
    return result


def clock_status(due: date, today: date, *, done_on: date | None = None) -> str:
    """"overdue" (past due and not done, or done late), "done", "due_today" or "running"."""
    if done_on is not None:
        return "overdue" if done_on > due else "done"
    if today > due:
        return "overdue"
    return "due_today" if today == due else "running"
