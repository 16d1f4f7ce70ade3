"""Deciding a unit's management class from the 2019 catalogue (pure: no database).

The order of the reading, each step from the catalogue's own articles:

1. The general processes (rows 109–112: boilers, industrial furnaces, surface treatment, water
   treatment) are read first, each only when the unit has that process (``applies``).
2. Each of the unit's industries is read against the rows 1–107 that name it (by GB/T 4754
   code, never by name); an industry no row names falls to row 108 (其他行业). Within a row the
   cells are read key → simplified → registration, and the first that holds decides, so that
   "其他" and "除重点管理以外的" mean what they say.
3. Art. 5 gives one permit for several industries at one site; its class is the strictest any
   row gives (our inference from Art. 5, stated in every explanation; ``STRICTEST_NOTE``).
4. Art. 6: a unit in rows 1–107 whose permit duty comes only from its general processes needs
   a permit for those processes only. Art. 7: a unit in row 108 files for its general processes,
   and needs a key-management permit for the whole facility in the six cases the article lists.
5. A fact the unit has not given is never guessed: if it could change the answer, the result
   is "undetermined" and names the facts still needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

NONE = "none"  # outside the catalogue: neither permit nor registration
UNDETERMINED = "undetermined"
OUTCOMES = (KEY, "simplified", REGISTRATION, NONE, UNDETERMINED)

WHOLE = "whole"  # the permit covers the whole facility
GENERAL_ONLY = "general_processes"  # Art. 6 / Art. 7: only the general processes

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

    @property
    def facts(self) -> tuple[tuple[str, object], ...]:
        if self.source is not None:
            return _read(*self.source)
        return self.read

    @property
    def rank(self) -> int:
        return RANK[self.management_class]


@dataclass
class Result:
    management_class: str  # one of OUTCOMES
    scope: str = ""  # WHOLE or GENERAL_ONLY when a permit or registration is needed
    findings: list[Finding] = field(default_factory=list)
    deciding: Finding | None = None
    at_least: str | None = None  # while undetermined: the class already certain
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def needs_permit(self) -> bool:
        return self.management_class in (KEY, "simplified")


def read_row(row: Row, ctx: Context) -> Finding:
    """Read one row's cells in order; the first cell that holds decides. A fact that is missing
    matters only if it could have made a stricter cell hold."""
    if row.fast is not None and not (row.uses_general and ctx.general_missing):
        try:
            index = row.fast(ctx.facts, ctx.code, RANK[ctx.general])
        except KeyError:
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
    for cls in CLASSES:
        cell_missing: list[str] = []
        for alternative in row.rules[cls]:
            value, used, lacked = evaluate(alternative, ctx)
            if value:
                if stricter_missing:
                    return Finding(row.number, ctx.code, cls, True, alternative.text, used,
                                   tuple(dict.fromkeys(stricter_missing)))
                return Finding(row.number, ctx.code, cls, False, alternative.text, used,
                               via_general=alternative.uses_general)
            if value is None:
                cell_missing.extend(lacked)
        stricter_missing.extend(cell_missing)
    if stricter_missing:
        return Finding(row.number, ctx.code, None, True, missing=tuple(dict.fromkeys(stricter_missing)))
    return Finding(row.number, ctx.code, None)


def general_processes(catalogue: Catalogue, facts: dict) -> tuple[list[Finding], str | None, tuple]:
    """Rows 109–112 for the processes the unit has: the findings, the class they give and the
    facts still needed (when a stricter class cannot be ruled out)."""
    ctx = Context("", facts, None, ())
    findings: list[Finding] = []
    missing: list[str] = []
    for number in GENERAL_PROCESS_ROWS:
        row = catalogue.rows[number]
        has = facts.get(row.applies.facts[0]) if len(row.applies.facts) == 1 == len(row.applies.parts) else None
        lacked: tuple = ()
        if has is None:
            has, _used, lacked = evaluate(row.applies, ctx)
        if has is None:
            missing.extend(lacked)
            findings.append(Finding(number, "", None, True, missing=lacked))
            continue
        if not has:
            continue
        finding = read_row(row, ctx)
        findings.append(finding)
        missing.extend(finding.missing)
    best, best_rank = None, 0
    for f in findings:
        if not f.undetermined and RANK[f.management_class] > best_rank:
            best, best_rank = f.management_class, RANK[f.management_class]
    if best == KEY:
        missing = []
    return findings, best, tuple(dict.fromkeys(missing))


@cache
def industry_classes() -> frozenset[str]:
    """The 1,382 GB/T 4754-2017 classes (registry/data/gbt4754-2017.csv): the codes a unit can have."""
    import csv

    from zhengtong.registry.refdata import DATA_DIR

    with open(DATA_DIR / "gbt4754-2017.csv", encoding="utf-8", newline="") as f:
        return frozenset(row["code"] for row in csv.DictReader(f) if row["level"] == "class")


def classify(industry_codes: list[str], facts: dict, catalogue: Catalogue | None = None) -> Result:
    """The unit's management class, with the rows and facts that decided it."""
    catalogue = catalogue or load_catalogue()
    if not industry_codes:
        raise ClassificationInputError("industry", "", "no_industry")
    general_findings, general, general_missing = general_processes(catalogue, facts)
    findings: list[Finding] = []
    in_other_row = False
    for code in dict.fromkeys(industry_codes):
        if code not in industry_classes():
            raise ClassificationInputError("industry", code, "unknown_code")
        numbers = catalogue.rows_for(code) or (OTHER_INDUSTRIES_ROW,)
        in_other_row = in_other_row or numbers == (OTHER_INDUSTRIES_ROW,)
        ctx = Context(code, facts, general, general_missing)
        findings.extend(read_row(catalogue.rows[n], ctx) for n in numbers)
    findings.extend(general_findings)
    return _combine(findings, in_other_row, facts)


def _combine(findings: list[Finding], in_other_row: bool, facts: dict) -> Result:
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
    if open_findings and best_rank < RANK[KEY]:
        missing = tuple(dict.fromkeys(m for f in open_findings for m in f.missing))
        at_least = best.management_class if best and best.management_class else None
        return Result(UNDETERMINED, findings=findings, at_least=at_least, missing=missing,
                      notes=tuple(notes))
    if best is None or best.management_class is None:
        if in_other_row:
            notes.append(ART8_NOTE)
        if facts.get("in_industrial_building") is False:
            notes.append(NOTE1_NOTE)
        return Result(NONE, findings=findings, notes=tuple(notes))
    decided = [f for f in findings if not f.undetermined]
    deciding = _deciding(decided, best_rank)
    scope = _scope(decided, best_rank, in_other_row, notes)
    return Result(best.management_class, scope, findings, deciding, notes=tuple(notes))


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
