from django.urls import path

from cccd.planner import whatif_views

urlpatterns = [
    path(
        "sessions/<int:session_id>/what-if/",
        whatif_views.session_whatif,
        name="planner_whatif",
    ),
]
