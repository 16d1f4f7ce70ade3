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
