from django.urls import path

from zhengtong.resumption import views, views_donations, views_visits

app_name = "resumption"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/", views.units, name="units"),
    path("declarations/", views.declaration_list, name="declaration_list"),
    path("declarations/<int:pk>/<str:action>/", views.declaration_answer, name="declaration_answer"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/declare/", views.declare, name="declare"),
    path("units/<int:pk>/stage/", views.stage_new, name="stage_new"),
    path("difficulties/", views.difficulty_list, name="difficulty_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/export/", views.inbox_export, name="inbox_export"),
    path("difficulties/new/", views.difficulty_new, name="difficulty_new"),
    path("difficulties/<int:pk>/", views.difficulty, name="difficulty"),
    path("difficulties/<int:pk>/attachments/<int:attachment>/", views.difficulty_attachment,
         name="difficulty_attachment"),
    path("difficulties/<int:pk>/<str:action>/", views.difficulty_move, name="difficulty_move"),
    path("visits/", views_visits.visit_list, name="visit_list"),
    path("visits/export/", views_visits.visit_export, name="visit_export"),
    path("visits/new/", views_visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views_visits.visit, name="visit"),
    path("instructions/<int:pk>/", views_visits.instruction, name="instruction"),
    path("instructions/<int:pk>/<str:action>/", views_visits.instruction_move, name="instruction_move"),
    path("donations/", views_donations.campaign_list, name="donation_campaigns"),
    path("donations/<int:pk>/", views_donations.campaign, name="donation_campaign"),
    path("donations/<int:pk>/export/", views_donations.campaign_export, name="donation_export"),
    path("donations/records/<int:pk>/", views_donations.donation_correct, name="donation"),
    path("donations/records/<int:pk>/receipt/", views_donations.donation_receipt, name="donation_receipt"),
]
