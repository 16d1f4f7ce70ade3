from django.urls import path

from zhengtong.permits import views

app_name = "permits"
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:row>/", views.catalogue_row, name="catalogue_row"),
    path("classification/", views.classification_overview, name="classification"),
    path("classification/run/", views.classification_run, name="classification_run"),
    path("units/<int:pk>/", views.unit_permits, name="unit"),
    path("units/<int:pk>/facts/", views.unit_facts, name="unit_facts"),
    path("units/<int:pk>/registration/", views.registration_file, name="registration_file"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("campaign/", views.campaign, name="campaign"),
    path("public/", views.public_list, name="public"),
]
