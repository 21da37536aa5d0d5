"""The field kit's pages: the district's `/kits/`, and the kit's own `/kit/outbox/` (field mode)."""

from django.urls import path

from cccd.kits import views

app_name = "kits"

urlpatterns = [
    path("kits/", views.kit_list, name="list"),
    path("kit/outbox/", views.outbox, name="outbox"),
    path("kit/outbox/send/", views.send_now, name="send_now"),
]
