"""Production batches, mounted by cccd.urls under /batches/."""

from django.urls import path

from cccd.enrollments import production_views as views

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/", views.batch_new, name="batch_new"),
    path("<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("<int:batch_id>/file.zip", views.batch_download, name="batch_download"),
    path("<int:batch_id>/result/", views.batch_result, name="batch_result"),
    path("<int:batch_id>/arrived/", views.batch_arrived, name="batch_arrived"),
]
