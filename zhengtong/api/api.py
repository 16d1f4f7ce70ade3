"""One OpenAPI surface assembled from each app's router, at /api/ (docs at /api/docs).

Every endpoint accepts a session (the pages' own calls, CSRF checked on unsafe methods) or an
API token (``Authorization: Bearer …``); see zhengtong.accounts.api. Gate devices use their own key on
/api/gate/… only; see zhengtong.screening.auth.

Every error has one shape, ``{"detail": "...", "errors": [{"field": "uscc", "message": "..."}]}``
(field "" for an error of the whole request):

| cause | status |
|---|---|
| DomainError from a service (bad value, broken rule) | its status: 400, or 409 for a clash |
| request body or parameters not of the declared types (ninja's validation) | 422 |
| body that is not JSON | 400 |
| not signed in, no or bad token | 401 |
| PermissionDenied from a service, CSRF failure | 403 |
| Http404: missing, or outside the caller's scope (the two answer alike) | 404 |

Each app adds its router below; the error answers are documented on every operation by
``ZhengtongAPI.get_openapi_schema``.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from zhengtong.accounts.api import AUTH
from zhengtong.accounts.api import router as me_router
from zhengtong.core.errors import DomainError
from zhengtong.outbreak.api import router as outbreak_router
from zhengtong.permits.api import router as permits_router
from zhengtong.registry.api import router as registry_router
from zhengtong.resumption.api import router as resumption_router
from zhengtong.screening.api import router as gate_router
from zhengtong.screening.auth import gate_auth


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


# Statuses every operation may answer with ErrorOut; writes may also answer 400 and 409.
READ_ERRORS = {
    "401": "Not signed in, or no valid API token",
    "403": "Not allowed (or, for a session, a missing CSRF token)",
    "404": "Not found, or outside the caller's scope",
    "422": "Parameters or body not of the declared types; errors name each field",
}
WRITE_ERRORS = {
    "400": "A value the service refused; errors name each field",
    "409": "Clashes with an existing record",
}


class ZhengtongAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                errors = dict(READ_ERRORS)
                if method.lower() in ("post", "put", "patch", "delete"):
                    errors.update(WRITE_ERRORS)
                for status, description in errors.items():
                    operation["responses"].setdefault(status, {"description": description, **ref})
                # a read that a service may refuse declares its 400 (openapi_extra=REFUSED_READ): its body too
                for status, response in operation["responses"].items():
                    if status in WRITE_ERRORS and "content" not in response:
                        response.update(ref)
        return schema


class OneValueParser(Parser):
    """A query parameter declared once and sent twice (``?q=a&q=b``) is refused (422, naming it), not
    read as its last value without a word: the document declares one value."""

    def parse_querydict(self, data, list_fields, request):
        return {key: data.getlist(key) if key in list_fields or len(data.getlist(key)) > 1 else data[key]
                for key in data.keys()}


api = ZhengtongAPI(
    title="Zhengtong API",
    version="1",
    description="The registry of units, sites, people and departments, and every campaign's work on them. "
    "Authenticate with a session (pages) or `Authorization: Bearer <token>` (devices, integrations).",
    urls_namespace="api",
    auth=AUTH,
    parser=OneValueParser(),
)


# Errors ----------------------------------------------------------------------------------


def error_response(request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None):
    return api.create_response(request, {"detail": str(detail), "errors": errors or []}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if 400 <= exc.status < 500 and exc.status != 422 else 400
    return error_response(request, status, exc.message, exc.as_list())


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Never the exception's text: it must not tell a missing record from one outside the scope.
    return error_response(request, 404, "Not found")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, _("Sign in, or send a valid API token (Authorization: Bearer …)."))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# ninja's own refusals, in the caller's language: its text is English, and with DEBUG on it adds the
# parser's exception (raw Python text) to the first.
_HTTP_ERRORS = {
    400: lambda: _("The request body is not valid JSON."),
    403: lambda: _("The CSRF token is missing or wrong: reload the page and try again."),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = _HTTP_ERRORS.get(exc.status_code)
    return error_response(request, exc.status_code, message() if message else str(exc))


# Parameter sources ninja puts first in an error's loc, and the names this project gives body
# parameters, neither of which the client knows as a field.
_LOC_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
_BODY_PARAMS = {"payload", "filters", "ninja_pagination"}


def _field_name(loc: Any) -> str:
    parts = list(loc) if isinstance(loc, (list, tuple)) else [loc]
    if parts and parts[0] in _LOC_SOURCES:
        parts = parts[1:]
    if parts and parts[0] in _BODY_PARAMS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


# pydantic's checks, by the type of their error, as the caller's language says them (pydantic's own
# text is English); a check of ours (``value_error``) raises its message translated already.
_PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("This field is not known here."),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float", "int_parsing_size"),
                    lambda ctx: _("Give a whole number.")),
    **dict.fromkeys(("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"),
                    lambda ctx: _("Enter a number.")),
    **dict.fromkeys(("bool_parsing", "bool_type"), lambda ctx: _("Give true or false.")),
    **dict.fromkeys(("string_type", "string_unicode"), lambda ctx: _("Give text.")),
    **dict.fromkeys(("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"),
                    lambda ctx: _("Enter a date as YYYY-MM-DD.")),
    **dict.fromkeys(("datetime_parsing", "datetime_type", "datetime_from_date_parsing"),
                    lambda ctx: _("Give the time in ISO 8601 with its time zone, e.g. 2020-02-20T08:30:00+08:00.")),
    **dict.fromkeys(("uuid_parsing", "uuid_type", "uuid_version"),
                    lambda ctx: _("Give a UUID, e.g. 0b7e5c1a-3f2d-4c4e-9a51-6f0d2b8e7c11.")),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), lambda ctx: _("Give a list.")),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), lambda ctx: _("Give an object.")),
    "greater_than_equal": lambda ctx: _("At least %(n)s.") % {"n": ctx.get("ge")},
    "greater_than": lambda ctx: _("More than %(n)s.") % {"n": ctx.get("gt")},
    "less_than_equal": lambda ctx: _("At most %(n)s.") % {"n": ctx.get("le")},
    "less_than": lambda ctx: _("Less than %(n)s.") % {"n": ctx.get("lt")},
    "string_too_long": lambda ctx: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
    # minLength 1 is how the document says a text may not be empty: said as the pages say it.
    "string_too_short": lambda ctx: _("This field is required.") if ctx.get("min_length") == 1 else
    _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
    **dict.fromkeys(("literal_error", "enum"), lambda ctx: _("Choose one of: %(choices)s.") % {
        "choices": ctx.get("expected", "")}),
}


def _message(error: dict[str, Any]) -> str:
    translated = _PYDANTIC_MESSAGES.get(str(error.get("type")))
    if translated is not None:
        return str(translated(error.get("ctx") or {}))
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """ninja's own request validation: keep its 422, in the shape of every other error."""
    errors = []
    for error in exc.errors:
        if isinstance(error, dict) and ("loc" in error or "msg" in error):
            errors.append({"field": _field_name(error.get("loc", ())), "message": _message(error)})
        elif isinstance(error, dict):  # e.g. the cursor paginator's {"cursor": "Invalid Cursor"}
            errors.extend({"field": str(k), "message": str(v)} for k, v in error.items())
        else:
            errors.append({"field": "", "message": str(error)})
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return error_response(request, 422, detail or _("The request is not valid."), errors)


# Routers ---------------------------------------------------------------------------------

api.add_router("/", me_router)
api.add_router("/", registry_router)
# Gate devices only, with their own key (Authorization: Bearer ztg_…); request.auth is the device.
api.add_router("/gate", gate_router, auth=[gate_auth])
api.add_router("/permits", permits_router)
api.add_router("/outbreak", outbreak_router)
api.add_router("/resumption", resumption_router)
# Each later app adds its router here, above the fallback.


# Keep last: any other path under /api/ answers a JSON 404 in the one error shape, not Django's
# HTML page. Routes added after this one would never be reached.
fallback_router = Router()


@fallback_router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None,
                               include_in_schema=False)
def not_found(request: HttpRequest, rest: str):
    raise Http404


api.add_router("/", fallback_router)
