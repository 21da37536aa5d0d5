"""URLs mounted by cccd.reports.urls (being built)."""

urlpatterns: list = []
