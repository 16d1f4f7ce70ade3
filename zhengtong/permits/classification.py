"""Deciding a unit's management class from the 2019 catalogue (pure: no database).

The order of the reading, each step from the catalogue's own articles:

1. The general processes (rows 109–112: boilers, industrial furnaces, surface treatment, water
   treatment) are read first, each only when the unit has that process (``applies``).
2. Each of the unit's industries is read against the rows 1–107 that name it (by GB/T 4754
   code, never by name); an industry no row names falls to row 108 (其他行业). Within a row the
   cells are read key → simplified → registration, and the first that holds decides, so that
   "其他" and "除重点管理以外的" mean what they say. A row reads its line's own facts (``lines``:
   a fermentation process of the drinks line is not the starch line's) with the whole unit's.
3. Art. 5 gives one permit for several industries at one site; its class is the strictest any
   row gives (our inference from Art. 5, stated in every explanation; ``STRICTEST_NOTE``).
4. Art. 6: a unit in rows 1–107 whose permit duty comes only from its general processes needs
   a permit for those processes only. Art. 7: a unit in row 108 files for its general processes,
   and needs a key-management permit for the whole facility in the six cases the article lists.
5. A fact the unit has not given is never guessed: if it could change the answer, the result
   is "undetermined" and names the facts still needed.
6. Where the text itself does not settle the class or what the permit covers (the rules file's
   ``[readings]``: rows 61, 62, 75; row 108 with an Art. 7 case but no general process; Art. 5's
   one permit over a line at registration level; Art. 6 at registration level), the result is
   "needs review" (``REVIEW``) with both readings (``OpenPoint``), until a reviewer's decision
   for that point is given in ``decisions``. A point's key carries a fingerprint of the facts it
   rests on, so that a changed fact asks again.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from zhengtong.permits.catalogue import (
    CLASSES,
    GENERAL_PROCESS_ROWS,
    KEY,
    OTHER_INDUSTRIES_ROW,
    RANK,
    REGISTRATION,
    Catalogue,
    Context,
    Row,
    evaluate,
    load_catalogue,
)
from zhengtong.permits.quantities import Derived, derive

NONE = "none"  # outside the catalogue: neither permit nor registration
UNDETERMINED = "undetermined"
REVIEW = "review"  # the text does not settle it: a reviewer decides between two readings
OUTCOMES = (KEY, "simplified", REGISTRATION, NONE, UNDETERMINED, REVIEW)

WHOLE = "whole"  # the permit covers the whole facility
GENERAL_ONLY = "general_processes"  # Art. 6 / Art. 7: only the general processes
PERMIT_LINES = "permit_lines"  # Art. 5, one reading: the permit covers the lines that need one

# Open readings the engine finds itself (the rows' own are named in the rules file).
ART7_OPEN = "art7_without_general"
ART5_OPEN = "art5_one_permit"
ART6_OPEN = "art6_registration"

STRICTEST_NOTE = "art5_strictest"
ART6_NOTE = "art6_general_only"
ART7_NOTE = "art7_general_only"
ART7_WHOLE_NOTE = "art7_whole"
ART8_NOTE = "art8_not_in_catalogue"
NOTE1_NOTE = "note1_industrial_building"


class ClassificationInputError(ValueError):
    """The unit cannot be classified as given (no industry, an unknown code)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code = field, code


@dataclass(slots=True)
class Finding:
    """What one catalogue row says about the unit."""

    row: int
    code: str  # the industry read ("" for a general-process row)
    management_class: str | None  # key / simplified / registration, None = this row gives none
    undetermined: bool = False
    alternative: str = ""  # the rule that decided
    read: tuple[tuple[str, object], ...] = ()  # the facts that decided it (see ``facts``)
    missing: tuple[str, ...] = ()
    via_general: bool = False  # decided through the general processes
    source: tuple | None = None  # (alternative, facts, general): ``facts`` worked out when asked
    open: str = ""  # an open reading holds for this row (its key in the rules file)
    could_be: int = 0  # while undetermined: the rank of the strictest class the missing facts could give

    @property
    def facts(self) -> tuple[tuple[str, object], ...]:
        if self.source is not None:
            return _read(*self.source)
        return self.read

    @property
    def rank(self) -> int:
        return RANK[self.management_class]


