"""/notify/: the opt-out link printed in messages, and the providers' delivery reports."""

from django.urls import path

from cccd.notify import views

app_name = "notify"
urlpatterns = [
    path("stop/<str:token>/", views.stop, name="stop"),
    path("hooks/zns/", views.zns_hook, name="zns_hook"),
    path("hooks/sms/", views.sms_hook, name="sms_hook"),
]
