"""Form glue: forms only turn text into values; the rules live in services, whose field errors are
put back on the form here."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms

from zhengtong.core.errors import DomainError

T = TypeVar("T")


class DateInput(forms.DateInput):
    """``<input type=date>`` with its value in ISO form, the only form the browser reads: Django's
    default is the language's first input format (zh-hans ``2020/02/27``), which the browser shows
    as an empty field, so a form's initial date was lost."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type=datetime-local>`` with its value in ISO form (as DateInput)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's field errors on the form; errors of fields the form lacks go on top."""
    for field, messages in (error.errors or {"": [error.message]}).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def save_form(form: forms.Form, save: Callable[[dict], T]) -> T | None:
    """Run ``save(form.cleaned_data)`` when the form is valid; a service's refusal goes back on the
    form. Returns what the service returned, or None when the form is to be shown again."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except DomainError as e:
        apply_errors(form, e)
        return None


def labelled_messages(error: DomainError, label: Callable[[str], Any]) -> list[str]:
    """A service's refusal as lines for a page that has no form field to put each on (a button's move,
    a table of rows): "label: message", each field named as the page names it (``label(field)``), never
    by its raw key; a field the page has no name for gives the message alone."""
    lines: list[str] = []
    for field, messages in (error.errors or {"": [error.message]}).items():
        name = label(field) if field else ""
        lines.extend(f"{name}: {message}" if name else message for message in messages)
    return lines
