from django.urls import path

from cccd.rosters import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_roster, name="session_roster"),
    path("<int:roster_id>/", views.roster_detail, name="roster_detail"),
    path("<int:roster_id>/confirm/", views.roster_confirm, name="roster_confirm"),
    path("<int:roster_id>/discard/", views.roster_discard, name="roster_discard"),
    path("<int:roster_id>/columns/", views.roster_remap, name="roster_remap"),
    path("<int:roster_id>/review/", views.review, name="roster_review"),
    path("<int:roster_id>/discrepancies.xlsx", views.discrepancies, name="roster_discrepancies"),
    path("entries/<int:entry_id>/", views.entry_detail, name="roster_entry"),
]
