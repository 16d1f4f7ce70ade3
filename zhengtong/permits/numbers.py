"""Permit and fixed-source numbers, and outlet codes, checked as HJ 608-2017 shows them.

Every number the product receives or mints goes through ``check_source_code`` (the issue step's
national-platform number, the numbers Zhengtong mints for permits and registrations through
``mint``, any import or API that hands one in); every outlet code through ``check_outlet_code``.
Nothing else decides what a valid number is.

The structure (shared/reference/permit-rules.md §1, HJ 608-2017 Appendix A, 表A.1):

    positions 1–18   统一社会信用代码 (GB 32100: its check character is checked), or, for a unit
                     without one, the substitute code (only the 2016 trial rules' text was found:
                     settings.PERMIT_SUBSTITUTE_CODE_PATTERN, marked "rule text not confirmed")
    positions 19–21  顺序码: three ASCII digits
    position 22      标识码: one character of settings.PERMIT_IDENTIFIER_LETTERS (HJ 608-2017's
                     normative list was NOT FOUND; Appendix A shows only P)

A number dated before 2018-03-01 (when HJ 608-2017 came into force; the 2016 trial rules made
position 22 a check character) and a number from imported history are never refused: they are
kept as given and marked "not in the HJ 608-2017 form".

Outlet codes (HJ 608-2017 图6): D, then A (air) or W (water), then three ASCII digits. Full-width
letters and digits are normalised (NFKC); digits of other scripts are refused, never stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError
from zhengtong.registry.codes import CodeError, check_uscc

HJ608_IN_FORCE = date(2018, 3, 1)
LENGTH = 22
MAX_STORED = 40  # Permit.national_number: an older number kept as given may be longer than 22
ASCII_DIGITS = frozenset("0123456789")
SUBSTITUTE_PREFIX = "H9"
OUTLET_CODE = re.compile(r"D[AW][0-9]{3}", re.ASCII)


@dataclass(frozen=True)
class Problem:
    """Why one position (or the length) of a number is not as HJ 608-2017 shows it."""

    positions: str  # "1–18", "19–21", "22", "7", or "" for the length
    message: str


@dataclass(frozen=True)
class SourceCode:
    """A number as it is stored, and what is wrong with it when it was kept as given."""

    value: str
    problems: tuple[Problem, ...] = ()
    kept_as_given: bool = False  # dated before 2018-03-01 or imported: never refused
    reason: str = ""  # why it was kept as given ("dated" or "imported")

    @property
    def conforms(self) -> bool:
        """In the HJ 608-2017 form; a number kept as given may be, or may not."""
        return not self.problems


def _normalise(value: str) -> str:
    """NFKC (full-width to half-width), whitespace removed, upper case except the substitute code's
    last letter (lower case by the trial rules)."""
    code = "".join(unicodedata.normalize("NFKC", value or "").split())
    if code[:2].upper() == SUBSTITUTE_PREFIX:
        return code[:17].upper() + code[17:18] + code[18:].upper()
    return code.upper()


def identifier_letters() -> frozenset[str]:
    """Position 22: the configured set, which always holds the letters Zhengtong mints."""
    return frozenset(settings.PERMIT_IDENTIFIER_LETTERS) | {settings.PERMIT_SOURCE_LETTER,
                                                           settings.REGISTRATION_SOURCE_LETTER}


def _base_problems(base: str) -> list[Problem]:
    """Positions 1–18: a valid USCC, or the configured substitute format."""
    where = "1–18"
    if base[:2] == SUBSTITUTE_PREFIX:
        if re.fullmatch(settings.PERMIT_SUBSTITUTE_CODE_PATTERN, base, re.ASCII):
            return []
        return [Problem(where, _(
            "Positions 1–18 start with H9 but are not the substitute code for a unit without a unified social "
            "credit code: H9, the issuing authority's 6-digit region code, 0000 and a 5-digit sequence or a "
            "9-character organisation code, then one lower-case letter other than o and i (2016 trial rules; "
            "rule text not confirmed)."))]
    try:
        check_uscc(base)
    except CodeError as e:
        return [Problem(where, _("Positions 1–18 are not a valid unified social credit code: %(why)s")
                        % {"why": str(e)})]
    return []


def source_code_problems(code: str) -> tuple[Problem, ...]:
    """Every position of a (normalised) number that is not as HJ 608-2017 Appendix A shows it."""
    problems: list[Problem] = []
    odd = [(i, c) for i, c in enumerate(code, 1) if not (c.isascii() and c.isalnum())]
    for i, c in odd:
        problems.append(Problem(str(i), _(
            "Position %(i)d is “%(c)s”: only the ASCII letters A–Z and digits 0–9 are used (digits of other "
            "scripts are not accepted).") % {"i": i, "c": c}))
    if odd:
        return tuple(problems)
    if len(code) != LENGTH:
        problems.append(Problem("", _(
            "A permit or fixed-source number has 22 characters (HJ 608-2017 Appendix A: 18 of the unified social "
            "credit code, a 3-digit sequence number, one identifier letter); this one has %(n)d.")
            % {"n": len(code)}))
    if len(code) >= 18:
        problems.extend(_base_problems(code[:18]))
    if len(code) != LENGTH:
        return tuple(problems)
    sequence = code[18:21]
    for i, c in enumerate(sequence, 19):
        if c not in ASCII_DIGITS:
            problems.append(Problem("19–21", _(
                "Positions 19–21 are the sequence number of the unit's fixed source (001, 002 …), three digits; "
                "position %(i)d is “%(c)s”.") % {"i": i, "c": c}))
            break
    letters = identifier_letters()
    if code[21] not in letters:
        problems.append(Problem("22", _(
            "Position 22 is the identifier letter; “%(c)s” is not one of those configured (%(set)s). HJ 608-2017's "
            "list of letters was not found: the set is a setting (rule text not confirmed).")
            % {"c": code[21], "set": ", ".join(sorted(letters))}))
    return tuple(problems)


def check_source_code(value: str | None, *, field: str = "national_number", dated: date | None = None,
                      imported: bool = False, required: bool = False) -> SourceCode:
    """THE check of a permit or fixed-source number the product receives or mints.

    Returns the number to store: normalised when it is in the HJ 608-2017 form. A number dated
    before 2018-03-01, or from imported history, is kept as given (surrounding spaces dropped)
    with its problems, never refused. Otherwise a number not in the form is refused with a
    DomainError on ``field`` naming each position and why."""
    raw = str(value or "").strip()
    if not raw:
        if required:
            raise DomainError(_("Enter the number."), field=field)
        return SourceCode("")
    code = _normalise(raw)
    problems = source_code_problems(code)
    old = dated is not None and dated < HJ608_IN_FORCE
    if imported or old:
        if len(raw) > MAX_STORED:
            raise DomainError(_("A number kept as given holds at most %(n)d characters; this one has %(m)d.")
                              % {"n": MAX_STORED, "m": len(raw)}, field=field)
        return SourceCode(raw, problems, kept_as_given=True, reason="imported" if imported else "dated")
    if problems:
        raise DomainError(errors={field: [p.message for p in problems]})
    return SourceCode(code)


def stored_code(value: str, *, dated: date | None = None) -> SourceCode:
    """A number already stored, read again for the data check shown beside it (never raises)."""
    raw = (value or "").strip()
    if not raw:
        return SourceCode("")
    problems = source_code_problems(_normalise(raw))
    old = dated is not None and dated < HJ608_IN_FORCE
    return SourceCode(raw, problems, kept_as_given=old, reason="dated" if old else "")


def mint(source, letter: str) -> str:
    """The fixed-source code Zhengtong gives a permit or registration of this fixed source: the unit's
    USCC + the source's 3-digit sequence + the identifier letter, checked like any other number."""
    return check_source_code(f"{source.unit.uscc}{source.sequence:03d}{letter}", field="number").value


