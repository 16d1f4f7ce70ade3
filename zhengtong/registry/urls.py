from django.urls import path

from zhengtong.registry import views

app_name = "registry"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("sites/", views.site_list, name="site_list"),
    path("people/", views.person_list, name="person_list"),
    path("departments/", views.department_list, name="department_list"),
]
