"""The coverage map's boundaries, for the administrator: `/coverage/boundaries/`."""

from django.urls import path

from cccd.reach import boundary_views as views

app_name = "boundaries"

urlpatterns = [
    path("", views.boundary_list, name="list"),
    path("upload/", views.boundary_upload, name="upload"),
    path("<int:unit_id>/delete/", views.boundary_delete, name="delete"),
]
