"""The coverage page and the commander's two posts on it, under /coverage/ (namespace "reach")."""

from django.urls import path

from cccd.reach import views

app_name = "reach"

urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("build/", views.build_cohort, name="build"),
    path("targets/", views.accept_targets, name="targets"),
]
