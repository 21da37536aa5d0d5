from django.urls import path

from cccd.enrollments import views

urlpatterns = [
    path("tickets/<int:ticket_id>/", views.intake, name="intake"),
    path("tickets/<int:ticket_id>/person/", views.choose_person, name="intake_person"),
    path("tickets/<int:ticket_id>/details/", views.save_details, name="intake_details"),
    path("tickets/<int:ticket_id>/capture/<str:kind>/", views.capture_one, name="intake_capture"),
    path("tickets/<int:ticket_id>/slots/<str:kind>/", views.capture_many, name="intake_slots"),
    path("tickets/<int:ticket_id>/changes/", views.propose, name="intake_propose"),
    path("tickets/<int:ticket_id>/finish/", views.finish, name="intake_finish"),
    path("dossiers/<int:enrollment_id>/", views.done, name="dossier_done"),
    path("dossiers/<int:enrollment_id>/slip.pdf", views.slip_pdf, name="dossier_slip"),
    path("sessions/<int:session_id>/close/", views.close, name="session_close"),
    path("d/<str:token>/", views.public_status, name="dossier_public"),
]
