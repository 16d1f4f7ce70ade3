from django.urls import path

from zhengtong.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
]
