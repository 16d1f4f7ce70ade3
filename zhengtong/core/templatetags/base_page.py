"""What ``base.html`` shows on every page that is the same for everyone: the language switcher's
options, the URLs that take no argument, the static files' URLs and htmx's script tag, made once per
process (for each language, URLconf and script prefix; static URLs for each STATIC_URL and DEBUG)
instead of on each page through ``{% get_language_info_list %}``, ``{% url %}``, ``{% static %}`` and
``{% htmx_script %}``."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info
from django_htmx.jinja import htmx_script

from zhengtong.core.compiled import kept
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
    codes = tuple(code for code, _name in settings.LANGUAGES)
    return kept(_OPTIONS, (current, codes), lambda: mark_safe("".join(  # noqa: S308  (every value escaped)
        f'<option value="{escape(info["code"])}"{" selected" if info["code"] == current else ""}>'
        f'{escape(info["name_local"])}</option>' for info in map(get_language_info, codes))))


@register.simple_tag
def static_url(path: str) -> str:
    """``{% static path %}`` (a static file's URL does not change while the process runs)."""
    return kept(_STATIC, (path, settings.STATIC_URL, settings.DEBUG), lambda: static(path))


@register.simple_tag(takes_context=True)
def htmx_script_tag(context: template.Context) -> str:
    """django-htmx's ``{% htmx_script %}``; made once unless the page has a CSP nonce of its own."""
    nonce = context.get("csp_nonce")
    if nonce is not None:
        return htmx_script(nonce=nonce)
    return kept(_STATIC, ("htmx", settings.STATIC_URL, settings.DEBUG), htmx_script)


_OPTIONS: dict[tuple, SafeString] = {}
_STATIC: dict[tuple, str] = {}
