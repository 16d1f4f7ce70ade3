"""Working days and statutory time limits, for every clock the city runs (permit licensing first;
difficulties and instructions count the same days).

Pure Python: no Django models, no database, no clock. Every function takes the dates it needs
(``today`` included), so results are reproducible and testable with fixed dates.

Day basis. 行政许可法 第八十二条: "本法规定的行政机关实施行政许可的期限以工作日计算，不含法定节假日。"
排污许可管理条例 writes "日" (第九条 3日, 第十二条 20/30/45日, 第十四条 20日) and no text we hold says
whether those are working days (see ``shared/reference/permit-rules.md`` §2). The basis is
therefore a per-rule setting, :class:`DayBasis`, and every result says which basis it used.

Holiday data. Statutory holidays and make-up working days (调休) come from ``chinesecalendar``
(data 2004–2026 in version 1.11; any other year raises ``NotImplementedError``), overridden by the
city administrator's entries (``core.models.HolidayOverride``, read by
``core.holidays.city_calendar``) in :class:`Calendar`. For a year without data and without entries,
Monday–Friday count as working days and results are marked ``confirmed=False`` ("holiday calendar
not confirmed").

Counting. "The n-th working day after ``start``" is found by stepping one day at a time from
``start + 1`` and asking :meth:`Calendar.is_workday`. ``chinese_calendar.find_workday`` is not
used: it first rolls a start date that falls on a holiday forward to a working day and counts
from there (``find_workday(2, 2020-01-31)`` gives 2020-02-05; the statutory answer is 2020-02-04).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import chinese_calendar

__all__ = [
    "DEFAULT",
    "DUE_SOON_DAYS",
    "Calendar",
    "ClockState",
    "DayBasis",
    "DueDate",
    "Pause",
    "add_days",
    "clock",
    "days_between",
]

ONE_DAY = timedelta(days=1)
DUE_SOON_DAYS = 3
"""A running clock with at most this many counted days left is "due_soon"."""


class DayBasis(StrEnum):
    """How a time limit is counted.

    ``WORKING``: working days without statutory holidays (行政许可法 第八十二条), make-up working
    days on weekends counted. ``CALENDAR``: every day counts, holidays included.
    """

    WORKING = "working"
    CALENDAR = "calendar"


def _require_date(value: object, name: str) -> date:
    """Accept a ``date`` only: a ``datetime`` would silently carry a time into due dates."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


@functools.cache
def _library_has_year(year: int) -> bool:
    """True when chinesecalendar holds holiday data for ``year`` (2004–2026 in version 1.11)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=16384)
def _library_is_workday(day: date) -> bool | None:
    """chinesecalendar's answer for ``day``, or None for a year it has no data for. Cached: the
    library scans its whole table on every call to check the year."""
    if not _library_has_year(day.year):
        return None
    return chinese_calendar.is_workday(day)


@dataclass(frozen=True)
class Calendar:
    """The statutory holiday calendar with the city administrator's overrides.

    ``extra_holidays`` and ``extra_workdays`` apply to any year and take precedence over
    chinesecalendar, so the administrator can enter the State Council's holiday notice for a year
    the library does not cover yet (2027 and later) or correct a library entry. A date may not be
    in both sets.

    A year is *confirmed* when chinesecalendar has data for it **or** the overrides contain at least
    one date in that year: entering any holiday or make-up day for a year is taken as the
    administrator confirming that year's calendar (so enter the whole notice at once).
    """

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        holidays = frozenset(self.extra_holidays)
        workdays = frozenset(self.extra_workdays)
        for day in holidays | workdays:
            _require_date(day, "a calendar override")
        both = holidays & workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"a date cannot be both an extra holiday and an extra working day: {listed}")
        object.__setattr__(self, "extra_holidays", holidays)
        object.__setattr__(self, "extra_workdays", workdays)

    @functools.cached_property
    def _override_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.extra_holidays | self.extra_workdays)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day: overrides first, then chinesecalendar (which counts
        make-up working days on weekends as working days), else Monday–Friday for years without
        data."""
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        library = _library_is_workday(day)
        return day.weekday() < 5 if library is None else library

    def is_confirmed(self, day: date) -> bool:
        """Whether the holiday data for ``day``'s year is confirmed (library data or any override
        in that year)."""
        return _library_has_year(day.year) or day.year in self._override_years

    def years_confirmed(self, first: date, last: date) -> bool:
        """Whether every year from ``first``'s to ``last``'s (in either order) is confirmed."""
        low, high = sorted((first.year, last.year))
        return all(self.is_confirmed(date(year, 1, 1)) for year in range(low, high + 1))


