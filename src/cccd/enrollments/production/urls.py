"""Production batches, mounted by cccd.urls under /batches/ (namespace `production`)."""

from django.urls import path

from cccd.enrollments.production import views

app_name = "production"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_new, name="new"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/file.zip", views.batch_download, name="download"),
    path("<int:batch_id>/result/", views.batch_result, name="result"),
    path("<int:batch_id>/arrived/", views.batch_arrived, name="arrived"),
]
