"""The quantities a row compares, worked out from what the unit entered (pure: no database).

- Catalogue note 2 (表注2) for the rows that count solvents, coatings, inks and adhesives (32, 35, 39,
  81, 85, 86, 89, 111): "其投运满三年的，使用量按照近三年年最大量确定；其投运满一年但不满三年的，使用量按投运期间
  年最大量确定；其未投运或者投运不满一年的，按照环境影响报告书（表）批准文件确定。投运日期为排污单位发生实际排污
  行为的日期". The unit enters its start of operation (``operation_start``, the first day of actual
  discharge), its yearly quantities by calendar year and the EIA approval's figure:
  ``{"years": {"2023": 12.5, ...}, "eia": 15}``. Our reading of "近三年" and "投运期间" by calendar
  year (the text does not say): the three calendar years before the year of the classification
  day; for a unit in operation one to three years, the calendar years from its start up to the
  year before (the first one may be partial). A figure declared as one number (before the years
  were asked) is used as declared, and the page says that the years are not given.
- Boiler output (rows 96, 109) entered in t/h or in MW: the catalogue prints each threshold in both
  units, "20吨/小时（14兆瓦）" and "1吨/小时（0.7兆瓦）"; both pairs are 0.7 MW per t/h, so MW is converted
  to t/h by ×20/14 (exactly, in decimals: 14 MW is 20 t/h, 0.7 MW is 1 t/h), and the catalogue
  loader checks that every threshold a rule compares such a fact with is one of the printed pairs.
- Electric boilers: row 109's cells and row 96's leave them out ("不含电热锅炉"); the unit says
  whether all its boilers are electric (``boilers_all_electric``). A unit that gives the output of
  its other boilers (more than 0 t/h) has boilers that are not electric, which is not asked again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

OPERATION_START = "operation_start"
ALL_ELECTRIC = "boilers_all_electric"
BOILER_OUTPUTS = ("boiler_max_tph", "boiler_total_tph")
INF = math.inf

# How a quantity was worked out (the page names it, with the year).
THREE_YEARS = "note2_three_years"  # largest year of the last three
SINCE_START = "note2_since_start"  # largest year since operation (one to three years)
EIA = "note2_eia"  # not yet operating or under a year: the EIA approval's figure
DECLARED = "declared"  # one figure, the years not given
MW = "mw"  # entered in MW, converted
IMPLIED = "implied"  # worked out from another fact


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way the quantity may be worked out: its value lies in [low, high]; exact when equal."""

    how: str
    low: float
    high: float
    year: int | None = None  # the year whose quantity it is (exact) or the largest year given so far
    missing: tuple[str, ...] = ()  # what is still needed for this way (sub-keys: ``fact__2023``)


@dataclass(frozen=True, slots=True)
class Derived:
    """A quantity worked out from what the unit entered. ``candidates`` has one entry once the way
    is known (the start of operation given); ``value`` is set when it is exact."""

    key: str
    candidates: tuple[Candidate, ...]
    entered: object = None
    start_missing: bool = False

    @property
    def value(self) -> float | None:
        if len(self.candidates) == 1 and self.candidates[0].low == self.candidates[0].high:
            return self.candidates[0].low
        return None

    def answer(self, op: str, threshold: float) -> tuple[bool | None, tuple[str, ...]]:
        """The comparison ``quantity op threshold`` in three values, with what it still needs."""
        answers = []
        missing: list[str] = []
        for c in self.candidates:
            a = _compare(c, op, threshold)
            answers.append(a)
            if a is None:
                missing.extend(c.missing)
        if answers and all(a is True for a in answers):
            return True, ()
        if answers and all(a is False for a in answers):
            return False, ()
        if self.start_missing:
            missing.insert(0, OPERATION_START)
        return None, tuple(dict.fromkeys(missing))


def _compare(c: Candidate, op: str, t: float) -> bool | None:
    if op in (">=", ">"):
        test = (lambda v: v >= t) if op == ">=" else (lambda v: v > t)
        if test(c.low):
            return True
        return False if not test(c.high) else None
    test = (lambda v: v <= t) if op == "<=" else (lambda v: v < t)
    if not test(c.low):
        return False
    return True if test(c.high) else None


