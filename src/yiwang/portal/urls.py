from django.urls import path

from yiwang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_space, name="my-space"),
    path("healthz", views.healthz, name="healthz"),
]
