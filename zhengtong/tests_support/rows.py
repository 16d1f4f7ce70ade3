"""The rows a template's loop wrote and the rows a row tag writes now, side by side (the row tags of
zhengtong.core.rows: the same markup, whitespace between the rows aside)."""

import re

from django.template import Context, Template
from django.utils import translation

HOSTILE = "<script>alert('x')</script> & \"Co\""  # a name the rows must escape


def assert_escaped(html: str) -> None:
    """``html`` shows ``HOSTILE`` escaped, and nowhere as markup."""
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Co&quot;" in html
    assert "<script>alert" not in html


def rows(html: str) -> str:
    """``html`` without the whitespace around and between its rows."""
    return re.sub(r"</tr>\s*<tr", "</tr><tr", html.strip())


def render_both(old: str, new: str, language: str, **context) -> tuple[str, str]:
    """``old`` (a template's former row loop) and ``new`` (the row tag that writes it now) rendered with
    ``context`` in ``language``, as ``rows`` gives them."""
    with translation.override(language):
        return rows(Template(old).render(Context(context))), rows(Template(new).render(Context(context)))
