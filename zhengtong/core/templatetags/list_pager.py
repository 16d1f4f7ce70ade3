"""A list's pager (core/_list_pager.html) written out in Python: the same markup as the template (the notes
on a cut search and an ignored sort, the total, the page links), without its include, its ``{% with %}``,
its loop over the page numbers and a lookup per value. A page with few rows or none spent some 1,200
calls there (issue 16 §8); a test renders both for pages of every kind and compares them. And a list's
header row (``list_head``) kept once made, for each language, list, order and filters."""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from zhengtong.core.compiled import kept
from zhengtong.core.rows import text
from zhengtong.core.templatetags.list_page import list_head

register = template.Library()


@register.simple_tag
def list_pager(listing: Any) -> SafeString:
    """What ``{% include "core/_list_pager.html" %}`` writes for ``listing`` (a ``core.listing.Listing``).
    Translated as the template's tags do: a ``{% translate %}`` of a literal and a ``{% blocktranslate %}``
    are not escaped (the code's own text), their values are."""
    page = listing.page
    cut = (f'<p class="notice" data-testid="search-cut">{text(listing.search_note)}</p>'
           if listing.search_cut else "")
    ignored = ""
    if listing.sort_ignored:
        ignored = (f'<p class="muted" data-testid="sort-ignored">'
                   f'{_("This list cannot be sorted that way: it is shown in its usual order.")}</p>')
    pages, previous, following = _("Pages"), _("Previous"), _("Next")
    if page.capped:
        total = _("more than %(n)s records") % {"n": text(page.capped)}
    else:
        total = ngettext("%(n)s record", "%(n)s records", page.total) % {"n": text(page.total)}
    query = text(listing.query.urlencode()) if page.has_previous or page.has_next or len(page.numbers) > 1 else ""
    before = (f'<a href="?{query}&amp;page={text(page.previous_page_number)}" rel="prev">{previous}</a>'
              if page.has_previous else "")
    links = []
    for n in page.numbers:
        if n is None:
            links.append('<span aria-hidden="true">…</span>')
        elif n == page.number:
            links.append(f'<strong aria-current="page">{text(n)}</strong>')
        else:
            links.append(f'<a href="?{query}&amp;page={text(n)}">{text(n)}</a>')
    after = (f'<a href="?{query}&amp;page={text(page.next_page_number)}" rel="next">{following}</a>'
             if page.has_next else "")
    return mark_safe(  # noqa: S308  (every value escaped)
        f'\n{cut}\n{ignored}\n<nav class="pager" aria-label="{pages}" data-testid="pager">\n'
        f'  <span class="muted" data-testid="total">{total}</span>\n  {before}\n  {"".join(links)}\n  {after}\n'
        f'</nav>\n')


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
