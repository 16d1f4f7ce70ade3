from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhengtong.dashboard.selectors import home_panels


@login_required
def home(request):
    return render(request, "dashboard/home.html", {"panels": home_panels(user=request.user), "nav_active": "home"})
