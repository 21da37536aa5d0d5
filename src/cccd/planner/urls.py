from django.urls import path

from cccd.planner import views

app_name = "planner"
urlpatterns = [
    path("", views.plan_new, name="new"),
    path("<int:run_id>/", views.plan_run, name="run"),
    path("<int:run_id>/edit/", views.plan_edit, name="edit"),
    path("<int:run_id>/accept/", views.plan_accept, name="accept"),
    path("<int:run_id>/again/", views.plan_again, name="again"),
]
