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


def is_storable(value: str) -> bool:
    """Text both databases can store: PostgreSQL refuses NUL, and lone surrogates (from a broken
    JSON escape or a bad decoder) cannot be encoded as UTF-8."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(errors: FieldErrors, data: dict, name: str, *, required: bool = False, max_length: int = 200) -> str:
    """Text, stripped; a control or broken character, a missing required value and an overlong one
    are errors of the field."""
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if not is_storable(value):
        errors.add(name, _("Contains a character that cannot be stored (a control or broken character)."))
        return ""
    if required and not value:
        errors.add(name, _("This field is required."))
    elif len(value) > max_length:
        errors.add(name, _("At most %(n)d characters (this has %(m)d).") % {"n": max_length, "m": len(value)})
    return value


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
