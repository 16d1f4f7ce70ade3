import time
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in the city's language (settings.LANGUAGE_CODE) until the user picks another
    with the switch; a browser's Accept-Language does not override it. API clients, which have
    no switch, get their Accept-Language."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(language if language in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """Pages and API answers carry personal data (ID numbers, temperatures, who entered where): no
    browser or proxy cache keeps them (``Cache-Control: no-store``), unless the view set its own
    Cache-Control. One rule for every answer of ours, the login page and the public permit register
    included, so that no page with personal data can be missed. Static files keep their caching:
    WhiteNoise, before this middleware, answers them without reaching it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class HeadAsGetMiddleware:
    """HEAD on the API answers as GET does, without the body (RFC 9110: a GET resource answers HEAD).
    django-ninja routes by method and would answer 405; the pages' views handle HEAD themselves. A 405
    that allows GET says HEAD too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        if head and not getattr(response, "streaming", False):
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class SessionTouchMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE seconds of inactivity (a sliding expiry). Saving the
    session on every request (SESSION_SAVE_EVERY_REQUEST) would write to the database on every page and
    API call; instead a signed-in session is saved again, with its expiry moved on, when it was last
    saved more than SESSION_TOUCH_SECONDS ago (60): the idle timeout holds to within that. Runs after
    SessionMiddleware, which saves a modified session with its response. A session with nothing in it
    (an anonymous visitor) is never created here."""

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            if int(time.time()) - int(session.get(self.KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[self.KEY] = int(time.time())  # modified: saved with a new expiry
        response = self.get_response(request)
        if session is not None and session.modified and not session.is_empty():
            session[self.KEY] = int(time.time())  # saved anyway (a sign-in, a message): its expiry moves now
        return response


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's, with the policy built once. Every answer carries the same header but when a view
    changed its policy (django-csp's decorators: attributes on the response), used a nonce, or is
    Django's debug page; django-csp builds the header from the settings again for each answer (about
    300 Python calls, more than the rest of the middleware together on an API answer). Those answers
    go to django-csp's own code; every other gets the header built from the settings once, set as
    django-csp sets it (not over a header already there, not under an excluded prefix)."""

    RESPONSE_PARTS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt", "_csp_config_ro",
                      "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None or settings.DEBUG
                or any(hasattr(response, part) for part in self.RESPONSE_PARTS)):
            return super().process_response(request, response)
        for header, policy, excluded in settings_policies():
            if policy and header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp: too late now
        return response


@cache
def settings_policies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy, excluded path prefixes) of the enforced and the report-only policy, from the
    settings (built again when a test changes them)."""
    out = []
    for header, name, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                      (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
        excluded = tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
        out.append((header, build_policy(report_only=report_only), excluded))
    return tuple(out)


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_policies.cache_clear()
