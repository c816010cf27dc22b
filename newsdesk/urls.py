from django.urls import path

from .views import queue, sources

app_name = "newsdesk"

urlpatterns = [
    # Review queue and staff requests (views/queue.py).
    path("", queue.queue, name="queue"),
    path("solicitud/", queue.request_new, name="request_new"),
    # Sources (views/sources.py).
    path("fuentes/", sources.source_list, name="sources"),
]
