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

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from zhengtong.accounts.models import ApiToken, RoleAssignment

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zt_…``: acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_TOUCH_INTERVAL:
            # Conditional update: concurrent requests from one device write the row once.
            ApiToken.objects.filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_TOUCH_INTERVAL), pk=api_token.pk
            ).update(last_used_at=now)
        user = api_token.user
        request.user = user  # so that the audit history and anything reading request.user sees the device's user
        request.api_token = api_token
        return user


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


class AssignmentOut(Schema):
    role: str
    role_name: str
    scope_type: str
    scope_id: int
    scope_name: str
    is_head: bool


class MeOut(Schema):
    username: str
    assignments: list[AssignmentOut]


# The operation id it was published with, when this lived in zhengtong/api/auth.py: clients generated
# from the schema name their method after it.
@router.get("/me", response=MeOut, summary="The caller and their role assignments",
            operation_id="zhengtong_api_auth_me")
def me(request):
    user = request.auth
    assignments = []
    rows = RoleAssignment.objects.active().filter(user=user).select_related("region", "department", "site", "unit")
    for a in rows.order_by("role", "id"):
        scope = a.scope
        scope_type = next(f for f in ("region", "department", "site", "unit") if getattr(a, f"{f}_id"))
        assignments.append({
            "role": a.role, "role_name": str(a.get_role_display()), "scope_type": scope_type,
            "scope_id": scope.pk, "scope_name": str(scope), "is_head": a.is_head,
        })
    return {"username": user.get_username(), "assignments": assignments}
