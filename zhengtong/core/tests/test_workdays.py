"""Statutory time limits (zhengtong.core.workdays). Fixed dates only, never today's date.

Expected dates were worked out by hand from chinesecalendar 1.11's data for 2020, which the first
tests pin down (so a change in the library's data shows up here first)."""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengtong.core.workdays import (
    DEFAULT,
    Calendar,
    ClockState,
    DayBasis,
    DueDate,
    Pause,
    add_days,
    clock,
    days_between,
)

W = DayBasis.WORKING
C = DayBasis.CALENDAR


def d(text: str) -> date:
    return date.fromisoformat(text)


def span(first: str, last: str) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# The library's data, as relied on below ----------------------------------------------------


def test_library_2020_spring_festival_was_extended_to_2_february():
    assert not any(chinese_calendar.is_workday(day) for day in span("2020-01-24", "2020-02-02"))
    assert chinese_calendar.is_workday(d("2020-02-03"))
    assert chinese_calendar.is_workday(d("2020-01-23"))


def test_library_2020_make_up_working_days_on_weekends():
    for sunday in ("2020-01-19", "2020-04-26", "2020-09-27"):
        assert d(sunday).weekday() == 6
        assert chinese_calendar.is_workday(d(sunday))
    for saturday in ("2020-05-09", "2020-10-10"):
        assert d(saturday).weekday() == 5
        assert chinese_calendar.is_workday(d(saturday))


def test_library_2020_qingming_labour_day_and_national_day():
    holidays = span("2020-04-04", "2020-04-06") + span("2020-05-01", "2020-05-05") + span("2020-10-01", "2020-10-08")
    assert not any(chinese_calendar.is_workday(day) for day in holidays)


def test_library_has_no_data_for_2027():
    assert chinese_calendar.is_workday(d("2026-12-31"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-04"))


def test_library_find_workday_rolls_a_holiday_start_forward_first():
    """The trap the module avoids: find_workday counts from the next working day (02-03)."""
    assert chinese_calendar.find_workday(2, d("2020-01-31")) == d("2020-02-05")
    assert add_days(d("2020-01-31"), 2, W).due == d("2020-02-04")


# add_days: working days -------------------------------------------------------------------


def test_two_working_days_after_a_spring_festival_day_2020():
    assert add_days(d("2020-01-31"), 2, W) == DueDate(due=d("2020-02-04"), basis=W, confirmed=True)


def test_the_whole_extended_spring_festival_is_skipped():
    assert add_days(d("2020-01-23"), 1, W).due == d("2020-02-03")
    assert days_between(d("2020-01-23"), d("2020-02-02"), W) == 0


def test_a_make_up_sunday_counts_as_a_working_day():
    assert add_days(d("2020-01-17"), 1, W).due == d("2020-01-19")  # Friday -> make-up Sunday
    assert add_days(d("2020-01-18"), 1, W).due == d("2020-01-19")
    assert add_days(d("2020-01-17"), 2, W).due == d("2020-01-20")
    assert days_between(d("2020-01-17"), d("2020-01-20"), W) == 2


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2020-09-25", 1, "2020-09-27"),  # Friday -> make-up Sunday
        ("2020-09-26", 2, "2020-09-28"),
        ("2020-09-30", 1, "2020-10-09"),  # Oct 1-8 holidays
        ("2020-09-30", 2, "2020-10-10"),  # make-up Saturday
        ("2020-09-30", 3, "2020-10-12"),  # Sunday 10-11 is a rest day
        ("2020-10-01", 1, "2020-10-09"),  # starting on a holiday
    ],
)
def test_national_day_week_2020(start, n, due):
    assert add_days(d(start), n, W).due == d(due)


def test_national_day_week_2020_has_no_working_day_inside():
    assert days_between(d("2020-09-30"), d("2020-10-08"), W) == 0
    assert days_between(d("2020-09-26"), d("2020-10-10"), W) == 6  # 09-27..30, 10-09, 10-10
    assert days_between(d("2020-09-25"), d("2020-10-10"), W) == 6


def test_twenty_working_days_across_qingming_and_labour_day_2020():
    # 04-07..10 (4), 04-13..17 (9), 04-20..24 (14), Sun 04-26 (15), 04-27..30 (19), 05-06 (20)
    accepted = d("2020-04-03")
    assert add_days(accepted, 20, W).due == d("2020-05-06")
    # with the ten-day extension (许可法 Art. 42): 05-07, 05-08, Sat 05-09, 05-11..15, 05-18, 05-19
    assert add_days(accepted, 30, W).due == d("2020-05-19")
    assert days_between(accepted, d("2020-05-06"), W) == 20


