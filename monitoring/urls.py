from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("contador/", views.counts, name="counts"),
    path("<int:pk>/decidir/", views.decide, name="decide"),
    path("cuentas-seguidas/", views.watched_accounts, name="watched"),
]
