import time

from django.conf import settings
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
