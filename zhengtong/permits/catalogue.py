"""The 2019 classification catalogue as data: its 112 rows and the rules that read their cells.

``data/permit-catalogue-2019.csv`` is the table as printed (row, section, industry text and codes,
and the three class cells), copied from ``shared/reference/``. ``data/catalogue-2019-rules.toml``
says, for every row, which facts of a unit each cell asks about, in a small condition language:

    a cell        = a list of alternatives; the cell applies when any alternative holds
    alternative   = terms joined by " & "; it holds when every term holds
    term          = "all"                 全部
                  | "rest"                其他 (whatever the columns to the left did not take)
                  | "industrial"          produces in an industrial building (表注1, the ﹡ mark)
                  | "general key"         the unit's general processes (rows 109–112) give at least
                  | "general simplified"    that class ("涉及通用工序重点管理的" …)
                  | "general registration"
                  | "code 2221 2222"      the industry being classified is one of these (or under one)
                  | "!code 2223"          … is none of these
                  | "fact"  | "!fact"     a yes/no fact is yes / no
                  | "fact >= 20" (>, <, <=)  a number fact compared with a threshold
                  | "fact in coal oil"    a multiple-choice fact includes any of these values

Cells the catalogue prints as "/" have no alternatives. A row may also say ``exclude`` (codes the
row's industry column names as exceptions, row 80), ``applies`` (the general-process rows
109–112 apply only to a unit that has that process), and ``open`` with ``open_when`` (a place
where the text does not settle the class: the reading, in ``[readings]``, and the alternatives
under which it is open for the unit).

Every term is evaluated in three-valued logic: a fact the unit has not given makes a term
unknown, and the engine reports it as missing instead of guessing.
"""

from __future__ import annotations

import csv
import operator
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from zhengtong.permits.quantities import OPERATION_START, Derived, mw_to_tph

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_CSV = DATA_DIR / "permit-catalogue-2019.csv"
RULES_TOML = DATA_DIR / "catalogue-2019-rules.toml"
CATALOGUE_VERSION = "2019"

KEY, SIMPLIFIED, REGISTRATION = "key", "simplified", "registration"
CLASSES = (KEY, SIMPLIFIED, REGISTRATION)  # the order a row's cells are read in
RANK = {None: 0, REGISTRATION: 1, SIMPLIFIED: 2, KEY: 3}
INDUSTRY_ROWS = range(1, 108)  # rows 1–107
OTHER_INDUSTRIES_ROW = 108
GENERAL_PROCESS_ROWS = (109, 110, 111, 112)

FACT_TYPES = ("bool", "number", "choices", "date")  # a date is read by the quantities (note 2), not by terms
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}

# A term's answer: True, False or None (unknown), with the facts it read and the facts it lacked.
Answer = tuple[bool | None, tuple[tuple[str, object], ...], tuple[str, ...]]


@dataclass(slots=True)
class Context:
    """What a term may look at while one industry (or one general process) is classified."""

    code: str  # the unit's industry code being classified ("" for a general-process row)
    facts: dict[str, object]
    general: str | None  # the class the general processes give, when known
    general_missing: tuple[str, ...]  # facts the general processes still need


@dataclass(frozen=True)
class Fact:
    key: str
    type: str
    zh: str
    en: str
    unit: str = ""
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, zh, en)
    help_zh: str = ""
    help_en: str = ""
    note2: bool = False  # a yearly quantity worked out as catalogue note 2 says (permits.quantities)
    pairs: tuple[tuple[float, float], ...] = ()  # (t/h, MW) as the catalogue prints them: MW may be entered

    @property
    def label(self) -> str:
        return self.zh if _chinese() else self.en

    @property
    def help(self) -> str:
        return self.help_zh if _chinese() else self.help_en

    def choice_label(self, value: str) -> str:
        for key, zh, en in self.choices:
            if key == value:
                return zh if _chinese() else en
        return value


def _chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")


@dataclass(frozen=True)
class Alternative:
    text: str
    terms: tuple[Callable[[Context], Answer], ...]
    uses_general: bool  # decided through the general processes (Art. 6 / Art. 7 scope)
    facts: tuple[str, ...] = ()  # the facts its terms read
    parts: tuple[str, ...] = ()  # its terms as written


