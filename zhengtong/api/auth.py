"""How API callers prove who they are.

* Pages calling the API from the browser use the Django session (``session_auth``); unsafe
  methods must carry the CSRF token (``X-CSRFToken`` header), as for any form.
* Devices and integrations send ``Authorization: Bearer <key>`` (``token_auth``): the key is
  looked up by its hash (``ApiToken.hash_key``), must not be revoked and its user must be
  active. ``last_used_at`` is written at most once a minute, so that a gate sending a check-in
  a second does not turn every read into a write.

Both are accepted on every endpoint (``AUTH``); the token is tried first, so a device never
needs a CSRF token. ``me_router`` answers "who am I" for either kind of caller.

* Gate devices send ``Authorization: Bearer ztg_<key>`` (``gate_auth``), accepted on the gate
  endpoints (/api/gate/…) only: the key is looked up by its hash (``GateDevice.hash_key``) and
  must not be revoked; ``request.auth`` is the device, whose site is fixed by its key. A device key
  opens nothing else, and a user's token does not open the gate endpoints.
"""

import json
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from zhengtong.accounts.models import ApiToken, RoleAssignment
from zhengtong.core.ids import MAX_ID
from zhengtong.screening.passes import read_pass_code
from zhengtong.screening.selectors import gate_device_for_key

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
PEEK_LIMIT = 4096  # bytes of a check-in body GateDeviceAuth looks into (a check-in is a few hundred)


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


class GateDeviceAuth(HttpBearer):
    """``Authorization: Bearer ztg_…``: acts as the gate device (``request.auth``), at its own site.

    With ``read_person`` (one check-in, the gate's hot path), the query that finds the device also
    reads the person the body names by ``person_id`` or by a scanned pass (``code``), with their
    relation to the device's site, as
    ``request.gate_person`` (None: not one of the site's people): one query instead of two. The body is
    only peeked at here; the endpoint validates it, and reads the person itself when the body names
    them otherwise."""

    openapi_description = "A gate device's key (ztg_…), shown once by `zhengtong issue_gate_token SITE_ID --name NAME`."

    def __init__(self, *, read_person: bool = False):
        super().__init__()
        self.read_person = read_person

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token.startswith("ztg_"):
            return None
        device, person = gate_device_for_key(token, person_id=self._person_id(request) if self.read_person else None)
        if device is None:
            return None
        request.gate_device = device
        request.gate_person = person
        return device

    @staticmethod
    def _person_id(request: HttpRequest) -> int | None:
        # Only a small body is worth a look; whatever is wrong with a body is the endpoint's to report
        # (its parser answers 400), so any failure here only skips the shortcut.
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > PEEK_LIMIT:
                return None
            body = json.loads(request.body)
        except Exception:  # noqa: BLE001 (RecursionError of a deeply nested body, RequestDataTooBig, …)
            return None
        if not isinstance(body, dict):
            return None
        value, code = body.get("person_id"), body.get("code")
        if value is None and isinstance(code, str):  # a scanned pass names its person (signed)
            value = (read_pass_code(code) or (None, None))[1]
        elif code:
            return None
        return value if type(value) is int and 0 < value <= MAX_ID else None


gate_check_in_auth = GateDeviceAuth(read_person=True)
token_auth = TokenAuth()
session_auth = CsrfSessionAuth()
gate_auth = GateDeviceAuth()
AUTH = [token_auth, session_auth]


# Who am I --------------------------------------------------------------------------------

me_router = Router(tags=["me"])


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


@me_router.get("/me", response=MeOut, summary="The caller and their role assignments")
def me(request):
    user = request.auth
    assignments = []
    rows = RoleAssignment.objects.filter(user=user).select_related("region", "department", "site", "unit")
    for a in rows.order_by("role", "id"):
        scope = a.scope
        scope_type = next(f for f in ("region", "department", "site", "unit") if getattr(a, f"{f}_id"))
        assignments.append({
            "role": a.role, "role_name": str(a.get_role_display()), "scope_type": scope_type,
            "scope_id": scope.pk, "scope_name": str(scope), "is_head": a.is_head,
        })
    return {"username": user.get_username(), "assignments": assignments}
