"""The lists of people still to reach, mounted by cccd.urls under /coverage/lists/."""

from django.urls import path

from cccd.reach import list_views

app_name = "reach_lists"

urlpatterns = [
    path("", list_views.reach_list, name="list"),
    path("list.xlsx", list_views.reach_list_xlsx, name="xlsx"),
    path("list.pdf", list_views.reach_list_pdf, name="pdf"),
]
