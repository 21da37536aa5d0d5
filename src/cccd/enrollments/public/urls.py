"""The citizen's status page, mounted by cccd.urls under /status/."""

from django.urls import path

from cccd.enrollments import status_views

urlpatterns = [
    path("", status_views.public_dossier_status, name="public_dossier_status"),
]