def test_zero_days_is_the_start_itself_even_on_a_holiday():
    assert add_days(d("2020-10-03"), 0, W) == DueDate(due=d("2020-10-03"), basis=W, confirmed=True)
    assert add_days(d("2027-05-01"), 0, W).confirmed is True


def test_basis_accepts_its_string_value():
    assert add_days(d("2020-01-23"), 2, "calendar").basis is C
    assert add_days(d("2020-01-23"), 2, "working").due == d("2020-02-04")


# add_days: calendar days ------------------------------------------------------------------


def test_calendar_basis_ignores_holidays_and_weekends():
    assert add_days(d("2020-01-23"), 2, C) == DueDate(due=d("2020-01-25"), basis=C, confirmed=True)
    assert add_days(d("2020-09-30"), 8, C).due == d("2020-10-08")
    assert days_between(d("2020-01-23"), d("2020-02-03"), C) == 11


def test_calendar_basis_is_confirmed_in_years_without_data():
    result = add_days(d("2026-12-20"), 30, C)
    assert result.due == d("2027-01-19")
    assert result.confirmed is True


# Years without data (2027 and later) ------------------------------------------------------


def test_2027_counts_monday_to_friday_and_is_not_confirmed():
    # New Year's Day 2027 is a Friday; without data it counts as a working day.
    assert add_days(d("2026-12-31"), 1, W) == DueDate(due=d("2027-01-01"), basis=W, confirmed=False)
    assert add_days(d("2027-01-01"), 1, W).due == d("2027-01-04")
    assert add_days(d("2027-03-05"), 5, W).due == d("2027-03-12")
    assert days_between(d("2027-03-05"), d("2027-03-14"), W) == 5
    assert not DEFAULT.is_confirmed(d("2027-06-01"))
    assert not DEFAULT.is_workday(d("2027-01-02"))


def test_a_due_date_inside_2026_stays_confirmed():
    result = add_days(d("2026-12-29"), 2, W)
    assert result.due == d("2026-12-31")
    assert result.confirmed is True


def test_years_before_2004_are_not_confirmed_either():
    assert not DEFAULT.is_confirmed(d("2003-06-02"))
    assert add_days(d("2003-06-02"), 1, W) == DueDate(due=d("2003-06-03"), basis=W, confirmed=False)


def test_overrides_for_2027_confirm_the_year_and_skip_its_holidays():
    cal = Calendar(
        extra_holidays=frozenset({d("2027-01-01")} | set(span("2027-02-05", "2027-02-11"))),
        extra_workdays=frozenset({d("2027-02-13")}),  # a make-up Saturday
    )
    assert cal.is_confirmed(d("2027-01-01"))
    assert cal.is_confirmed(d("2027-12-31"))
    assert not cal.is_confirmed(d("2028-01-03"))
    assert add_days(d("2026-12-31"), 1, W, cal) == DueDate(due=d("2027-01-04"), basis=W, confirmed=True)
    # Thu 02-04, then 02-05..11 off, Fri 02-12, make-up Sat 02-13, Mon 02-15
    assert add_days(d("2027-02-04"), 1, W, cal).due == d("2027-02-12")
    assert add_days(d("2027-02-04"), 2, W, cal).due == d("2027-02-13")
    assert add_days(d("2027-02-04"), 3, W, cal).due == d("2027-02-15")
    assert add_days(d("2027-12-30"), 3, W, cal).confirmed is False  # reaches into 2028


def test_overrides_take_precedence_over_the_library():
    cal = Calendar(extra_holidays=frozenset({d("2020-01-20")}), extra_workdays=frozenset({d("2020-01-24")}))
    assert not cal.is_workday(d("2020-01-20"))
    assert cal.is_workday(d("2020-01-24"))
    assert add_days(d("2020-01-19"), 1, W, cal).due == d("2020-01-21")
    assert add_days(d("2020-01-23"), 1, W, cal).due == d("2020-01-24")
    assert DEFAULT.is_workday(d("2020-01-20"))


def test_calendar_accepts_plain_sets_and_stays_hashable():
    cal = Calendar(extra_holidays={d("2027-01-01")})
    assert isinstance(cal.extra_holidays, frozenset)
    assert cal == Calendar(extra_holidays=frozenset({d("2027-01-01")}))
    assert hash(cal) == hash(Calendar(extra_holidays=frozenset({d("2027-01-01")})))


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError, match="both"):
        Calendar(extra_holidays=frozenset({d("2027-01-01")}), extra_workdays=frozenset({d("2027-01-01")}))


