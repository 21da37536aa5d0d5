"""The card preview, mounted by cccd.urls under /dossiers/."""

from django.urls import path

from cccd.enrollments import card_views

urlpatterns = [
    path("<int:enrollment_id>/card/", card_views.card_preview, name="dossier_card"),
]
