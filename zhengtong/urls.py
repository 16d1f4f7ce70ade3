from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from zhengtong.api.api import api

# The API first: every API request is resolved through the patterns before its own (the dashboard's,
# under "", are tried for every path); no page's path begins with api/.
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
    path("", include("zhengtong.dashboard.urls")),
    path("accounts/", include("zhengtong.accounts.urls")),
    path("registry/", include("zhengtong.registry.urls")),
    path("screening/", include("zhengtong.screening.urls")),
    path("permits/", include("zhengtong.permits.urls")),
    path("outbreak/", include("zhengtong.outbreak.urls")),
    path("resumption/", include("zhengtong.resumption.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ENDPOINTS:
    from zhengtong.screening.bench_views import bare_insert

    urlpatterns.append(path("bench/bare-insert", bare_insert))
