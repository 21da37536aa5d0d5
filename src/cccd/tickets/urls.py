from django.urls import path

from cccd.tickets import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_queue, name="session_queue"),
    path("sessions/<int:session_id>/hand-out/", views.hand_out, name="queue_hand_out"),
    path("sessions/<int:session_id>/walk-in/", views.walk_in, name="queue_walk_in"),
    path("sessions/<int:session_id>/sheets/", views.class_sheets, name="queue_sheets"),
    path("sessions/<int:session_id>/classes/", views.school_classes, name="school_classes"),
    path(
        "sessions/<int:session_id>/classes/print.pdf",
        views.school_class_pdf,
        name="school_class_pdf",
    ),
    path("sessions/<int:session_id>/board/", views.board, name="queue_board"),
    path("sessions/<int:session_id>/board/state/", views.board_state, name="queue_board_state"),
    path("sessions/<int:session_id>/desks/<int:number>/", views.desk, name="queue_desk"),
    path(
        "sessions/<int:session_id>/desks/<int:number>/<str:action>/",
        views.desk_action,
        name="queue_desk_action",
    ),
    path("tickets/<int:ticket_id>/slip/", views.slip, name="ticket_slip"),
    path("t/<str:token>/", views.public_ticket, name="ticket_public"),
]
