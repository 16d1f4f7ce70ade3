"""A password someone else set (a new account's initial password, an administrator's reset) is changed by
its user before anything else: every page but the password change, sign-out and language switch sends
them there (a session's API call is refused). Read once, when the user signs in (``remember_on_login``,
connected in AccountsConfig.ready; a session older than that reads it on its next request); the password
change clears it."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengtong.accounts.models import UserProfile

SESSION_KEY = "zt_must_change_password"
OPEN_PREFIXES = ("/static/", "/i18n/")


def must_change_password(user) -> bool:
    return UserProfile.objects.filter(user=user, must_change_password=True).exists()


def remember_on_login(sender, request, user, **kwargs) -> None:
    """django.contrib.auth's user_logged_in: keep in the session whether the password must be changed."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = must_change_password(user)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            must = request.session.get(SESSION_KEY)
            if must is None:
                must = must_change_password(user)
                request.session[SESSION_KEY] = must
            if must and not self._open(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Change your password first.")}, status=403)
                if request.method == "GET":
                    messages.info(request, _("Your password was set by an administrator: choose your own to go on."))
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path in (reverse("password_change"), reverse("logout")) or path.startswith(OPEN_PREFIXES)
