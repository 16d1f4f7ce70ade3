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
