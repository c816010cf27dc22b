from django.urls import path

from .views import demo, queue, sources

app_name = "newsdesk"

urlpatterns = [
    # Review queue and staff requests (views/queue.py).
    path("", queue.queue, name="queue"),
    path("solicitud/", queue.request_new, name="request_new"),
    path("<int:pk>/descartar/", queue.dismiss, name="dismiss"),
    path("<int:pk>/restaurar/", queue.restore, name="restore"),
    path("solicitudes/<int:pk>/aceptar/", queue.request_accept, name="request_accept"),
    path("solicitudes/<int:pk>/rechazar/", queue.request_reject, name="request_reject"),
    # Sources (views/sources.py).
    path("fuentes/", sources.source_list, name="sources"),
    path("fuentes/<int:pk>/", sources.source_detail, name="source_detail"),
    path("fuentes/<int:pk>/consultar/", sources.source_poll, name="source_poll"),
    path(
        "fuentes/<int:pk>/usar-sugerida/",
        sources.source_use_suggested,
        name="source_use_suggested",
    ),
    # Demo feeds served by the desk itself (views/demo.py).
    path("demo/<slug:slug>.xml", demo.demo_feed, name="demo_feed"),
]