@dataclass(frozen=True)
class Row:
    number: int
    section: str
    industry_text: str
    codes: tuple[str, ...]
    cells: dict[str, str]  # class -> printed cell text
    rules: dict[str, tuple[Alternative, ...]]
    exclude: tuple[str, ...] = ()
    applies: Alternative | None = None
    note: str = ""
    open: str = ""  # an open reading of this row's text (see Reading) …
    open_when: tuple[Alternative, ...] = ()  # … and when it is open for a unit
    # The row compiled to plain Python (see compile_fast): (f, code, general rank) -> index into
    # ``flat`` or -1 for no class; raises KeyError when a fact it needs is not given.
    fast: Callable | None = field(default=None, compare=False, repr=False)
    flat: tuple[tuple[str, Alternative], ...] = ()
    uses_general: bool = False

    @property
    def is_general_process(self) -> bool:
        return self.number in GENERAL_PROCESS_ROWS

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact this row's cells (and its ``applies`` condition) read, in order."""
        alternatives = [a for cls in CLASSES for a in self.rules[cls]]
        if self.applies:
            alternatives.insert(0, self.applies)
        return tuple(dict.fromkeys(f for a in alternatives for f in a.facts))


@dataclass(frozen=True)
class ReadingOption:
    """One reading of an open place: the class it gives ("same": the class the rules give) and what
    the permit or registration covers."""

    management_class: str
    scope: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return self.zh if _chinese() else self.en


@dataclass(frozen=True)
class Reading:
    """A place where the catalogue's text does not settle a class: its words and its two readings."""

    key: str
    rows: tuple[int, ...]
    zh: str
    en: str
    quote: str
    a: ReadingOption
    b: ReadingOption

    @property
    def title(self) -> str:
        return self.zh if _chinese() else self.en

    def option(self, choice: str) -> ReadingOption:
        return self.a if choice == "a" else self.b

    @property
    def top_rank(self) -> int:
        """The rank of the stricter reading's class: a row whose own rules give this much or more is
        not open (a unit on the key list is key on either reading)."""
        return max(RANK.get(self.a.management_class, 0), RANK.get(self.b.management_class, 0))


READING_CLASSES = (*CLASSES, "none", "same")
READING_SCOPES = ("whole", "general_processes", "permit_lines", "")


@dataclass
class Catalogue:
    version: str
    rows: dict[int, Row]
    facts: dict[str, Fact]
    readings: dict[str, Reading] = field(default_factory=dict)
    by_code: dict[str, tuple[int, ...]] = field(default_factory=dict)
    note2_keys: tuple[str, ...] = ()  # the note 2 quantities (permits.quantities)
    unit_keys: tuple[str, ...] = ()  # the facts that may be entered in MW
    unit_wide: frozenset[str] = frozenset()  # declared once for the fixed source; the rest per industry line

    def is_line_fact(self, key: str) -> bool:
        """Whether ``key`` (a fact, or a part of one: ``fact__2023``) is declared per industry line."""
        base = key.partition("__")[0]
        return base in self.facts and base not in self.unit_wide

    def rows_for(self, code: str) -> tuple[int, ...]:
        """Rows 1–107 whose industry column covers ``code`` (a class or group code)."""
        found = self.by_code.get(code)
        if found is None:
            found = tuple(
                number
                for number in INDUSTRY_ROWS
                if _covers(self.rows[number], code)
            )
            self.by_code[code] = found
        return found

    def line_rows(self, code: str) -> tuple[int, ...]:
        """The rows that read an industry line: its rows 1–107, or row 108 where none names it."""
        return self.rows_for(code) or (OTHER_INDUSTRIES_ROW,)

    def asked(self, code: str) -> list[str]:
        """The facts an industry line's rows ask (``line_rows``), each once, in the rows' order."""
        return list(dict.fromkeys(k for n in self.line_rows(code) for k in self.rows[n].facts))


def _covers(row: Row, code: str) -> bool:
    if any(code.startswith(x) for x in row.exclude):
        return False
    return any(code.startswith(c) for c in row.codes)


# --- the condition language ------------------------------------------------------------------


class RuleError(ValueError):
    """The rules file says something the engine cannot read."""


