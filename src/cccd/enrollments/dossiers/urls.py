"""The dossiers after the desk, mounted under /dossiers/ by cccd.urls (namespace `dossiers`): the
work queue, one dossier and its moves, bulk approval, delivery, the refusal notice, the search box,
the deadline lists and the card preview."""

from django.urls import path

from cccd.enrollments.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("approve/", views.approve, name="approve"),
    path("search/", views.search, name="search"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("<int:enrollment_id>/", views.dossier_detail, name="detail"),
    path("<int:enrollment_id>/move/", views.dossier_move, name="move"),
    path("<int:enrollment_id>/changes/<int:change_id>/", views.review_change, name="review_change"),
    path("<int:enrollment_id>/deliver/", views.deliver, name="deliver"),
    path("<int:enrollment_id>/contact/", views.change_contact, name="contact"),
    path("<int:enrollment_id>/refusal.pdf", views.refusal_pdf, name="refusal"),
    path("<int:enrollment_id>/card/", views.card_preview, name="card"),
]
