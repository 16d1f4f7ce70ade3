from django.urls import path

from zhengtong.outbreak import views

app_name = "outbreak"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/chains/", views.case_chains, name="case_chains"),
    path("cases/new/", views.case_report, name="case_report"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/move/<str:action>/", views.case_move, name="case_move"),
    path("cases/<int:pk>/trace/", views.case_trace, name="case_trace"),
    path("cases/<int:pk>/trace/export.xlsx", views.case_trace_export, name="case_trace_export"),
    path("isolation/", views.isolation_list, name="isolation_list"),
    path("isolation/export.xlsx", views.isolation_export, name="isolation_export"),
    path("isolation/new/", views.isolation_new, name="isolation_new"),
    path("isolation/<int:pk>/", views.isolation_detail, name="isolation_detail"),
    path("isolation/<int:pk>/<str:action>/", views.isolation_act, name="isolation_act"),
]
