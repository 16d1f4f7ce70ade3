from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhengtong.accounts.selectors import home_panels

login_view = auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
logout_view = auth_views.LogoutView.as_view()


@login_required
def home(request):
    return render(request, "home.html", {"panels": home_panels(user=request.user), "nav_active": "home"})
