"""Calling /api/ in tests: a JSON client as one caller (a token or a session), and the checks of
the one error shape."""

import json

from django.contrib.auth.models import User
from django.test import Client


class Api:
    """A Django test client that speaks JSON to /api/ as one caller (token or session)."""

    def __init__(self, *, token: str | None = None, user: User | None = None, enforce_csrf_checks: bool = False):
        self.client = Client(enforce_csrf_checks=enforce_csrf_checks)
        # English unless a test asks otherwise, so that assertions on messages do not change when
        # the Chinese catalogue grows.
        self.headers = {"Accept-Language": "en"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if user is not None:
            self.client.force_login(user, backend="zhengtong.accounts.backends.ScopedModelBackend")

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api{path}", params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path: str, data, headers: dict | None = None):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.post(f"/api{path}", body, content_type="application/json",
                                headers={**self.headers, **(headers or {})})

    def patch(self, path: str, data, headers: dict | None = None):
        return self.client.patch(f"/api{path}", json.dumps(data), content_type="application/json",
                                 headers={**self.headers, **(headers or {})})


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape; with ``field``, one of the errors names it. Returns the body."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and error["message"]
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def messages_for(body: dict, field: str) -> list[str]:
    return [e["message"] for e in body["errors"] if e["field"] == field]
