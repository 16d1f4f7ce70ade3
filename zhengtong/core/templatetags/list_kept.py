"""A list's header row (``list_page.list_head``) kept once made, for each language, list, order and filters:
the row is made of nothing else, and a page with few rows or none spent some 700 calls writing it again."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from zhengtong.core.compiled import kept
from zhengtong.core.templatetags.list_page import list_head

register = template.Library()


@register.simple_tag
def kept_list_head(listing: Any) -> SafeString:
    """``{% list_head listing %}`` (core/templatetags/list_page.py), written once per process for each language,
    list, order and filters: the header row is made of nothing else (the columns' labels, in the language;
    each sortable column's link to its order with the filters)."""
    headers = listing.headers
    key = (get_language(), tuple((id(h.column), h.url, h.direction) for h in headers))
    # the columns are kept with the row, so that no other column takes one's id while the row is kept
    columns, html = kept(_HEADS, key, lambda: (tuple(h.column for h in headers), list_head(listing)), limit=1_000)
    return html


_HEADS: dict[tuple, tuple[tuple, SafeString]] = {}
