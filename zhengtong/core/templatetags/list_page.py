"""A list's header row (core/_list_head.html: every sortable list) written out in Python: the same
markup as the template's loop over ``listing.headers`` (each column's label, its sort link and
``aria-sort``, the arrow of the column the list is sorted by), without a variable lookup per cell."""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

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