@dataclass(frozen=True, slots=True)
class OpenPoint:
    """A place where the text leaves this unit's class (or what its permit covers) open."""

    reading: str  # the reading's key in the rules file
    key: str  # reading + fingerprint of the facts it rests on: a decision holds while it is the same
    row: int = 0
    code: str = ""
    chosen: str = ""  # "a" or "b": the reviewer's decision that applies; "" = needs review

    def as_dict(self) -> dict[str, object]:
        return {"reading": self.reading, "key": self.key, "row": self.row, "code": self.code,
                "chosen": self.chosen}


@dataclass
class Result:
    management_class: str  # one of OUTCOMES
    scope: str = ""  # WHOLE, GENERAL_ONLY or PERMIT_LINES when a permit or registration is needed
    findings: list[Finding] = field(default_factory=list)
    deciding: Finding | None = None
    at_least: str | None = None  # while undetermined or under review: the class already certain
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    open: tuple[OpenPoint, ...] = ()  # every open reading found, decided or not
    derived: dict[str, Derived] = field(default_factory=dict)  # quantities worked out (permits.quantities)

    @property
    def needs_permit(self) -> bool:
        return self.management_class in (KEY, "simplified")


def read_row(row: Row, ctx: Context) -> Finding:
    """Read one row's cells in order; the first cell that holds decides. A fact that is missing
    matters only if it could have made a stricter cell hold."""
    if row.fast is not None and not (row.uses_general and ctx.general_missing):
        try:
            index = row.fast(ctx.facts, ctx.code, RANK[ctx.general])
        except (KeyError, TypeError, ValueError):  # a fact missing, or stored in a shape no longer read
            pass
        else:
            if index < 0:
                return Finding(row.number, ctx.code, None)
            cls, alternative = row.flat[index]
            return Finding(row.number, ctx.code, cls, False, alternative.text, via_general=alternative.uses_general,
                           source=(alternative, ctx.facts, ctx.general))
    return read_row_slowly(row, ctx)


def _read(alternative, facts: dict, general: str | None) -> tuple[tuple[str, object], ...]:
    """The facts an alternative that holds has read, as the three-valued reading reports them."""
    used = []
    for part in alternative.parts:
        if part.startswith("general "):
            used.append(("general", general))
            continue
        name = "in_industrial_building" if part == "industrial" else part.split()[0].lstrip("!")
        if name in facts:
            used.append((name, facts[name]))
    return tuple(used)


def read_row_slowly(row: Row, ctx: Context) -> Finding:
    """The three-valued reading, which names the facts still missing."""
    stricter_missing: list[str] = []
    could_be = 0
    for cls in CLASSES:
        cell_missing: list[str] = []
        for alternative in row.rules[cls]:
            value, used, lacked = evaluate(alternative, ctx)
            if value:
                if stricter_missing:
                    return Finding(row.number, ctx.code, cls, True, alternative.text, used,
                                   tuple(dict.fromkeys(stricter_missing)), could_be=could_be)
                return Finding(row.number, ctx.code, cls, False, alternative.text, used,
                               via_general=alternative.uses_general)
            if value is None:
                cell_missing.extend(lacked)
        if cell_missing and not could_be:
            could_be = RANK[cls]
        stricter_missing.extend(cell_missing)
    if stricter_missing:
        return Finding(row.number, ctx.code, None, True, missing=tuple(dict.fromkeys(stricter_missing)),
                       could_be=could_be)
    return Finding(row.number, ctx.code, None)