DEFAULT = Calendar()
"""chinesecalendar alone, without overrides."""


@dataclass(frozen=True)
class DueDate:
    """A computed due date.

    ``confirmed`` is False when any day examined to reach ``due`` lies in a year whose holiday
    calendar is not confirmed (see :class:`Calendar`). A ``CALENDAR``-basis result is always
    confirmed: it does not depend on holiday data.
    """

    due: date
    basis: DayBasis
    confirmed: bool


def _counts(day: date, basis: DayBasis, calendar: Calendar) -> bool:
    return basis is DayBasis.CALENDAR or calendar.is_workday(day)


def _nth_counted_day(start: date, n: int, counts: Callable[[date], bool]) -> date:
    """The ``n``-th day after ``start`` for which ``counts(day)`` is true; ``start`` when n == 0."""
    day, seen = start, 0
    while seen < n:
        day += ONE_DAY
        if counts(day):
            seen += 1
    return day


def _count_in(start: date, end: date, counts: Callable[[date], bool]) -> int:
    """How many days in ``(start, end]`` satisfy ``counts``; 0 when end <= start."""
    return sum(1 for offset in range(1, (end - start).days + 1) if counts(start + timedelta(days=offset)))


def _confirmed(start: date, end: date, basis: DayBasis, calendar: Calendar) -> bool:
    if basis is DayBasis.CALENDAR or end <= start:
        return True
    return calendar.years_confirmed(start + ONE_DAY, end)


def add_days(start: date, n: int, basis: DayBasis, calendar: Calendar = DEFAULT) -> DueDate:
    """The ``n``-th working (or calendar) day after ``start``; ``start`` itself is not counted.

    A limit "自受理申请之日起20日内" (排污许可管理条例 第十二条, 行政许可法 第四十二条) runs from the
    day after acceptance: ``add_days(accepted, 20, basis)``. With the WORKING basis the result is
    always a working day (for n >= 1). ``n == 0`` returns ``start``.

    Raises ``ValueError`` when ``n`` is negative.
    """
    _require_date(start, "start")
    basis = DayBasis(basis)
    if n < 0:
        raise ValueError(f"the number of days must be 0 or more, got {n}")
    due = _nth_counted_day(start, n, lambda day: _counts(day, basis, calendar))
    return DueDate(due=due, basis=basis, confirmed=_confirmed(start, due, basis, calendar))


def days_between(start: date, end: date, basis: DayBasis, calendar: Calendar = DEFAULT) -> int:
    """The number of working (or calendar) days in ``(start, end]``.

    Negative when ``end`` is before ``start``: ``days_between(a, b) == -days_between(b, a)``.
    Inverse of :func:`add_days`: ``days_between(d, add_days(d, n).due) == n``.
    """
    _require_date(start, "start")
    _require_date(end, "end")
    basis = DayBasis(basis)
    if end < start:
        return -days_between(end, start, basis, calendar)
    return _count_in(start, end, lambda day: _counts(day, basis, calendar))


