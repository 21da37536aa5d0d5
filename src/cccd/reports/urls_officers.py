"""The officer report, mounted by cccd.reports.urls under /reports/."""

from django.urls import path

from cccd.reports import officer_views

urlpatterns = [
    path("officers/", officer_views.officer_report, name="officer_report"),
    path("officers.xlsx", officer_views.officer_report_xlsx, name="officer_report_xlsx"),
]