def general_processes(catalogue: Catalogue, facts: dict) -> tuple[list[Finding], str | None, tuple]:
    """Rows 109–112 for the processes the unit has: the findings, the class they give and the
    facts still needed (when a stricter class cannot be ruled out)."""
    ctx = Context("", facts, None, ())
    findings: list[Finding] = []
    missing: list[str] = []
    for number in GENERAL_PROCESS_ROWS:
        row = catalogue.rows[number]
        # ``applies`` starts with the process's yes/no fact (has_boiler …): a unit without it is done.
        has = facts.get(row.applies.facts[0])
        if has is False:
            continue
        lacked: tuple = ()
        if has is None or len(row.applies.parts) > 1:
            has, _used, lacked = evaluate(row.applies, ctx)
        if has is None:
            # Whether the row applies is not known: the class it could give is the one its cells
            # would give if it applied, and the facts those cells lack are asked with it.
            inner = read_row(row, ctx)
            findings.append(Finding(number, "", None, True, missing=tuple(dict.fromkeys(lacked + inner.missing)),
                                    could_be=max(inner.rank, inner.could_be)))
            continue
        if not has:
            continue
        findings.append(read_row(row, ctx))
    best, best_rank = None, 0
    for f in findings:
        if not f.undetermined and RANK[f.management_class] > best_rank:
            best, best_rank = f.management_class, RANK[f.management_class]
    for f in findings:
        if f.undetermined and f.could_be > best_rank:  # only what could make the processes stricter
            missing.extend(f.missing)
    return findings, best, tuple(dict.fromkeys(missing))


@cache
def industry_classes() -> frozenset[str]:
    """The 1,382 GB/T 4754-2017 classes (registry/data/gbt4754-2017.csv): the codes a unit can have."""
    import csv

    from zhengtong.registry.refdata import DATA_DIR

    with open(DATA_DIR / "gbt4754-2017.csv", encoding="utf-8", newline="") as f:
        return frozenset(row["code"] for row in csv.DictReader(f) if row["level"] == "class")


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def classify(industry_codes: list[str], facts: dict, catalogue: Catalogue | None = None,
             decisions: Mapping[str, str] | None = None, as_of: date | None = None,
             lines: Mapping[str, dict] | None = None) -> Result:
    """The unit's management class, with the rows and facts that decided it. ``facts``: the facts
    of the whole fixed source (the catalogue's ``unit_facts``); ``lines``: each industry line's own
    facts by industry code, read only by that code's rows (a fact given in ``facts`` is read by
    every line). ``decisions`` maps an open point's key to the reading a reviewer chose ("a" or
    "b"). ``as_of``: the classification day, from which catalogue note 2 counts the years of
    operation (default: today)."""
    catalogue = catalogue or load_catalogue()
    if not industry_codes:
        raise ClassificationInputError("industry", "", "no_industry")
    day = as_of or _today
    facts, derived = derive(facts, catalogue.note2_keys, catalogue.unit_keys, day)
    by_line: dict[str, dict] = {}
    if lines:
        for code, own in lines.items():
            if not own:
                continue
            by_line[code] = merged = {**facts, **own}
            if dict in map(type, own.values()):  # a line's quantity entered by year or in MW
                by_line[code], line_derived = derive(merged, catalogue.note2_keys, catalogue.unit_keys, day)
                for key, d in line_derived.items():
                    if key not in derived:
                        derived[line_key(code, key)] = d
    result = _classify(industry_codes, facts, catalogue, decisions, by_line)
    if derived:
        result.derived = derived
    return result


def line_key(code: str, key: str) -> str:
    """A fact of one industry line as the results name it (``1511:has_fermentation``)."""
    return f"{code}:{key}"


