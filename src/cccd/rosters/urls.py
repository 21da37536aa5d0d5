from django.urls import path

from cccd.rosters import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_roster, name="session_roster"),
    path("<int:roster_id>/columns/", views.roster_remap, name="roster_remap"),
    path("<int:roster_id>/review/", views.review, name="roster_review"),
    path("<int:roster_id>/discrepancies.xlsx", views.discrepancies, name="roster_discrepancies"),
    path("entries/<int:entry_id>/", views.entry_detail, name="roster_entry"),
]
