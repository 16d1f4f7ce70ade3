from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from zhengtong.accounts import scopes
from zhengtong.dashboard.selectors import home_panels
from zhengtong.resumption import selectors as resumption


@login_required
def home(request):
    """The home page: the user's roles, figures and to-dos; a department officer's opens with their
    inbox of difficulties (the first rows, overdue first, and a link to the whole inbox)."""
    user = request.user
    inbox = None
    if scopes.home_is_difficulty_inbox(user):
        inbox = resumption.inbox_preview(user=user, today=timezone.localdate(), request=request)
    return render(request, "dashboard/home.html", {"panels": home_panels(user=user), "nav_active": "home",
                                                   "inbox": inbox, "accept_days": settings.DIFFICULTY_ACCEPT_DAYS})
