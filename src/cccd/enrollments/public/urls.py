"""The citizen's pages, no login (namespace `public`), mounted by cccd.urls at the root because
their addresses are printed: the status page at /status/, and the slip's QR link at
/intake/d/<token>/ on every slip already handed out."""

from django.urls import path

from cccd.enrollments.public import views

app_name = "public"
urlpatterns = [
    path("status/", views.public_dossier_status, name="status"),
    path("intake/d/<str:token>/", views.dossier_by_link, name="link"),
]
