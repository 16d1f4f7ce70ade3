"""What the row tags of the list pages share (resumption_rows, registry_rows, permit_rows).

Through the template engine, a 50-row list page spends most of its Python in its row loop: every
``{{ value }}`` a variable lookup, every ``{% translate %}`` a call per row, every ``{% url %}`` a
resolver walk (issue 16 §8, issue 19). The row tags write the same markup in Python with these
helpers: a value escaped as ``{{ value }}`` escapes it, a date as ``|date:"Y-m-d"`` writes it, the
labels translated once per page and the link to an object from a prefix reversed once."""

from __future__ import annotations

from datetime import datetime
from html import escape as _escape
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_PK = 2_147_483_647  # any id: the link to an object is this prefix, the id and "/"


def url_prefix(name: str) -> str:
    """The link of URL ``name`` (a pattern that ends in ``<int:pk>/``) without its id and "/": the
    link to object ``pk`` is ``f"{prefix}{pk}/"``, as ``{% url name pk %}`` writes it."""
    url = reverse(name, args=[_PK])
    assert url.endswith(f"/{_PK}/"), url
    return url[: -len(f"{_PK}/")]


def day(value: Any) -> str:
    """What ``|date:"Y-m-d"`` writes: "" for no date, a datetime as its day in the current time zone."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value.isoformat()


def text(value: Any) -> str:
    """What ``{{ value }}`` writes for a string, a number or an object (its ``str``), escaped; "" for None
    (where the template's lookup went through a missing object). A whole number is its digits, as the
    template writes it without a thousands separator (settings.USE_THOUSAND_SEPARATOR is off)."""
    if type(value) is int:  # (not a bool) the figures of a row: nothing to escape
        return str(value)
    # what conditional_escape does, without its lazy wrappers (~17 calls a cell): a lazy text as its str,
    # a safe value (``__html__``) as it is, anything else its str escaped
    if value is None:
        return SafeString("")
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return SafeString(_escape(str(value)))


def labels(*texts: str) -> tuple[str, ...]:
    """Each text escaped, as ``{% translate %}`` writes it; the caller translates them (``_("Name")``,
    where makemessages finds them), once a page."""
    return tuple(conditional_escape(s) for s in texts)


def empty_row(colspan: int, message: str) -> SafeString:
    """The one row of a list with no rows: ``message`` (translated by the caller) across the table."""
    return mark_safe(f'<tr><td colspan="{colspan}" class="muted">{conditional_escape(message)}</td></tr>')
