"""URLs mounted by cccd.urls (being built)."""

urlpatterns: list = []