def _classify(industry_codes: list[str], facts: dict, catalogue: Catalogue,
              decisions: Mapping[str, str] | None, by_line: Mapping[str, dict]) -> Result:
    general_findings, general, general_missing = general_processes(catalogue, facts)
    findings: list[Finding] = []
    in_other_row = False
    opened = False
    for code in dict.fromkeys(industry_codes):
        if code not in industry_classes():
            raise ClassificationInputError("industry", code, "unknown_code")
        numbers = catalogue.line_rows(code)
        in_other_row = in_other_row or numbers == (OTHER_INDUSTRIES_ROW,)
        ctx = Context(code, by_line.get(code, facts), general, general_missing)
        for n in numbers:
            row = catalogue.rows[n]
            finding = read_row(row, ctx)
            if (row.open and not finding.undetermined
                    and RANK[finding.management_class] < catalogue.readings[row.open].top_rank
                    and _holds(row.open_when, ctx)):
                finding.open, opened = row.open, True
            elif (n == OTHER_INDUSTRIES_ROW and finding.management_class == KEY and not finding.via_general
                  and not finding.undetermined and general is None and not general_missing):
                finding.open, opened = ART7_OPEN, True  # an Art. 7 case, and no general process
            findings.append(finding)
    findings.extend(general_findings)
    points = _row_points(findings, catalogue, facts, by_line, decisions or {}) if opened else []
    result = _combine(findings, in_other_row, facts, catalogue)
    if result.management_class in (KEY, "simplified", REGISTRATION):
        points += _article_points(result, findings, in_other_row, catalogue, decisions or {})
    if not points:
        return result
    result.open = tuple(points)
    if result.management_class != UNDETERMINED and any(not p.chosen for p in points):
        at_least = result.management_class if result.management_class in (KEY, "simplified", REGISTRATION) else None
        return Result(REVIEW, findings=findings, at_least=at_least, notes=result.notes, open=result.open)
    return result


def _holds(alternatives, ctx: Context) -> bool:
    return any(evaluate(a, ctx)[0] is True for a in alternatives)


def point_key(reading: str, basis: tuple) -> str:
    """The key of an open point: the reading and a fingerprint of what it rests on (stable across
    processes: a decision stored under it is found again while these facts stay the same)."""
    return f"{reading}:{zlib.crc32(repr(basis).encode()):08x}"


def _option_class(value: str, same: str | None) -> str | None:
    if value == "same":
        return same
    return None if value == NONE else value


def _row_points(findings: list[Finding], catalogue: Catalogue, facts: dict, by_line: Mapping[str, dict],
                decisions: Mapping[str, str]) -> list[OpenPoint]:
    """The open readings of single rows (61, 62, 75; 108 with Art. 7): a decided point gives its
    row the reading's class, an undecided one gives it none while the reviewer is asked."""
    points = []
    for f in findings:
        if not f.open:
            continue
        row = catalogue.rows[f.row]
        read = by_line.get(f.code, facts)
        basis = (f.open, f.row, f.code, tuple((k, read.get(k)) for k in row.facts))
        key = point_key(f.open, basis)
        choice = decisions.get(key, "")
        if choice in ("a", "b"):
            option = catalogue.readings[f.open].option(choice)
            f.management_class = _option_class(option.management_class, f.management_class)
            f.alternative = f"reading {choice}"
            f.via_general, f.source = False, None
        else:
            choice = ""
            f.management_class = None
        points.append(OpenPoint(f.open, key, f.row, f.code, choice))
    return points


def _article_points(result: Result, findings: list[Finding], in_other_row: bool, catalogue: Catalogue,
                    decisions: Mapping[str, str]) -> list[OpenPoint]:
    """Art. 5 (one permit over a line at registration level) and Art. 6 at registration level: the
    class is the same on both readings, what the permit or registration covers is not."""
    points = []
    if result.scope == WHOLE:
        ranks: dict[str, int] = {}
        for f in findings:
            if f.code and not f.undetermined and f.row not in GENERAL_PROCESS_ROWS:
                ranks[f.code] = max(ranks.get(f.code, 0), RANK[f.management_class])
        if len(ranks) > 1 and max(ranks.values()) >= RANK["simplified"] and RANK[REGISTRATION] in ranks.values():
            key = point_key(ART5_OPEN, (ART5_OPEN, tuple(sorted(ranks.items()))))
            points.append(_scope_point(result, ART5_OPEN, key, catalogue, decisions))
    elif result.scope == GENERAL_ONLY and result.management_class == REGISTRATION and not in_other_row:
        general = tuple((f.row, f.management_class) for f in findings if f.row in GENERAL_PROCESS_ROWS)
        codes = tuple(sorted({f.code for f in findings if f.code}))
        key = point_key(ART6_OPEN, (ART6_OPEN, codes, general))
        points.append(_scope_point(result, ART6_OPEN, key, catalogue, decisions))
    return points


