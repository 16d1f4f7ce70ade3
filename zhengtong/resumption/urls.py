from django.urls import path

from zhengtong.resumption import views

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
    path("difficulties/new/", views.difficulty_new, name="difficulty_new"),
    path("difficulties/<int:pk>/", views.difficulty, name="difficulty"),
    path("difficulties/<int:pk>/<str:action>/", views.difficulty_move, name="difficulty_move"),
]