def _const(value: bool) -> Callable[[Context], Answer]:
    answer: Answer = (value, (), ())
    return lambda ctx: answer


def _fact_term(fact: Fact, test: Callable[[object], bool]) -> Callable[[Context], Answer]:
    key = fact.key
    missing = (key,)

    def term(ctx: Context) -> Answer:
        value = ctx.facts.get(key)
        if value is None:
            return None, (), missing
        try:
            return test(value), ((key, value),), ()
        except (TypeError, ValueError):  # stored in a shape no longer read: asked again, never a failure
            return None, (), missing

    return term


def _number_term(fact: Fact, op: str, threshold: float) -> Callable[[Context], Answer]:
    """A number compared with a threshold; a quantity not yet worked out (quantities.Derived) answers
    in three values and names what it still needs (a year, the EIA figure, the start of operation)."""
    key = fact.key
    missing = (key,)
    compare = OPERATORS[op]

    def term(ctx: Context) -> Answer:
        value = ctx.facts.get(key)
        if value is None:
            return None, (), missing
        if type(value) is Derived:
            answer, lacked = value.answer(op, threshold)
            if answer is None:
                return None, (), lacked
            return answer, ((key, value),), ()
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):  # stored in a shape no longer read: asked again, never a failure
            return None, (), missing
        return compare(number, threshold), ((key, value),), ()

    return term


def _general_term(level: str) -> Callable[[Context], Answer]:
    needed = RANK[level]

    def term(ctx: Context) -> Answer:
        if RANK[ctx.general] >= needed:
            return True, (("general", ctx.general),), ()
        if ctx.general_missing:
            return None, (), ctx.general_missing
        return False, (), ()

    return term


def _code_term(codes: tuple[str, ...], negate: bool) -> Callable[[Context], Answer]:
    def term(ctx: Context) -> Answer:
        hit = any(ctx.code.startswith(c) for c in codes)
        return hit != negate, (), ()

    return term


def compile_term(text: str, facts: dict[str, Fact]) -> Callable[[Context], Answer]:
    words = text.split()
    if not words:
        raise RuleError("empty term")
    head = words[0]
    if text in ("all", "rest"):
        return _const(True)
    if text == "industrial":
        return _fact_term(facts["in_industrial_building"], bool)
    if head == "general" and len(words) == 2 and words[1] in CLASSES:
        return _general_term(words[1])
    if head in ("code", "!code") and len(words) > 1:
        return _code_term(tuple(words[1:]), head.startswith("!"))
    name = head.lstrip("!")
    fact = facts.get(name)
    if fact is None:
        raise RuleError(f"unknown fact {name!r} in {text!r}")
    if len(words) == 1:
        if fact.type != "bool":
            raise RuleError(f"{name!r} is not a yes/no fact: {text!r}")
        negate = head.startswith("!")
        return _fact_term(fact, lambda v, negate=negate: bool(v) != negate)
    if head.startswith("!"):
        raise RuleError(f"'!' only negates a yes/no fact or a code list: {text!r}")
    if len(words) == 3 and words[1] in OPERATORS and fact.type == "number":
        threshold = float(words[2])
        if fact.pairs and threshold not in {tph for tph, _mw in fact.pairs}:
            raise RuleError(f"{name!r} may be entered in MW: compare it only with a printed pair {fact.pairs}")
        return _number_term(fact, words[1], threshold)
    if words[1] == "in" and fact.type == "choices":
        wanted = frozenset(words[2:])
        known = {c[0] for c in fact.choices}
        if not wanted <= known:
            raise RuleError(f"unknown choice {sorted(wanted - known)} for {name!r}")
        return _fact_term(fact, lambda v: bool(wanted.intersection([v] if isinstance(v, str) else v)))
    raise RuleError(f"cannot read term {text!r}")


def compile_alternative(text: str, facts: dict[str, Fact]) -> Alternative:
    parts = [p.strip() for p in text.split("&")]
    read = []
    for p in parts:
        name = "in_industrial_building" if p == "industrial" else p.split()[0].lstrip("!")
        if name in facts:
            read.append(name)
            if facts[name].note2:
                read.append(OPERATION_START)  # note 2: the quantity depends on the start of operation
    return Alternative(
        text=text,
        terms=tuple(compile_term(p, facts) for p in parts),
        uses_general=any(p.startswith("general ") for p in parts),
        facts=tuple(read),
        parts=tuple(parts),
    )