def check_outlet_code(value: str | None, *, field: str = "code") -> str:
    """THE check of an outlet code: D, A or W, three ASCII digits (HJ 608-2017 图6). Full-width
    letters and digits are normalised; other scripts' digits are refused, naming the position."""
    raw = str(value or "").strip()
    code = unicodedata.normalize("NFKC", raw).strip().upper()
    if OUTLET_CODE.fullmatch(code):
        return code
    for i, c in enumerate(code, 1):
        if not (c.isascii() and c.isalnum()):
            raise DomainError(_(
                "Character %(i)d of the outlet code is “%(c)s”: an outlet code uses only the ASCII letters D, A, W "
                "and the digits 0–9 (digits of other scripts are not accepted).") % {"i": i, "c": c}, field=field)
    if len(code) != 5:
        message = _("An outlet code has 5 characters (D, then A for air or W for water, then 3 digits: DA001, "
                    "DW001); this one has %(n)d.") % {"n": len(code)}
    elif code[0] != "D":
        message = _("Character 1 of an outlet code is D (discharge outlet); it is “%(c)s”.") % {"c": code[0]}
    elif code[1] not in "AW":
        message = _("Character 2 of an outlet code is A (air) or W (water); it is “%(c)s”.") % {"c": code[1]}
    else:
        bad = next(i for i, c in enumerate(code[2:], 3) if c not in ASCII_DIGITS)
        message = _("Characters 3–5 of an outlet code are its sequence number, three digits; character %(i)d is "
                    "“%(c)s”.") % {"i": bad, "c": code[bad - 1]}
    raise DomainError(message, field=field)


def normalise_outlet_code(value: str | None) -> str:
    """The outlet code as check_outlet_code would store it, or as typed (upper case) when it is
    not one: for grouping a form's rows before the check names what is wrong."""
    try:
        return check_outlet_code(value)
    except DomainError:
        return str(value or "").strip().upper()
