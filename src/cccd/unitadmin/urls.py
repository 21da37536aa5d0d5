from django.urls import path

from cccd.unitadmin import views

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:parent_id>/new/", views.unit_create, name="unit_create"),
]
