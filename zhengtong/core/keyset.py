"""Keyset paging of long logs (entries, health checks, alerts, disinfections): newest first, ordered
by (time, id) descending, a page after (or before) the last row seen instead of an OFFSET, so that a
page deep in millions of rows costs what the first one does, and rows with the same time are neither
repeated nor skipped across pages.

The cursor a page hands out is opaque (URL-safe base64 of the row's key and the direction); a cursor
that is not one of ours is refused with a clear error naming the field (``cursor``), never a 500.
Lists this long show no exact total: ``count_capped`` counts at most ``cap + 1`` rows (a COUNT over a
LIMIT subquery), and the page says "more than N" past the cap."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError
from zhengtong.core.ids import valid_id

OLDER, NEWER = "o", "n"
CURSOR_FIELD = "cursor"


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, newest first, with the cursors of the pages either side (None at an end)."""

    rows: list[Any]
    older: str | None  # the next page (older rows)
    newer: str | None  # the previous page (newer rows)
    is_first: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _bad_cursor() -> DomainError:
    return DomainError(_("This page link is not valid: start again from the first page."), field=CURSOR_FIELD)


def encode_cursor(at: datetime, pk: int, direction: str = OLDER) -> str:
    raw = json.dumps([direction, at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime, int]:
    """(direction, time, id) of a cursor made by ``encode_cursor``; DomainError for anything else."""
    if not isinstance(cursor, str) or len(cursor) > 200:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, at_text, pk = json.loads(raw)
        at = datetime.fromisoformat(at_text)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _bad_cursor() from None
    if direction not in (OLDER, NEWER) or timezone.is_naive(at) or isinstance(pk, bool) or not isinstance(pk, int) \
            or valid_id(pk) is None:
        raise _bad_cursor()
    return direction, at, pk


def keyset_page(qs: QuerySet, *, time_field: str, cursor: str | None = None, size: int = 50) -> KeysetPage:
    """The page of ``qs`` (newest first by ``time_field``, then id) after or before ``cursor``; the
    first page without one. One query of ``size + 1`` rows."""
    if not cursor:
        rows = list(qs.order_by(f"-{time_field}", "-pk")[:size + 1])
        return _page(rows[:size], more_older=len(rows) > size, more_newer=False, time_field=time_field, first=True)
    direction, at, pk = decode_cursor(cursor)
    if direction == OLDER:
        # (t, id) < (at, pk); the extra bound on t alone lets the (…, t, id) index range-scan.
        after = Q(**{f"{time_field}__lte": at}) & (Q(**{f"{time_field}__lt": at}) | Q(pk__lt=pk))
        rows = list(qs.filter(after).order_by(f"-{time_field}", "-pk")[:size + 1])
        return _page(rows[:size], more_older=len(rows) > size, more_newer=True, time_field=time_field, first=False)
    before = Q(**{f"{time_field}__gte": at}) & (Q(**{f"{time_field}__gt": at}) | Q(pk__gt=pk))
    rows = list(qs.filter(before).order_by(time_field, "pk")[:size + 1])
    more_newer = len(rows) > size
    rows = rows[:size][::-1]
    return _page(rows, more_older=True, more_newer=more_newer, time_field=time_field, first=not more_newer)


def _page(rows: list, *, more_older: bool, more_newer: bool, time_field: str, first: bool) -> KeysetPage:
    def key(row, direction: str) -> str:
        return encode_cursor(getattr(row, time_field), row.pk, direction)

    return KeysetPage(
        rows=rows,
        older=key(rows[-1], OLDER) if rows and more_older else None,
        newer=key(rows[0], NEWER) if rows and more_newer else None,
        is_first=first,
    )


@dataclass(frozen=True)
class CappedCount:
    """How many rows, counted up to a cap: ``n`` exactly when ``more`` is False, else more than ``n``."""

    n: int
    more: bool


def count_capped(qs: QuerySet, cap: int) -> CappedCount:
    """The number of rows of ``qs``, or that there are more than ``cap``: COUNT(*) over a subquery
    with LIMIT cap + 1, which stops reading after cap + 1 rows however long the table is."""
    n = qs.order_by().values("pk")[:cap + 1].count()
    return CappedCount(min(n, cap), n > cap)