# days_between -----------------------------------------------------------------------------


def test_days_between_is_negative_and_symmetrical_backwards():
    assert days_between(d("2020-05-06"), d("2020-04-03"), W) == -20
    assert days_between(d("2020-02-04"), d("2020-01-31"), W) == -2
    assert days_between(d("2020-01-25"), d("2020-01-23"), C) == -2
    assert days_between(d("2020-04-03"), d("2020-04-03"), W) == 0


def test_days_between_counts_the_end_but_not_the_start():
    assert days_between(d("2020-04-06"), d("2020-04-07"), W) == 1  # holiday -> working day
    assert days_between(d("2020-04-07"), d("2020-04-08"), W) == 1
    assert days_between(d("2020-04-03"), d("2020-04-06"), W) == 0  # Friday -> Qingming Monday


# Properties over 2019-2026 ----------------------------------------------------------------

START_DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31))
ANY_DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))


@settings(deadline=None, max_examples=300)
@given(start=START_DATES, n=st.integers(min_value=0, max_value=60), basis=st.sampled_from(list(DayBasis)))
def test_days_between_inverts_add_days(start, n, basis):
    result = add_days(start, n, basis)
    assert days_between(start, result.due, basis) == n
    assert days_between(result.due, start, basis) == -n
    assert result.due >= start


@settings(deadline=None, max_examples=300)
@given(start=START_DATES, n=st.integers(min_value=1, max_value=60))
def test_a_working_day_due_date_is_a_working_day(start, n):
    result = add_days(start, n, W)
    assert DEFAULT.is_workday(result.due)
    assert result.due > start
    assert result.confirmed is (result.due.year <= 2026)
    # one day earlier is one working day fewer: the due date is the earliest with n working days
    assert days_between(start, result.due - timedelta(days=1), W) == n - 1


@settings(deadline=None, max_examples=200)
@given(start=st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 6, 30)), n=st.integers(0, 60))
def test_add_days_agrees_with_the_librarys_own_workday_list(start, n):
    due = add_days(start, n, W).due
    assert len(chinese_calendar.get_workdays(start + timedelta(days=1), due)) == n


@settings(deadline=None, max_examples=300)
@given(start=START_DATES, end=ANY_DATES)
def test_add_days_of_days_between_lands_on_the_last_working_day(start, end):
    """The reverse trip returns ``end`` only when ``end`` is a working day (or the start)."""
    n = days_between(start, end, W)
    if end <= start:
        assert n <= 0
        return
    due = add_days(start, n, W).due
    assert due <= end
    assert days_between(due, end, W) == 0
    if DEFAULT.is_workday(end):
        assert due == end


@settings(deadline=None, max_examples=300)
@given(a=ANY_DATES, b=ANY_DATES, c=ANY_DATES, basis=st.sampled_from(list(DayBasis)))
def test_days_between_is_additive_and_antisymmetric(a, b, c, basis):
    assert days_between(a, b, basis) == -days_between(b, a, basis)
    assert days_between(a, b, basis) + days_between(b, c, basis) == days_between(a, c, basis)


@settings(deadline=None, max_examples=200)
@given(a=ANY_DATES, b=ANY_DATES)
def test_calendar_basis_is_plain_date_arithmetic(a, b):
    assert days_between(a, b, C) == (b - a).days


# clock ------------------------------------------------------------------------------------

ACCEPTED = d("2020-04-03")  # 20 working days -> 2020-05-06 (see above)


def test_clock_running():
    state = clock(ACCEPTED, 20, W, d("2020-04-10"))
    assert state == ClockState(
        started=ACCEPTED,
        due=d("2020-05-06"),
        basis=W,
        limit_days=20,
        extension_days=0,
        used=4,
        remaining=16,
        overdue=False,
        paused=False,
        confirmed=True,
    )
    assert state.status() == "running"


def test_clock_on_the_start_day_has_used_nothing():
    state = clock(ACCEPTED, 20, W, ACCEPTED)
    assert (state.used, state.remaining, state.status()) == (0, 20, "running")


