"""The public booking pages (namespace `booking`), mounted at the root by cccd.urls: /book/…"""

from django.urls import path

from cccd.booking import views

app_name = "booking"
urlpatterns = [
    path("book/", views.start, name="start"),
    path("book/slot/<int:slot>/", views.book_slot, name="slot"),
    path("book/m/<str:token>/", views.manage, name="manage"),
    path("book/m/<str:token>/cancel/", views.cancel, name="cancel"),
    path("book/m/<str:token>/move/", views.move, name="move"),
]
