from zhengtong.screening import views_gate, views_logs, views_rotations, views_site

app_name = "screening"
urlpatterns = (views_gate.urlpatterns + views_site.urlpatterns + views_logs.urlpatterns
               + views_rotations.urlpatterns)