@pytest.mark.parametrize(
    ("today", "used", "remaining", "status"),
    [
        ("2020-04-27", 16, 4, "running"),
        ("2020-04-28", 17, 3, "due_soon"),
        ("2020-04-30", 19, 1, "due_soon"),
        ("2020-05-01", 19, 1, "due_soon"),  # Labour Day holiday: nothing used
        ("2020-05-06", 20, 0, "due_soon"),  # the due day itself is still in time
        ("2020-05-07", 21, 0, "overdue"),
        ("2020-06-30", 59, 0, "overdue"),  # = len(chinese_calendar.get_workdays(04-04, 06-30))
    ],
)
def test_clock_due_soon_and_overdue(today, used, remaining, status):
    state = clock(ACCEPTED, 20, W, d(today))
    assert (state.used, state.remaining, state.status()) == (used, remaining, status)
    assert state.overdue is (status == "overdue")


def test_clock_is_overdue_the_day_after_a_due_date_even_on_a_weekend():
    state = clock(d("2020-06-04"), 1, W, d("2020-06-06"))  # due Friday 06-05, today Saturday
    assert state.due == d("2020-06-05")
    assert (state.used, state.remaining, state.overdue) == (1, 0, True)


def test_a_pause_pushes_due_by_the_working_days_inside_it():
    pause = Pause(d("2020-04-13"), d("2020-04-20"))  # 04-13..04-17: five working days
    state = clock(ACCEPTED, 20, W, d("2020-04-10"), pauses=[pause])
    # 05-06 (20) + 05-07, 05-08, Sat 05-09, 05-11, 05-12
    assert state.due == d("2020-05-12")
    assert state.due == add_days(ACCEPTED, 20 + days_between(d("2020-04-12"), d("2020-04-19"), W), W).due
    assert state.status() == "running"


def test_clock_while_paused():
    pause = Pause(d("2020-04-13"), d("2020-04-20"))
    state = clock(ACCEPTED, 20, W, d("2020-04-15"), pauses=[pause])
    assert (state.used, state.remaining, state.paused, state.status()) == (4, 16, True, "paused")


def test_the_pause_end_day_counts_again():
    pause = Pause(d("2020-04-13"), d("2020-04-20"))
    state = clock(ACCEPTED, 20, W, d("2020-04-20"), pauses=[pause])
    assert (state.used, state.paused, state.status()) == (5, False, "running")
    state = clock(ACCEPTED, 20, W, d("2020-04-13"), pauses=[pause])
    assert (state.used, state.paused) == (4, True)


def test_a_pause_over_holidays_only_does_not_move_due():
    state = clock(ACCEPTED, 20, W, d("2020-04-10"), pauses=[Pause(d("2020-05-01"), d("2020-05-06"))])
    assert state.due == d("2020-05-06")


def test_a_pause_pushes_a_calendar_clock_by_every_day_inside_it():
    state = clock(ACCEPTED, 20, C, d("2020-04-10"), pauses=[Pause(d("2020-04-13"), d("2020-04-20"))])
    assert state.due == d("2020-04-23") + timedelta(days=7)


def test_an_open_pause_lasts_through_today():
    # 04-13, 04-14, 04-15 excluded as of 04-15: due 05-06 + 05-07, 05-08, make-up Sat 05-09
    state = clock(ACCEPTED, 20, W, d("2020-04-15"), pauses=[Pause(d("2020-04-13"))])
    assert (state.due, state.used, state.paused, state.status()) == (d("2020-05-09"), 4, True, "paused")
    later = clock(ACCEPTED, 20, W, d("2020-04-16"), pauses=[Pause(d("2020-04-13"))])
    assert later.due == d("2020-05-11")


def test_an_open_pause_that_has_not_begun_is_ignored():
    state = clock(ACCEPTED, 20, W, d("2020-04-10"), pauses=[Pause(d("2020-04-20"))])
    assert (state.due, state.paused) == (d("2020-05-06"), False)


def test_overlapping_pauses_count_once_and_days_before_the_start_are_irrelevant():
    pauses = [Pause(d("2020-04-13"), d("2020-04-18")), Pause(d("2020-04-15"), d("2020-04-20"))]
    assert clock(ACCEPTED, 20, W, d("2020-04-10"), pauses=pauses).due == d("2020-05-12")
    early = [Pause(d("2020-04-01"), d("2020-04-08"))]  # only 04-07 is after acceptance
    assert clock(ACCEPTED, 20, W, d("2020-04-10"), pauses=early).due == d("2020-05-07")


def test_an_extension_adds_days():
    state = clock(ACCEPTED, 20, W, d("2020-04-10"), extension_days=10)
    assert (state.due, state.extension_days, state.remaining) == (d("2020-05-19"), 10, 26)
    assert clock(ACCEPTED, 20, W, d("2020-05-07"), extension_days=10).status() == "running"


