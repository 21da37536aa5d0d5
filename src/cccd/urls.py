from django.urls import include, path
from django.views.i18n import set_language

from cccd.accounts.permissions import public
from cccd.api_v1 import api
from cccd.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("cccd.accounts.urls")),
    path("units/", include("cccd.unitadmin.urls")),
    path("registry/", include("cccd.registry.urls")),
    path("campaigns/", include("cccd.campaigns.urls")),
    path("rosters/", include("cccd.rosters.urls")),
    path("queue/", include("cccd.tickets.urls")),
    path("intake/", include("cccd.enrollments.intake.urls")),
    path("dossiers/", include("cccd.enrollments.dossiers.urls")),
    path("batches/", include("cccd.enrollments.production.urls")),
    path("", include("cccd.enrollments.public.urls")),  # /status/ and the slips' /intake/d/<token>/
    path("", include("cccd.booking.urls")),  # the public's /book/…
    path("booking/", include("cccd.booking.urls_plan")),  # the organiser's plan of a session
    path("reports/", include("cccd.reports.urls")),
    path("notify/", include("cccd.notify.urls")),  # the opt-out link, the providers' reports
    path("coverage/lists/", include("cccd.reach.urls_lists")),
    path("coverage/boundaries/", include("cccd.reach.urls_boundaries")),
    path("coverage/", include("cccd.reach.urls", namespace="reach")),
    path("home-visits/", include("cccd.reach.urls_homevisits")),
    path("planner/", include("cccd.planner.urls_whatif")),  # /planner/sessions/<id>/what-if/
    path("planner/", include("cccd.planner.urls", namespace="planner")),
    path("", include("cccd.kits.urls")),  # /kits/ (the district), /kit/outbox/ (a kit)
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("api/v1/", api.urls),
]