def parse_day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _window(key: str, how: str, first: int, last: int, years: dict[int, float]) -> Candidate:
    """The largest year of ``first``–``last``: exact when every year is given, else at least the
    largest given so far."""
    span = range(first, last + 1)
    given = [(years[y], y) for y in span if y in years]
    lacking = tuple(f"{key}__{y}" for y in span if y not in years)
    if given:
        value, year = max(given)
    else:
        value, year = 0.0, None
    return Candidate(how, value, value if not lacking else INF, year, lacking)


def note2(key: str, entered: dict, start: date | None, as_of: date) -> Derived:
    """Note 2's quantity for one fact on ``as_of`` (see the module's docstring)."""
    raw_years = entered.get("years") or {}
    years: dict[int, float] = {}
    if isinstance(raw_years, dict):
        for y, q in raw_years.items():
            number = _number(q)
            if number is not None and str(y).isdigit():
                years[int(y)] = number
    eia_value = _number(entered.get("eia"))
    eia = (Candidate(EIA, eia_value, eia_value) if eia_value is not None
           else Candidate(EIA, 0.0, INF, missing=(f"{key}__eia",)))
    three = _window(key, THREE_YEARS, as_of.year - 3, as_of.year - 1, years)
    if start is None:
        # Which case holds is not known: every way it could be worked out (a start one to three
        # years ago begins in one of the last three calendar years).
        since = tuple(_window(key, SINCE_START, y, as_of.year - 1, years)
                      for y in range(as_of.year - 3, as_of.year))
        return Derived(key, (three, *since, eia), entered, start_missing=True)
    if start > as_of or years_later(start, 1) > as_of:
        return Derived(key, (eia,), entered)
    if years_later(start, 3) <= as_of:
        return Derived(key, (three,), entered)
    return Derived(key, (_window(key, SINCE_START, start.year, as_of.year - 1, years),), entered)


def mw_to_tph(value: float) -> float:
    """Catalogue rows 96 and 109: 20吨/小时（14兆瓦）, 1吨/小时（0.7兆瓦）: t/h = MW × 20 / 14."""
    try:
        return float(Decimal(str(value)) * 20 / 14)
    except InvalidOperation:
        return math.nan


_NOT_ALL_ELECTRIC = Derived(ALL_ELECTRIC, (Candidate(IMPLIED, 0.0, 0.0),), None)


def derive(facts: dict, note2_keys: tuple[str, ...], unit_keys: tuple[str, ...], as_of_day) -> tuple[dict, dict]:
    """The facts as the rules read them and how each worked-out one was worked out.

    ``facts`` is returned as it is when nothing needs working out (the common case: no copy).
    ``as_of_day`` is a date or a callable giving it (asked only when a note 2 quantity needs it).
    A quantity that cannot be worked out yet is left as a ``Derived`` (the rules then read it in
    three values)."""
    out: dict | None = None
    derived: dict[str, Derived] = {}
    if dict not in map(type, facts.values()):  # the common case: nothing entered by year or in MW
        note2_keys = unit_keys = ()
    for key in note2_keys:
        value = facts.get(key)
        if type(value) is dict:
            if out is None:
                out = dict(facts)
            as_of = as_of_day() if callable(as_of_day) else as_of_day
            d = note2(key, value, parse_day(facts.get(OPERATION_START)), as_of)
            derived[key] = d
            out[key] = d.value if d.value is not None else d
    for key in unit_keys:
        value = facts.get(key)
        if type(value) is dict:
            if out is None:
                out = dict(facts)
            number = _number(value.get("value"))
            if number is None:
                out.pop(key, None)
                continue
            tph = mw_to_tph(number) if value.get("unit") == "MW" else number
            out[key] = tph
            derived[key] = Derived(key, (Candidate(MW if value.get("unit") == "MW" else DECLARED, tph, tph),), value)
    source = out if out is not None else facts
    if source.get("has_boiler") is True and ALL_ELECTRIC not in source:
        output = max((v for v in (_number(source.get(k)) for k in BOILER_OUTPUTS) if v is not None), default=None)
        if output is not None and output > 0:
            if out is None:
                out = dict(facts)
            out[ALL_ELECTRIC] = False
            derived[ALL_ELECTRIC] = _NOT_ALL_ELECTRIC
    return (out if out is not None else facts), derived
