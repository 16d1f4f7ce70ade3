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
    path("units/<int:pk>/readings/", views.reading_decide, name="reading_decide"),
    path("units/<int:pk>/registration/", views.registration_file, name="registration_file"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("campaign/", views.campaign, name="campaign"),
    path("campaign/export.xlsx", views.campaign_export, name="campaign_export"),
    path("units/<int:pk>/apply/", views.application_start, name="application_start"),
    path("applications/", views.application_list, name="applications"),
    path("applications/export.xlsx", views.application_export, name="application_export"),
    path("permits/", views.permit_list, name="permits"),
    path("permits/export.xlsx", views.permit_export, name="permit_export"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("applications/<int:pk>/documents/<int:doc>/", views.document_download, name="document"),
    path("applications/<int:pk>/documents/<int:doc>/delete/", views.document_delete, name="document_delete"),
    path("applications/<int:pk>/<str:action>/", views.application_move, name="application_move"),
    path("permits/<int:pk>/", views.permit_detail, name="permit"),
    path("permits/<int:pk>/certificate-<str:copy>.pdf", views.permit_certificate, name="permit_certificate"),
    path("permits/<int:pk>/end/", views.permit_end, name="permit_end"),
    path("permits/<int:pk>/report/", views.report_file, name="report_file"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("cases/", views.case_list, name="cases"),
    path("cases/scan/", views.case_scan, name="case_scan"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("public/", views.public_list, name="public"),
]
