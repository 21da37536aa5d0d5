"""The intake desk, mounted by cccd.urls under /intake/ (namespace `intake`): the screen of the
number at a desk, the dossier it made and its slip, and closing the session. The slip's QR link
`/intake/d/<token>/` is the citizen's page: it is `public`'s."""

from django.urls import path

from cccd.enrollments.intake import views

app_name = "intake"
urlpatterns = [
    path("tickets/<int:ticket_id>/", views.intake, name="screen"),
    path("tickets/<int:ticket_id>/person/", views.choose_person, name="person"),
    path("tickets/<int:ticket_id>/details/", views.save_details, name="details"),
    path("tickets/<int:ticket_id>/capture/<str:kind>/", views.capture_one, name="capture"),
    path("tickets/<int:ticket_id>/slots/<str:kind>/", views.capture_many, name="slots"),
    path("tickets/<int:ticket_id>/device/<str:kind>/", views.capture_device, name="device"),
    path("tickets/<int:ticket_id>/changes/", views.propose, name="propose"),
    path("tickets/<int:ticket_id>/finish/", views.finish, name="finish"),
    path("dossiers/<int:enrollment_id>/", views.done, name="done"),
    path("dossiers/<int:enrollment_id>/slip.pdf", views.slip_pdf, name="slip"),
    path("sessions/<int:session_id>/close/", views.close, name="close_session"),
]
