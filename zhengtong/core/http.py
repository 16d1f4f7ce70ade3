"""Request helpers shared by every app's pages and API."""

import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from zhengtong.core.compiled import kept
from zhengtong.core.ids import valid_id


def get_or_404(qs: QuerySet, pk: Any) -> Any:
    """One record of a scoped queryset; anything else — missing, outside the scope, not a valid
    id — is the same 404, so that an id never tells whether a record exists."""
    pk = valid_id(pk)
    if pk is None:
        raise Http404
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``: the one place the product (and the login
    throttling, AXES_CLIENT_IP_CALLABLE) gets it.

    With no trusted proxy (settings.TRUSTED_PROXIES = 0) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored: anyone can write it. Behind N trusted reverse proxies, each of which appends the address
    it received the request from to X-Forwarded-For (nginx: ``$proxy_add_x_forwarded_for``), it is
    the N-th entry from the right: the one the outermost trusted proxy wrote. Entries to its left were
    sent by the client and are never believed. A header with fewer entries, or one that is not an
    address, did not come through the proxies: REMOTE_ADDR again."""
    remote = request.META.get("REMOTE_ADDR") or ""
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def per_request(request: HttpRequest | None, key: Any, compute: Callable[[], Any]) -> Any:
    """A value computed once per request and kept on it (a count that both the page and its
    navigation show); without a request, computed each time."""
    if request is None:
        return compute()
    memo = request.__dict__.setdefault("_zt_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(request: HttpRequest | None, key: Any, value: Any) -> None:
    """Keep a value that ``per_request`` would compute (the page found it on its way)."""
    if request is not None:
        request.__dict__.setdefault("_zt_memo", {})[key] = value


def reverse_once(name: str) -> str:
    """``reverse(name)`` of a URL that takes no argument, reversed once per process for each URLconf,
    script prefix and language (``url_key``: what its answer depends on): the navigation and the base
    template ask for the same twenty URLs on every page, about 140 Python calls each through ``reverse``."""
    return kept(_REVERSED, (name, url_key()), lambda: reverse(name))


def url_key() -> tuple:
    """What ``reverse`` answers depend on besides the name and arguments: the URLconf, the script
    prefix, the language (for translated or prefixed patterns)."""
    return settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), get_language()


_REVERSED: dict[tuple, str] = {}
