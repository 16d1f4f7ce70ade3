"""A list's header row (core/_list_head.html: every sortable list) and its pager (core/_list_pager.html)
written out in Python: the same markup as the templates' loops over ``listing.headers`` (each column's
label, its sort link and ``aria-sort``, the arrow of the column the list is sorted by) and the page
numbers, without a variable lookup per cell."""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengtong.core.listing import sort_note
from zhengtong.core.rows import text

register = template.Library()


@register.simple_tag
def list_head(listing: Any) -> SafeString:
    cells = []
    for h in listing.headers:
        css = f' class="{text(h.column.css)}"' if h.column.css else ""
        if h.url:
            arrow = f' <span aria-hidden="true">{text(h.arrow)}</span>' if h.arrow else ""
            cells.append(f'<th scope="col"{css} aria-sort="{text(h.aria_sort)}" data-sort="{text(h.column.name)}">'
                         f'<a class="sort" href="{text(h.url)}">{text(h.label)}{arrow}</a></th>')
        else:
            cells.append(f'<th scope="col"{css}>{text(h.label)}</th>')
    return mark_safe(f'<thead><tr>{"".join(cells)}</tr></thead>')


@register.simple_tag
def list_pager(listing: Any) -> SafeString:
    """core/_list_pager.html written out in Python (the same markup): the notes of a cut search and an
    ignored sort, the total (or "more than N") and the page links, each keeping the list's query."""
    page = listing.page
    out = ["\n"]
    if listing.search_cut:
        out.append(f'<p class="notice" data-testid="search-cut">{text(listing.search_note)}</p>')
    out.append("\n")
    if listing.sort_ignored:
        out.append(f'<p class="muted" data-testid="sort-ignored">{text(sort_note())}</p>')
    if page.capped:
        total = _("more than %(n)s records") % {"n": text(page.capped)}
    else:
        total = ngettext("%(n)s record", "%(n)s records", page.total) % {"n": text(page.total)}
    out.append(f'\n<nav class="pager" aria-label="{text(_("Pages"))}" data-testid="pager">\n'
               f'  <span class="muted" data-testid="total">{total}</span>\n  ')
    query = text(listing.query.urlencode())
    if page.has_previous:
        out.append(f'<a href="?{query}&amp;page={page.previous_page_number}" rel="prev">{text(_("Previous"))}</a>')
    out.append("\n  ")
    for n in page.numbers:
        if n is None:
            out.append('<span aria-hidden="true">…</span>')
        elif n == page.number:
            out.append(f'<strong aria-current="page">{n}</strong>')
        else:
            out.append(f'<a href="?{query}&amp;page={n}">{n}</a>')
    out.append("\n  ")
    if page.has_next:
        out.append(f'<a href="?{query}&amp;page={page.next_page_number}" rel="next">{text(_("Next"))}</a>')
    out.append("\n</nav>\n")
    return mark_safe("".join(out))  # noqa: S308  (every value escaped)
