"""Dossier search and deadline lists, mounted by cccd.urls under /dossiers/."""

from django.urls import path

from cccd.enrollments import find_views

urlpatterns = [
    path("search/", find_views.search, name="dossiers_search"),
    path("deadlines/", find_views.deadlines, name="dossiers_deadlines"),
]
