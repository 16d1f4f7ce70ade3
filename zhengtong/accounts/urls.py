from django.urls import path

from zhengtong.accounts import views, views_exports, views_users

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.xlsx", views.access_log_export, {"fmt": "xlsx"}, name="access_log_xlsx"),
    path("access-log/export.csv", views.access_log_export, {"fmt": "csv"}, name="access_log_csv"),
    path("exports/", views_exports.export_list, name="export_list"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    path("users/", views_users.user_list, name="account_user_list"),
    path("users/new/", views_users.user_create, name="account_user_create"),
    path("users/<int:pk>/", views_users.user_detail, name="account_user_detail"),
    path("users/<int:pk>/edit/", views_users.user_edit, name="account_user_edit"),
    path("users/<int:pk>/assign/", views_users.assignment_create, name="account_assign"),
    path("users/<int:pk>/password/", views_users.password_reset, name="account_password_reset"),
    path("users/<int:pk>/unlock/", views_users.account_unlock, name="account_unlock"),
    path("users/<int:pk>/active/", views_users.account_set_active, name="account_set_active"),
    path("assignments/<int:pk>/end/", views_users.assignment_end, name="account_assignment_end"),
]