def test_an_extension_and_a_pause_together():
    pause = Pause(d("2020-04-13"), d("2020-04-20"))
    state = clock(ACCEPTED, 20, W, d("2020-04-10"), extension_days=10, pauses=[pause])
    assert state.due == add_days(ACCEPTED, 35, W).due == d("2020-05-26")


def test_stopped_before_due():
    state = clock(ACCEPTED, 20, W, d("2020-06-30"), stopped_on=d("2020-04-28"))
    assert (state.used, state.remaining, state.overdue, state.stopped) == (17, 3, False, True)
    assert state.status() == "stopped"


def test_stopped_on_the_due_date_is_in_time():
    state = clock(ACCEPTED, 20, W, d("2020-06-30"), stopped_on=d("2020-05-06"))
    assert (state.overdue, state.status()) == (False, "stopped")


def test_stopped_after_due_stays_overdue():
    state = clock(ACCEPTED, 20, W, d("2020-06-30"), stopped_on=d("2020-05-07"))
    assert (state.used, state.overdue, state.stopped, state.status()) == (21, True, True, "overdue")


def test_stopped_during_a_pause_is_stopped_not_paused():
    state = clock(ACCEPTED, 20, W, d("2020-06-30"), stopped_on=d("2020-04-15"), pauses=[Pause(d("2020-04-13"))])
    assert (state.paused, state.status(), state.due) == (False, "stopped", d("2020-05-09"))


def test_a_paused_clock_near_its_due_date_is_paused_not_due_soon():
    state = clock(ACCEPTED, 20, W, d("2020-05-05"), pauses=[Pause(d("2020-05-01"))])
    assert (state.remaining, state.status()) == (1, "paused")


def test_a_zero_limit_is_due_on_the_start_day():
    assert clock(ACCEPTED, 0, W, ACCEPTED).status() == "due_soon"
    assert clock(ACCEPTED, 0, W, d("2020-04-04")).status() == "overdue"


def test_calendar_clock_runs_through_national_day():
    state = clock(d("2021-09-30"), 20, C, d("2021-10-05"))
    assert (state.due, state.used, state.remaining, state.basis) == (d("2021-10-20"), 5, 15, C)


def test_clock_into_2027_is_not_confirmed_until_overrides_are_entered():
    state = clock(d("2026-12-21"), 20, W, d("2026-12-28"))
    # 12-22..25 (4), 12-28..31 (8), then Mon-Fri in 2027: 01-01 (9) … 01-18 (20)
    assert (state.due, state.confirmed) == (d("2027-01-18"), False)
    cal = Calendar(extra_holidays=frozenset({d("2027-01-01")}))
    state = clock(d("2026-12-21"), 20, W, d("2026-12-28"), calendar=cal)
    assert (state.due, state.confirmed) == (d("2027-01-19"), True)


def test_clock_overdue_from_2026_into_2027_stays_confirmed():
    state = clock(d("2026-12-01"), 5, W, d("2027-01-11"))
    assert state.confirmed is True
    assert state.overdue is True


# Invalid input ----------------------------------------------------------------------------


def test_negative_days_are_rejected():
    with pytest.raises(ValueError, match="0 or more"):
        add_days(ACCEPTED, -1, W)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit_days": -1}, "limit_days"),
        ({"extension_days": -10}, "extension_days"),
        ({"today": d("2020-04-02")}, "today"),
        ({"stopped_on": d("2020-04-01")}, "before the clock started"),
        ({"stopped_on": d("2020-05-01")}, "after today"),
    ],
)
def test_invalid_clock_inputs_are_rejected(kwargs, message):
    arguments = {"started": ACCEPTED, "limit_days": 20, "basis": W, "today": d("2020-04-10")} | kwargs
    with pytest.raises(ValueError, match=message):
        clock(**arguments)


def test_a_pause_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end before it starts"):
        Pause(d("2020-04-20"), d("2020-04-13"))
    assert Pause(d("2020-04-13"), d("2020-04-13")).covers(d("2020-04-13"), d("2020-04-13")) is False


def test_an_unknown_basis_is_rejected():
    with pytest.raises(ValueError):
        add_days(ACCEPTED, 1, "fortnightly")


def test_datetimes_are_rejected():
    with pytest.raises(TypeError, match="datetime.date"):
        add_days(datetime(2020, 4, 3, 9, 30), 1, W)
    with pytest.raises(TypeError):
        Pause(datetime(2020, 4, 3, 9, 30))