def evaluate(alternative: Alternative, ctx: Context) -> Answer:
    """All terms of one alternative (three-valued AND)."""
    if len(alternative.terms) == 1:
        return alternative.terms[0](ctx)
    used: list[tuple[str, object]] = []
    missing: list[str] = []
    for term in alternative.terms:
        value, read, lacked = term(ctx)
        if value is False:
            return False, tuple(read), ()
        used.extend(read)
        missing.extend(lacked)
    if missing:
        return None, tuple(used), tuple(dict.fromkeys(missing))
    return True, tuple(used), ()


# --- the fast path ---------------------------------------------------------------------------
#
# Classifying a registry reads every row for every unit; the closures above cost a call per term.
# compile_fast turns a row into one Python function with two-valued logic, which is exact as long
# as every fact it reads is given: a missing fact raises KeyError, and the caller then reads the
# row again with the three-valued closures, which say what is missing.


def _known(value) -> float:
    """A note 2 quantity on the fast path: one not yet worked out sends the row to the slow path."""
    if type(value) is Derived:
        raise KeyError(value.key)
    return float(value)


def _any_of(value, wanted: frozenset) -> bool:
    return bool(wanted.intersection([value] if isinstance(value, str) else value))


def _python(term: str, facts: dict[str, Fact]) -> str:
    words = term.split()
    if term in ("all", "rest"):
        return "True"
    if term == "industrial":
        return "f['in_industrial_building']"
    if words[0] == "general":
        return f"g >= {RANK[words[1]]}"
    if words[0] in ("code", "!code"):
        test = f"code.startswith({tuple(words[1:])!r})"
        return f"not {test}" if words[0].startswith("!") else test
    name = words[0].lstrip("!")
    if len(words) == 1:
        return f"not f[{name!r}]" if words[0].startswith("!") else f"bool(f[{name!r}])"
    if words[1] in OPERATORS:
        number = "_known" if facts[name].note2 else "float"
        return f"{number}(f[{name!r}]) {words[1]} {float(words[2])!r}"
    return f"_any_of(f[{name!r}], {frozenset(words[2:])!r})"


def compile_fast(row: Row, facts: dict[str, Fact]) -> Row:
    flat = tuple((cls, a) for cls in CLASSES for a in row.rules[cls])
    lines = ["def fast(f, code, g):"]
    for i, (_cls, alternative) in enumerate(flat):
        condition = " and ".join(f"({_python(p, facts)})" for p in alternative.parts)
        lines.append(f"    if {condition}: return {i}")
    lines.append("    return -1")
    namespace: dict[str, Any] = {"_any_of": _any_of, "_known": _known}
    exec(compile("\n".join(lines), f"<catalogue row {row.number}>", "exec"), namespace)  # noqa: S102
    return replace(row, fast=namespace["fast"], flat=flat, uses_general=any(a.uses_general for _c, a in flat))


# --- loading ---------------------------------------------------------------------------------


def _load_facts(raw: dict) -> dict[str, Fact]:
    facts = {}
    for key, spec in raw.items():
        if spec.get("type") not in FACT_TYPES:
            raise RuleError(f"fact {key!r}: type must be one of {FACT_TYPES}")
        facts[key] = Fact(
            key=key,
            type=spec["type"],
            zh=spec["zh"],
            en=spec["en"],
            unit=spec.get("unit", ""),
            choices=tuple(tuple(c) for c in spec.get("choices", ())),
            help_zh=spec.get("help_zh", ""),
            help_en=spec.get("help_en", ""),
            note2=bool(spec.get("note2", False)),
            pairs=tuple((float(a), float(b)) for a, b in spec.get("mw_pairs", ())),
        )
        for tph, mw in facts[key].pairs:
            if mw_to_tph(mw) != tph:
                raise RuleError(f"fact {key!r}: {mw} MW is not {tph} t/h at the catalogue's 20 t/h = 14 MW")
        if facts[key].note2 and facts[key].type != "number":
            raise RuleError(f"fact {key!r}: a note 2 quantity is a number")
    if any(f.note2 for f in facts.values()) and facts.get(OPERATION_START, Fact("", "", "", "")).type != "date":
        raise RuleError(f"note 2 quantities need the date fact {OPERATION_START!r}")
    return facts


