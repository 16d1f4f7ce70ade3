"""The navigation's links (``dashboard.navigation.menu_for``), written out in Python: through the
template engine each entry cost four lookups and an ``{% if %}``, some 1,200 Python calls on every page
of a city administrator. The same markup as the loop in ``base.html`` had, each value escaped."""

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhengtong.core.compiled import kept

register = template.Library()


@register.simple_tag
def nav_links(items: list[dict[str, Any]], active: Any) -> SafeString:
    """The entries as ``<a>`` links; the one whose key is ``active`` (the page's ``nav_active``) marked.
    A link's markup is kept once made: the same few dozen links are on every page."""
    return mark_safe("".join(_link(item["url"], item["key"], item["label"], item["key"] == active)  # noqa: S308
                             for item in items))


def _link(url: str, key: str, label: str, active: bool) -> str:
    css = "active" if active else ""
    return kept(_LINKS, (url, key, label, active),
                lambda: f'<a href="{escape(url)}" class="{css}" data-nav="{escape(key)}">{escape(label)}</a>')


_LINKS: dict[tuple, str] = {}
