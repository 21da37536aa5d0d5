from django.urls import include, path

from cccd.reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<int:unit_id>/", views.dashboard, name="dashboard_unit"),
    path("", include("cccd.reports.urls_report")),
    path("", include("cccd.reports.urls_officers")),
]