def _load_readings(raw: dict) -> dict[str, Reading]:
    readings = {}
    for key, spec in raw.items():
        options = []
        for name in ("a", "b"):
            o = spec[name]
            if o["class"] not in READING_CLASSES or o["scope"] not in READING_SCOPES:
                raise RuleError(f"reading {key!r} {name}: class or scope not known")
            options.append(ReadingOption(o["class"], o["scope"], o["zh"], o["en"]))
        readings[key] = Reading(key, tuple(spec["rows"]), spec["zh"], spec["en"], spec["quote"], *options)
    return readings


def _cell_rules(spec: dict, cls: str, facts: dict[str, Fact]) -> tuple[Alternative, ...]:
    value = spec.get(cls, [])
    if isinstance(value, str):
        value = [value]
    return tuple(compile_alternative(v, facts) for v in value)


@cache
def load_catalogue() -> Catalogue:
    """The catalogue with its rules compiled; read once per process."""
    return read_catalogue(RULES_TOML)


def read_catalogue(rules_path: Path, strict: bool = True) -> Catalogue:
    """Read and check the rules against the printed table (``strict``: every row has rules)."""
    with open(rules_path, "rb") as f:
        raw = tomllib.load(f)
    facts = _load_facts(raw["facts"])
    readings = _load_readings(raw.get("readings", {}))
    rules = raw["rows"]
    rows: dict[int, Row] = {}
    with open(CATALOGUE_CSV, encoding="utf-8", newline="") as f:
        for line in csv.DictReader(f):
            number = int(line["row"])
            spec = rules.get(str(number))
            if spec is None:
                if strict:
                    raise RuleError(f"row {number} has no rules")
                continue
            cells = {cls: line[cls] for cls in CLASSES}
            compiled = {cls: _cell_rules(spec, cls, facts) for cls in CLASSES}
            for cls in CLASSES:
                if (cells[cls] == "/") != (not compiled[cls]):
                    raise RuleError(f"row {number} {cls}: rules and printed cell disagree on '/'")
            rows[number] = Row(
                number=number,
                section=line["section"],
                industry_text=line["industry_text"],
                codes=tuple(line["industry_codes"].split()),
                cells=cells,
                rules=compiled,
                exclude=tuple(spec.get("exclude", ())),
                applies=compile_alternative(spec["applies"], facts) if "applies" in spec else None,
                note=spec.get("note", ""),
                open=spec.get("open", ""),
                open_when=tuple(compile_alternative(v, facts) for v in spec.get("open_when", ())),
            )
            applies = rows[number].applies
            if applies is not None and (not applies.facts or applies.parts[0] != applies.facts[0]
                                        or facts[applies.facts[0]].type != "bool"):
                raise RuleError(f"row {number}: applies starts with the process's yes/no fact")
            if rows[number].open and rows[number].open not in readings:
                raise RuleError(f"row {number}: unknown reading {rows[number].open!r}")
            rows[number] = compile_fast(rows[number], facts)
    extra = set(rules) - {str(n) for n in rows}
    if extra:
        raise RuleError(f"rules for rows not in the catalogue: {sorted(extra)}")
    unit_wide = frozenset(raw.get("unit_facts", ()))
    if unknown := unit_wide - set(facts):
        raise RuleError(f"unit_facts: not facts: {sorted(unknown)}")
    for number in (OTHER_INDUSTRIES_ROW, *GENERAL_PROCESS_ROWS):
        if number in rows and (per_line := set(rows[number].facts) - unit_wide):
            raise RuleError(f"row {number} reads the unit as a whole, but {sorted(per_line)} are not in unit_facts")
    return Catalogue(version=CATALOGUE_VERSION, rows=rows, facts=facts, readings=readings,
                     note2_keys=tuple(k for k, f in facts.items() if f.note2),
                     unit_keys=tuple(k for k, f in facts.items() if f.pairs), unit_wide=unit_wide)
