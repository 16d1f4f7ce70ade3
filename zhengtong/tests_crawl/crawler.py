"""A breadth-first crawl of the site as one logged-in user sees it, with the checks a Chinese page must pass.

Only GET, only this site, one URL per route and sort key (list pages beyond the second are not
followed, `/admin/` only its index, no API, no logout). Each page is checked for a 5xx, for HTML inside
`<title>`, and, on HTML pages, for text that was never translated: a raw field key
(`legal_representative: 此项为必填项`), a catalogue msgid shown verbatim, or a run of three English words.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

PO_FILE = Path(settings.BASE_DIR) / "zhengtong" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/accounts/logout/")
SORT_KEYS = ("sort", "order", "o")
# Text inside these is data or code, not interface text.
DATA_TAGS = {"script", "style", "code", "kbd", "samp", "pre", "textarea", "option", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FIELD_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # legal_representative, id_number …
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'-]+[A-Za-z][a-z]+){2,}\b")


@cache
def catalogue() -> dict[str, str]:
    """msgid → msgstr of the zh-hans catalogue (plural and context entries by their singular msgid)."""
    with PO_FILE.open("rb") as f:
        po = read_po(f)
    entries: dict[str, str] = {}
    for message in po:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        entries[msgid] = "" if message.fuzzy else (msgstr or "")
    return entries


class Page(HTMLParser):
    """Links, the raw `<title>` and the visible text nodes of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.title_raw = ""
        self._stack: list[str] = []
        self._data_depth = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self._in_title:
            self.title_raw += self.get_starttag_text() or ""
        if tag in VOID_TAGS:
            return
        if tag == "title":
            self._in_title = True
        data = tag in DATA_TAGS or attributes.get("translate") == "no"
        self._stack.append(tag)
        self._data_depth += 1 if data or self._data_depth else 0

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in VOID_TAGS or tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if self._data_depth:
                self._data_depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if self._in_title:
            self.title_raw += data
        if not self._data_depth and data.strip():
            self.texts.append(" ".join(data.split()))


def untranslated(texts: list[str]) -> list[str]:
    """The visible texts of a zh-hans page that show English interface text or a raw field key."""
    entries = catalogue()
    found = []
    for text in texts:
        if FIELD_KEY.search(text):
            found.append(f"raw field key: {text!r}")
        elif text in entries and entries[text] != text and re.search(r"[A-Za-z]{2}", text):
            found.append(f"msgid shown untranslated: {text!r}")
        elif ENGLISH_RUN.search(text):
            found.append(f"English text: {text!r}")
    return found


@dataclass
class Crawl:
    """What one account's crawl saw: pages fetched, routes met, and every failure."""

    username: str
    pages: int = 0
    routes: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # failures already named in KNOWN (each has an xfail test)


def route_key(path: str, query: str) -> tuple[str, str, str] | None:
    """(route pattern, sort key, page) for a crawlable path, or None when the crawl leaves it alone."""
    if path.startswith(SKIP_PREFIXES) or (path.startswith("/admin/") and path != "/admin/"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    params = parse_qs(query)
    sort = next((params[k][0] for k in SORT_KEYS if k in params), "")
    page = params.get("page", ["1"])[0]
    if page not in ("1", "2"):
        return None
    return (match.route, sort, page)


def crawl(
    client: Client, username: str, *, seeds: tuple[str, ...] = (), known: tuple[str, ...] = (), limit: int = 400,
) -> Crawl:
    """From the home page, and from ``seeds``: detail pages of each kind of record (a site without history,
    an undetermined classification, an application in each status …), each fetched whatever its route,
    since one URL per route would otherwise meet only the first record of a kind the links lead to.
    A problem naming one of the ``known`` texts is kept apart: it has its own xfail test."""
    result = Crawl(username)
    seen: set[tuple[str, ...]] = set()
    queue: deque[tuple[str, str]] = deque([("/", "(start)"), *((seed, "(seed)") for seed in seeds)])
    while queue and result.pages < limit:
        url, referrer = queue.popleft()
        parts = urlsplit(url)
        key = route_key(parts.path, parts.query)
        if key is not None and referrer == "(seed)":
            key = (*key, url)
        if key is None or key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        result.pages += 1
        result.routes.add(key[0])
        where = f"{url} (from {referrer})"
        if response.status_code >= 500:
            result.failures.append(f"{response.status_code} at {where}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append((urljoin(url, response["Location"]), url))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode(response.charset or "utf-8"))
        if "<" in page.title_raw or "&lt;" in page.title_raw:
            result.failures.append(f"HTML in <title> {page.title_raw.strip()!r} at {where}")
        for problem in untranslated(page.texts):
            found = result.known if any(k in problem for k in known) else result.failures
            found.append(f"{problem} at {where}")
        for href in page.links:
            target = urljoin(url, href)
            split = urlsplit(target)
            if split.scheme in ("http", "https") and split.netloc not in ("testserver", ""):
                continue
            if split.scheme not in ("http", "https", ""):
                continue
            queue.append((split.path + (f"?{split.query}" if split.query else ""), url))
    return result
