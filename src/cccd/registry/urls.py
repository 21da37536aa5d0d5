from django.urls import path

from cccd.registry import views

urlpatterns = [
    path("", views.search, name="register_search"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("imports/", views.imports, name="register_imports"),
    path("imports/<int:import_id>/", views.import_detail, name="register_import"),
    path("imports/<int:import_id>/resume/", views.import_resume, name="register_import_resume"),
    path(
        "imports/<int:import_id>/rejected.xlsx",
        views.import_rejected_xlsx,
        name="register_import_rejected",
    ),
]
