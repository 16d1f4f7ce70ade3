"""Request helpers shared by every app's pages and API."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

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
    """The address the request came from, as the server saw it (no proxy header is trusted)."""
    return request.META.get("REMOTE_ADDR", "")
