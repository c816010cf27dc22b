from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.post_list, name="list"),
]
