"""The project's URLs plus a stand-in for the home-visit planning page (`reach_homevisits:plan`,
from another part of issue 16), so the list page's "Plan a home-visit round" can be tested alone."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from cccd.accounts.permissions import requires
from cccd.urls import urlpatterns as project


@requires()
def plan(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plan")


homevisits = ([path("plan/", plan, name="plan")], "reach_homevisits")
urlpatterns = [*project, path("coverage/homevisits/", include(homevisits))]
