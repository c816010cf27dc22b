from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("ingresar/", auth_views.LoginView.as_view(), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("noticias/", include("newsdesk.urls")),
    path("publicaciones/", include("publishing.urls")),
    path("monitoreo/", include("monitoring.urls")),
]

handler400 = "upme_social.views.bad_request"

admin.site.site_header = "upme_social — administración"
admin.site.site_title = "upme_social"
