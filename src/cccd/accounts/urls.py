from django.contrib.auth import views as auth_views
from django.urls import path

from cccd.accounts import views
from cccd.accounts.permissions import public

urlpatterns = [
    path(
        "login/",
        public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_set_password, name="user_set_password"),
    path("audit/", views.audit_list, name="audit_list"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
