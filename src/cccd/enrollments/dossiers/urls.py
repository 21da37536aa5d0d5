"""The back office's dossier screens, mounted under /dossiers/ by cccd.urls."""

from django.urls import path

from cccd.enrollments import dossier_views as views

urlpatterns = [
    path("", views.dossier_list, name="dossiers_list"),
    path("approve/", views.approve, name="dossiers_approve"),
    path("<int:enrollment_id>/", views.dossier_detail, name="dossiers_detail"),
    path("<int:enrollment_id>/move/", views.dossier_move, name="dossiers_move"),
    path(
        "<int:enrollment_id>/changes/<int:change_id>/",
        views.review_change,
        name="dossiers_review_change",
    ),  # fmt: skip
    path("<int:enrollment_id>/deliver/", views.deliver, name="dossiers_deliver"),
    path("<int:enrollment_id>/refusal.pdf", views.refusal_pdf, name="dossiers_refusal"),
]
