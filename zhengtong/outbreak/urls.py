from django.urls import path

from zhengtong.outbreak import views

app_name = "outbreak"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_report, name="case_report"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/move/<str:action>/", views.case_move, name="case_move"),
]
