from django.urls import path

from . import views

app_name = "newsdesk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("fuentes/", views.sources, name="sources"),
    path("solicitud/", views.request_new, name="request_new"),
]
