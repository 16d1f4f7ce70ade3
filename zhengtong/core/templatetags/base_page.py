"""What ``base.html`` shows on every page that is the same for everyone: the language switcher's
options and the URLs that take no argument, made once per process (for each language, URLconf and
script prefix) instead of on each page through ``{% get_language_info_list %}`` and ``{% url %}``."""

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from zhengtong.core.http import reverse_once

register = template.Library()


@register.simple_tag
def page_url(name: str) -> str:
    """``{% url name %}`` for a URL that takes no argument (escaped by the template, as ``{% url %}``'s
    answer is)."""
    return reverse_once(name)


@register.simple_tag
def language_options(current: str) -> SafeString:
    """The ``<option>`` of each available language by its own name, ``current`` selected."""
    key = (current, tuple(code for code, _name in settings.LANGUAGES))
    html = _OPTIONS.get(key)
    if html is None:
        html = _OPTIONS[key] = mark_safe("".join(  # noqa: S308  (every value escaped)
            f'<option value="{escape(info["code"])}"{" selected" if info["code"] == current else ""}>'
            f'{escape(info["name_local"])}</option>' for info in map(get_language_info, key[1])))
    return html


_OPTIONS: dict[tuple, SafeString] = {}
