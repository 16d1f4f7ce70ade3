"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: script-src and style-src 'self') runs
no inline script, event-handler attribute or style attribute: none of our templates may have one."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[1]).glob("**/templates/**/*.html"))
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event-handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
}


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_has_what_the_policy_refuses(kind):
    found = [f"{path.relative_to(path.parents[3])}" for path in TEMPLATES if INLINE[kind].search(path.read_text())]
    assert found == []