@dataclass(frozen=True)
class Pause:
    """A period the clock stands still (行政许可法 第四十五条: 听证、检验、检测、鉴定、专家评审 … "所需时间
    不计算在本节规定的期限内").

    Half-open: the clock stops on ``start`` and runs again on ``end``. Days ``start <= d < end`` are
    not counted; ``end`` itself counts again (e.g. the day the expert report is received).
    ``end=None``: the pause has not ended yet. ``end == start`` is an empty pause.
    Raises ``ValueError`` when ``end`` is before ``start``.
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        _require_date(self.start, "pause start")
        if self.end is not None:
            _require_date(self.end, "pause end")
            if self.end < self.start:
                raise ValueError(
                    f"a pause cannot end before it starts (start {self.start.isoformat()}, end {self.end.isoformat()})"
                )

    def covers(self, day: date, as_of: date) -> bool:
        """Whether ``day`` is inside the pause. An open pause (``end=None``) is taken to last
        through ``as_of`` (the clock would restart the day after), or to be empty if it starts
        later than that."""
        end = self.end if self.end is not None else max(self.start, as_of + ONE_DAY)
        return self.start <= day < end


@dataclass(frozen=True)
class ClockState:
    """A statutory clock as of one date.

    ``used``: counted days elapsed after ``started`` up to the evaluation date (``today``, or
    ``stopped_on`` when the clock was stopped), pause days excluded. ``remaining``: counted days
    left until ``due``, never negative (``overdue`` says the limit has passed). ``confirmed``: False
    when ``due`` depends on a year whose holiday calendar is not confirmed (any day from
    ``started + 1`` to ``due``); days counted after an already-passed due date do not matter.
    ``stopped``: the clock was stopped (a decision was taken on ``stopped_on``).
    """

    started: date
    due: date
    basis: DayBasis
    limit_days: int
    extension_days: int
    used: int
    remaining: int
    overdue: bool
    paused: bool
    confirmed: bool
    stopped: bool = False

    def status(self) -> str:
        """One of, in this order of precedence: ``"overdue"`` (the limit has passed, or the clock
        was stopped after its due date), ``"stopped"`` (decided in time), ``"paused"``,
        ``"due_soon"`` (at most ``DUE_SOON_DAYS`` counted days left, due day included) and
        ``"running"``."""
        if self.overdue:
            return "overdue"
        if self.stopped:
            return "stopped"
        if self.paused:
            return "paused"
        if self.remaining <= DUE_SOON_DAYS:
            return "due_soon"
        return "running"


def _validate_clock(started: date, limit_days: int, extension_days: int, today: date, stopped_on: date | None) -> None:
    _require_date(started, "started")
    _require_date(today, "today")
    if limit_days < 0:
        raise ValueError(f"limit_days must be 0 or more, got {limit_days}")
    if extension_days < 0:
        raise ValueError(f"extension_days must be 0 or more, got {extension_days}")
    if today < started:
        raise ValueError(f"today ({today.isoformat()}) is before the clock started ({started.isoformat()})")
    if stopped_on is not None:
        _require_date(stopped_on, "stopped_on")
        if stopped_on < started:
            raise ValueError(
                f"stopped_on ({stopped_on.isoformat()}) is before the clock started ({started.isoformat()})"
            )
        if stopped_on > today:
            raise ValueError(f"stopped_on ({stopped_on.isoformat()}) is after today ({today.isoformat()})")


def _in_pause(day: date, pauses: Iterable[Pause], as_of: date) -> bool:
    return any(p.covers(day, as_of) for p in pauses)


def clock(
    started: date,
    limit_days: int,
    basis: DayBasis,
    today: date,
    *,
    pauses: Sequence[Pause] = (),
    extension_days: int = 0,
    stopped_on: date | None = None,
    calendar: Calendar = DEFAULT,
) -> ClockState:
    """The state of a statutory clock on ``today``.

    - The limit runs from ``started`` (the day of acceptance, not counted itself): 排污许可管理条例
      第十二条 "自受理申请之日起20日内", 行政许可法 第四十二条.
    - ``extension_days`` are added to the limit (行政许可法 第四十二条: "可以延长十日").
    - Days inside ``pauses`` are not counted and push ``due`` later (行政许可法 第四十五条); see
      :class:`Pause` for the half-open convention. Overlapping pauses are merged. An open pause
      is taken to last through the evaluation date, so ``due`` is the earliest possible one if the
      clock restarted the next day.
    - ``stopped_on`` (the day the decision was taken) freezes the clock: ``used`` counts up to that
      day, and the clock is overdue if it was stopped after ``due``.
    - ``today`` is always passed in; this function never reads the system clock.

    Raises ``ValueError`` for a negative limit or extension, ``today`` or ``stopped_on`` before
    ``started``, or ``stopped_on`` after ``today``.
    """
    _validate_clock(started, limit_days, extension_days, today, stopped_on)
    basis = DayBasis(basis)
    as_of = stopped_on if stopped_on is not None else today

    def counts(day: date) -> bool:
        return not _in_pause(day, pauses, as_of) and _counts(day, basis, calendar)

    total = limit_days + extension_days
    due = _nth_counted_day(started, total, counts)
    used = _count_in(started, as_of, counts)
    stopped = stopped_on is not None
    return ClockState(
        started=started,
        due=due,
        basis=basis,
        limit_days=limit_days,
        extension_days=extension_days,
        used=used,
        remaining=max(total - used, 0),
        overdue=as_of > due,
        paused=not stopped and _in_pause(as_of, pauses, as_of),
        confirmed=_confirmed(started, due, basis, calendar),
        stopped=stopped,
    )
