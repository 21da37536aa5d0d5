"""/home-visits/: planning a round, the round's page and paper, outcomes, a person's mark."""

from django.urls import path

from cccd.reach import homevisit_views as views

app_name = "reach_homevisits"

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("sessions/<int:session_id>/", views.session, name="session"),
    path("sessions/<int:session_id>/round.pdf", views.round_pdf, name="round_pdf"),
    path(
        "sessions/<int:session_id>/people/<int:person_id>/outcome/",
        views.outcome,
        name="outcome",
    ),
    path(
        "sessions/<int:session_id>/people/<int:person_id>/move/",
        views.reorder,
        name="reorder",
    ),
    path(
        "sessions/<int:session_id>/people/<int:person_id>/remove/",
        views.remove,
        name="remove",
    ),
    path("people/<int:person_id>/mark/", views.mark, name="mark"),
    path("people/<int:person_id>/unmark/", views.unmark, name="unmark"),
]
