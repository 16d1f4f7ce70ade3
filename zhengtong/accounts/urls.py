from django.urls import path

from zhengtong.accounts import views, views_exports

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.xlsx", views.access_log_export, {"fmt": "xlsx"}, name="access_log_xlsx"),
    path("access-log/export.csv", views.access_log_export, {"fmt": "csv"}, name="access_log_csv"),
    path("exports/", views_exports.export_list, name="export_list"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
]
