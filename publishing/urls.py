from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("redactar/", views.compose, name="compose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/editar/", views.edit, name="edit"),
    path("<int:pk>/enviar/", views.submit, name="submit"),
    path("<int:pk>/aprobar/", views.approve, name="approve"),
    path("<int:pk>/devolver/", views.reject, name="reject"),
    path("entregas/<int:pk>/reintentar/", views.retry, name="retry"),
    path("entregas/<int:pk>/confirmar/", views.confirm, name="confirm"),
]
