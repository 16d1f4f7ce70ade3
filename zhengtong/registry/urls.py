from django.urls import path

from zhengtong.registry import views

app_name = "registry"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/export.xlsx", views.unit_export, name="unit_export"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/import/template.xlsx", views.unit_import_template, name="unit_import_template"),
    path("units/import/<int:pk>/", views.unit_import_detail, name="unit_import_detail"),
    path("units/import/<int:pk>/errors.<str:fmt>", views.unit_import_errors, name="unit_import_errors"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/history/", views.unit_history, name="unit_history"),
    path("units/<int:unit_pk>/sites/new/", views.site_create, name="site_create"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/export.xlsx", views.site_export, name="site_export"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:pk>/history/", views.site_history, name="site_history"),
    path("sites/<int:pk>/inmates/<int:membership_pk>/release/", views.inmate_release, name="inmate_release"),
    path("people/", views.person_list, name="person_list"),
    path("people/export.xlsx", views.person_export, name="person_export"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/history/", views.person_history, name="person_history"),
    path("people/held/", views.held_list, name="held_list"),
    path("people/held/<int:pk>/", views.held_resolve, name="held_resolve"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/export.xlsx", views.department_export, name="department_export"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:pk>/history/", views.department_history, name="department_history"),
]
