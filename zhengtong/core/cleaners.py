"""Cleaners: each turns one value as a person or a device typed it into a value the databases store,
or adds the field's error (in the user's language) to a ``FieldErrors``. Services of every app use
them, so that a rule about input is written once: the API's input types call the same text rule."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from zhengtong.core.errors import FieldErrors

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
MAX_QUANTITY = Decimal("1e12")
# Control characters no text of ours holds: NUL (PostgreSQL refuses it, even in a query) and the other
# C0 controls and DEL, invisible and refused in a spreadsheet's cells. Tab and line breaks are text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_storable(value: str) -> bool:
    """Text both databases can store and every export can write: no control character but tab and
    line breaks (CONTROL_RE), and no lone surrogate (from a broken JSON escape or a bad decoder),
    which cannot be encoded as UTF-8."""
    if CONTROL_RE.search(value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def filter_text(value: Any) -> str:
    """A list filter's value (search words, a code, a status) as typed in a search box or a URL:
    stripped, without the characters no stored text holds (is_storable), so that such a filter looks
    for the rest and never fails the list. Every selector that filters by text a user or a client
    gave reads it through here."""
    text = "" if value is None else str(value)
    text = CONTROL_RE.sub("", text).encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
    return text.strip()


SEARCH_MAX_CHARS = 100  # a search box reads this much: what no name or address is longer than
SEARCH_MAX_WORDS = 8  # and at most this many different words (each one more condition on every row)


def search_text(value: Any) -> str:
    """A search box's text as filter_text reads it, cut to SEARCH_MAX_CHARS, so that a search costs
    the same however long the text pasted in it (issue 16 §8: 1,000 characters took 3.5 s)."""
    return filter_text(value)[:SEARCH_MAX_CHARS].strip()


def search_words(value: Any) -> list[str]:
    """The different words of a search (search_text), at most SEARCH_MAX_WORDS, in their order."""
    return list(dict.fromkeys(search_text(value).split()))[:SEARCH_MAX_WORDS]


def search_cut(value: Any) -> bool:
    """Whether search_words left part of the text out (the list says so)."""
    text = filter_text(value)
    return len(text) > SEARCH_MAX_CHARS or len(set(text.split())) > SEARCH_MAX_WORDS


def clean_text(errors: FieldErrors, data: dict, name: str, *, required: bool = False, max_length: int = 200,
               field: str | None = None) -> str:
    """Text, stripped; a control or broken character (is_storable: tab and line breaks are text), a
    missing required value and an overlong one are errors of the field (``field``, when the error is
    to name it otherwise than ``name``: a row of a table, ``outlets[0].name``)."""
    field = field or name
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if not is_storable(value):
        errors.add(field, _("Contains a character that cannot be stored (a control or broken character)."))
        return ""
    if required and not value:
        errors.add(field, _("This field is required."))
    elif len(value) > max_length:
        errors.add(field, _("At most %(n)d characters (this has %(m)d).") % {"n": max_length, "m": len(value)})
    return value


def clean_note(value: Any, field: str, *, required: str = "", max_length: int = 5000) -> str:
    """The one free text of a move (a reason, a note, a list of missing materials): clean_text's rules,
    its error raised at once as a DomainError naming ``field``; ``required`` is the message for a
    missing one, when one is needed."""
    errors = FieldErrors()
    text = clean_text(errors, {field: value}, field, max_length=max_length)
    if required and not errors and not text:
        errors.add(field, required)
    errors.raise_if_any()
    return text


def clean_choice(errors: FieldErrors, data: dict, name: str, choices: type[models.Choices],
                 default: str | None = None) -> str:
    """One of the choices' keys; its label is accepted as well, as people type it in a spreadsheet."""
    value = str(data.get(name) or default or "").strip()
    labels = {str(label): key for key, label in choices.choices}
    value = labels.get(value, value)
    if value not in choices.values:
        allowed = ", ".join(f"{k} ({label})" for k, label in choices.choices)
        errors.add(name, _("“%(v)s” is not one of: %(allowed)s.") % {"v": value, "allowed": allowed})
    return value


def clean_phone(errors: FieldErrors, data: dict, name: str) -> str:
    """A phone number of digits, with an optional leading + and hyphens or spaces."""
    value = clean_text(errors, data, name, max_length=30)
    if value and not PHONE_RE.match(value):
        errors.add(name, _("Enter a phone number of digits, with an optional leading + and hyphens."))
    return value


def clean_date(errors: FieldErrors, data: dict, name: str) -> date | None:
    """A date as YYYY-MM-DD (or a ``date``); None when not given."""
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(name, _("Enter a date as YYYY-MM-DD."))
        return None


def clean_count(errors: FieldErrors, field: str, raw: Any, *, minimum: int = 0, maximum: int = 1_000_000,
                default: int | None = None) -> int | None:
    """A whole number as people type it (" 3 "), from ``minimum`` to ``maximum``; ``default`` when not
    given. ASCII digits only: ``str.isdigit()`` takes "²", which ``int()`` refuses, and ``int()`` reads
    other scripts' digits."""
    if raw is None or str(raw).strip() == "":
        return default
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
    if value is None or not minimum <= value <= maximum:
        errors.add(field, _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum})
        return None
    return value


def clean_decimal(errors: FieldErrors, field: str, raw: Any, *, required: bool = False,
                  maximum: Decimal = MAX_QUANTITY) -> Decimal | None:
    """A quantity as people type it ("1,200", " 3.5 "): a finite, non-negative number up to
    ``maximum``; None when not given (an error if ``required``)."""
    if raw is None or str(raw).strip() == "":
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors.add(field, _("Enter a number."))
        return None
    if not value.is_finite():
        errors.add(field, _("Enter a number."))
    elif value < 0:
        errors.add(field, _("A quantity cannot be negative."))
    elif value > maximum:
        errors.add(field, _("This number is too large to be real."))
    else:
        return value
    return None
