from django.urls import path

from cccd.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/sessions/new/", views.session_plan, name="session_plan"),
    path("sessions/", views.session_list, name="session_list"),
    path("venues/", views.venue_list, name="venue_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("groups/", views.group_list, name="group_list"),
]
