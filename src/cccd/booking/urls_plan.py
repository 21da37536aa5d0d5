"""The organiser's booking plan of a session: /booking/sessions/<session_id>/."""

from django.urls import path

from cccd.booking import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.plan, name="booking_plan"),
]