def _scope_point(result: Result, reading: str, key: str, catalogue: Catalogue,
                 decisions: Mapping[str, str]) -> OpenPoint:
    choice = decisions.get(key, "")
    if choice in ("a", "b"):
        result.scope = catalogue.readings[reading].option(choice).scope
    else:
        choice = ""
    return OpenPoint(reading, key, 0, "", choice)


def _combine(findings: list[Finding], in_other_row: bool, facts: dict, catalogue: Catalogue) -> Result:
    best: Finding | None = None
    best_rank = 0
    open_findings = []
    codes = set()
    for f in findings:
        if f.code:
            codes.add(f.code)
        if f.undetermined:
            open_findings.append(f)
            continue
        rank = RANK[f.management_class]
        if best is None or rank > best_rank:
            best, best_rank = f, rank
    notes = [STRICTEST_NOTE] if len(codes) > 1 else []
    settled: list[Finding] = []  # undetermined, but no value of what is missing changes the answer
    if open_findings:
        still_open = []
        for f in open_findings:
            (still_open if _can_change(f, best_rank, catalogue) else settled).append(f)
        open_findings = still_open
    if open_findings and best_rank < RANK[KEY]:
        # a line's own fact is named with its line (``1511:has_fermentation``): it is asked of that line
        missing = tuple(dict.fromkeys(line_key(f.code, m) if f.code and catalogue.is_line_fact(m) else m
                                      for f in open_findings for m in f.missing))
        # The class already certain: the strictest decided finding, or a cell that holds below the
        # one whose facts are missing.
        floor = max([best_rank, *(f.rank for f in open_findings)])
        at_least = next((c for c, r in RANK.items() if r == floor and c), None)
        return Result(UNDETERMINED, findings=findings, at_least=at_least, missing=missing,
                      notes=tuple(notes))
    if best is None or best.management_class is None:
        if in_other_row:
            notes.append(ART8_NOTE)
        if facts.get("in_industrial_building") is False:
            notes.append(NOTE1_NOTE)
        return Result(NONE, findings=findings, notes=tuple(notes))
    decided = [f for f in findings if not f.undetermined] + settled
    deciding = _deciding(decided, best_rank)
    scope = _scope(decided, best_rank, in_other_row, notes)
    return Result(best.management_class, scope, findings, deciding, notes=tuple(notes))


def _can_change(f: Finding, best_rank: int, catalogue: Catalogue) -> bool:
    """Whether some value of an undetermined finding's missing facts could change the class or what
    the permit covers. A general process (rows 109–112) that can give at most the class already
    decided changes neither (Art. 6/7's scope follows from the industry rows). An industry row
    changes neither when every class it can still give is a permit class not above the one decided
    and it reads no general process: a line at permit level is the whole facility's (Art. 6) either
    way, and Art. 5's one permit over a line at registration level cannot arise from it."""
    if f.could_be > best_rank:
        return True
    if f.row in GENERAL_PROCESS_ROWS:
        return False
    return not (f.rank >= RANK["simplified"] and best_rank >= RANK["simplified"]
                and catalogue.rows[f.row].uses_general is False)


def _deciding(decided: list[Finding], rank: int) -> Finding:
    """Of the findings at the winning class, prefer an industry row decided on its own facts."""
    top = [f for f in decided if f.rank == rank]
    top.sort(key=lambda f: (f.via_general, f.row in GENERAL_PROCESS_ROWS, f.row))
    return top[0]


def _scope(decided: list[Finding], rank: int, in_other_row: bool, notes: list[str]) -> str:
    """Art. 6 and Art. 7: a duty that comes only from the general processes covers only them."""
    own = [
        f for f in decided
        if f.row not in GENERAL_PROCESS_ROWS and not f.via_general
        and (f.rank == rank or f.rank >= RANK["simplified"])  # its own duty to hold a permit
    ]
    if own:
        if any(f.row == OTHER_INDUSTRIES_ROW for f in own):
            notes.append(ART7_WHOLE_NOTE)
        return WHOLE
    notes.append(ART7_NOTE if in_other_row else ART6_NOTE)
    return GENERAL_ONLY
