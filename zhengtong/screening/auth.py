"""How a gate device proves which device it is, on the gate endpoints (/api/gate/…) only.

A device sends ``Authorization: Bearer ztg_<key>`` (``gate_auth``): the key is looked up by its hash
(``GateDevice.hash_key``) and must not be revoked; ``request.auth`` is the device, whose site is
fixed by its key. A device key opens nothing else, and a user's token does not open the gate
endpoints (those are zhengtong.accounts.api's ``AUTH``).
"""

import json

from django.http import HttpRequest
from ninja.security import HttpBearer

from zhengtong.core.ids import MAX_ID
from zhengtong.screening.passes import read_pass_code
from zhengtong.screening.selectors import gate_device_for_key

PEEK_LIMIT = 4096  # bytes of a check-in body GateDeviceAuth looks into (a check-in is a few hundred)


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


gate_auth = GateDeviceAuth()
gate_entry_auth = GateDeviceAuth(read_person=True)
