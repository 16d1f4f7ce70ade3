"""Checks of the codes the registry keys on, with messages a user can act on.

USCC: GB 32100-2015, checked by python-stdnum's ``stdnum.cn.uscc``.
Resident ID numbers: GB 11643-1999, checked by ``stdnum.cn.ric``.
stdnum's own messages are English and generic; each error class is mapped to our own text
that says what is wrong and, for a wrong check character, what it should be.
"""

import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


class CodeError(ValueError):
    """A code that is not valid; ``str(error)`` is the user-facing reason."""


def normalise(code: str) -> str:
    """Full-width characters to half-width, spaces and hyphens removed, upper case."""
    code = unicodedata.normalize("NFKC", code or "")
    return "".join(code.split()).replace("-", "").upper()


def check_uscc(value: str) -> str:
    """Return the normalised USCC, or raise CodeError saying why it is not valid."""
    code = normalise(value)
    if not code:
        raise CodeError(_("Enter the unified social credit code."))
    if len(code) != 18:
        raise CodeError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
        )
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    bad = [c for c in code if c not in alphabet]
    if bad:
        raise CodeError(
            _("The character “%(c)s” cannot appear in a unified social credit code (letters I, O, S, V, Z "
              "are never used).") % {"c": bad[0]}
        )
    if not code[:8].isdigit():
        raise CodeError(
            _("Characters 1–8 (registration authority, organisation kind and region code) must be digits.")
        )
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise CodeError(
            _("The check character is wrong: it is “%(got)s” but should be “%(expected)s”. "
              "Check the code for a typing mistake.") % {"got": code[17], "expected": expected}
        )
    uscc.validate(code)  # agrees with the checks above; kept so that stdnum stays the authority
    return code


def check_id_number(value: str) -> str:
    """Return the normalised resident ID number, or raise CodeError saying why it is not valid."""
    code = normalise(value)
    if not code:
        raise CodeError(_("Enter the ID number."))
    if len(code) != 18:
        raise CodeError(_("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(code)})
    if not code.isascii() or not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise CodeError(_("An ID number has 17 digits followed by a digit or X."))
    expected = ric.calc_check_digit(code)
    if code[17] != expected:
        raise CodeError(
            _("The last character is wrong: it is “%(got)s” but should be “%(expected)s”. "
              "Check the number for a typing mistake.") % {"got": code[17], "expected": expected}
        )
    try:
        born = ric.get_birth_date(code)
    except stdnum_errors.ValidationError:
        raise CodeError(_("The birth date in the ID number (characters 7–14) is not a real date.")) from None
    if born > timezone.localdate():
        raise CodeError(_("The birth date in the ID number (characters 7–14) lies in the future."))
    # The region code is not checked against the birth year (stdnum's ric.validate does): it names the
    # place of household registration when the number was issued (GB 11643-1999), which may be a
    # district created after the birth. id_number_note says so instead of refusing a real person.
    return code


def id_number_note(code: str) -> str:
    """A note on a valid ID number whose region code stdnum does not know as in use in the holder's
    birth year ("" when it does): accepted, because the code is the place of household registration
    when the number was issued, not the place of birth."""
    try:
        ric.get_birth_place(code)
    except stdnum_errors.ValidationError:
        return _("The region code (characters 1–6) was not yet in use in the year of birth: it is the place of "
                 "household registration when the number was issued, so the number is accepted. Check it "
                 "against the ID card.")
    return ""


def mask_id_number(code: str) -> str:
    """430422********1234: region and last four only."""
    return code[:6] + "*" * (len(code) - 10) + code[-4:]
