from django.urls import path

from cccd.reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<int:unit_id>/", views.dashboard, name="dashboard_unit"),
]
