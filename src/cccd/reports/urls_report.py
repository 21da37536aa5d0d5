"""The daily report, mounted by cccd.reports.urls under /reports/."""

from django.urls import path

from cccd.reports import report_views

urlpatterns = [
    path("report/", report_views.report_page, name="report_page"),
    path("report.<str:fmt>", report_views.report_download, name="report_download"),
]
