"""How API callers who are users prove who they are, and "who am I" (``/api/me``).

* Pages calling the API from the browser use the Django session (``session_auth``); unsafe
  methods must carry the CSRF token (``X-CSRFToken`` header), as for any form.
* Devices and integrations send ``Authorization: Bearer <key>`` (``token_auth``): the key is
  looked up by its hash (``ApiToken.hash_key``), must not be revoked and its user must be
  active. ``last_used_at`` is written at most once a minute, so that a gate sending a check-in
  a second does not turn every read into a write.

Both are accepted on every endpoint (``AUTH``, the API's default); the token is tried first, so a
device never needs a CSRF token. ``router`` answers "who am I" for either kind of caller.

Gate devices authenticate with their own key on the gate endpoints only: zhengtong.screening.auth.
"""

from datetime import timedelta
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import router as db_router
from django.db.models import FilteredRelation, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.security import HttpBearer, SessionAuth

from zhengtong.accounts import scopes
from zhengtong.accounts.backends import ID_MARKER
from zhengtong.accounts.models import SCOPE_FIELDS, ApiToken, Role, RoleAssignment, active_assignments_q
from zhengtong.core import compiled
from zhengtong.core.schemas import Out

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zt_…``: acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token:
            return None
        found = token_read(ApiToken.hash_key(token))
        if found is None:
            return None
        api_token, user = found
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_TOUCH_INTERVAL:
            # Conditional update: concurrent requests from one device write the row once.
            ApiToken.objects.filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_TOUCH_INTERVAL), pk=api_token.pk
            ).update(last_used_at=now)
        request.user = user  # so that the audit history and anything reading request.user sees the device's user
        request.api_token = api_token
        return user


# The token's fields read with it (the rest are deferred): what the request and its access records use.
TOKEN_FIELDS = ("id", "name", "prefix", "user_id", "last_used_at")


def token_read(key_hash: str) -> tuple[ApiToken, Any] | None:
    """The token with this hash, not revoked, of an active user, with its user and the user's scope
    (``scopes.keep_scope``, from the active role assignments), in one statement: one row per active
    assignment (one with no role for a user who holds none). Every API request of a token pays it, so
    the statement is compiled once (``_token_statement``, core.compiled)."""
    statement, user_fields = _token_statement(db_router.db_for_read(ApiToken))
    found = compiled.rows(statement, key_hash)
    if not found:
        return None
    first, n_token, n_user = found[0], len(TOKEN_FIELDS), len(user_fields)
    api_token = ApiToken.from_db(statement.alias, TOKEN_FIELDS, first[:n_token])
    user = get_user_model().from_db(statement.alias, user_fields, first[n_token:n_token + n_user])
    api_token.user = user
    scopes.keep_scope(user, [row[n_token + n_user:] for row in found if row[n_token + n_user] is not None])
    return api_token, user


class _Key(str):
    """Stands for the key's hash while the statement is compiled (found again by its type)."""


_KEY = _Key("zt-token-statement-key")


@cache
def _token_statement(alias: str) -> tuple[compiled.Compiled, tuple[str, ...]]:
    """The statement of ``token_read`` on a database (``_KEY`` where the key's hash goes) and the user's
    fields it reads."""
    user_fields = tuple(f.attname for f in get_user_model()._meta.concrete_fields)
    active = FilteredRelation("user__assignments", condition=active_assignments_q("user__assignments__"))
    qs = (ApiToken.objects.using(alias).filter(key_hash=_KEY, revoked_at__isnull=True, user__is_active=True)
          .alias(active=active)
          .values_list(*TOKEN_FIELDS, *(f"user__{f}" for f in user_fields),
                       *(f"active__{f}" for f in scopes.ASSIGNMENT_VALUES)))
    return compiled.compile_once(qs, _KEY), user_fields


class CsrfSessionAuth(SessionAuth):
    """ninja's ``django_auth`` (session cookie, CSRF checked on unsafe methods), except that a
    request without a signed-in session is simply not authenticated by it: there is nothing for
    CSRF to protect, and the caller gets 401 rather than a CSRF 403."""

    def _get_key(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth = CsrfSessionAuth()
AUTH = [token_auth, session_auth]


# Who am I --------------------------------------------------------------------------------

router = Router(tags=["me"])


class AssignmentOut(Out):
    role: str
    role_name: str
    scope_type: str
    scope_id: int
    scope_name: str
    is_head: bool


class MeOut(Out):
    username: str
    assignments: list[AssignmentOut]


# Each scope's id and name (the name is what each of these models prints as), in SCOPE_FIELDS' order.
_SCOPE_VALUES = tuple(value for f in SCOPE_FIELDS for value in (f"{f}_id", f"{f}__name"))


# The operation id it was published with, when this lived in zhengtong/api/auth.py: clients generated
# from the schema name their method after it.
@router.get("/me", response=MeOut, summary="The caller and their role assignments",
            operation_id="zhengtong_api_auth_me")
def me(request):
    user = request.auth
    assignments = []
    for role, is_head, *scope in compiled.rows(_me_statement(db_router.db_for_read(RoleAssignment)), user.pk):
        i = next(i for i in range(len(SCOPE_FIELDS)) if scope[2 * i] is not None)
        assignments.append({
            "role": role, "role_name": str(Role(role).label), "scope_type": SCOPE_FIELDS[i],
            "scope_id": scope[2 * i], "scope_name": scope[2 * i + 1], "is_head": bool(is_head),
        })
    return {"username": user.get_username(), "assignments": assignments}


@cache
def _me_statement(alias: str) -> compiled.Compiled:
    """``/api/me``'s statement on a database, compiled once (every call of a client checking its token
    pays it): the caller's active assignments with each scope's id and name, by role. ``ID_MARKER`` (an id no
    other parameter equals) stands for the caller's while it is compiled."""
    qs = (RoleAssignment.objects.using(alias).active().filter(user_id=ID_MARKER).order_by("role", "id")
          .values_list("role", "is_head", *_SCOPE_VALUES))
    return compiled.compile_once(qs, ID_MARKER)
