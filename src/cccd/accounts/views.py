from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts import queries, services
from cccd.accounts.actions import action_label
from cccd.accounts.forms import (
    AuditFilterForm,
    OwnPasswordForm,
    PasswordForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
    UserListQuery,
)
from cccd.accounts.models import ApiToken, User
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import AUDIT, USERS
from cccd.accounts.scoping import get_visible
from cccd.errors import DomainError


@requires(USERS)
def user_list(request: LoggedInRequest) -> HttpResponse:
    q = UserListQuery.read(request.GET)["q"]
    page = Paginator(queries.visible_users(request.user, q=q), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@requires(USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: LoggedInRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, units=queries.police_units_for(request.user))
    if request.method == "POST" and form.is_valid():
        user = services.create_user(actor=request.user, **form.cleaned_data)
        messages.success(request, _("User %(username)s created.") % {"username": user.username})
        return redirect("user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": _("New user")},
        status=400 if form.errors else 200,
    )


@requires(USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request: LoggedInRequest, user_id: int) -> HttpResponse:
    target = get_visible(request.user, User.objects.all(), pk=user_id)
    initial = {
        f: getattr(target, f)
        for f in ("first_name", "last_name", "email", "unit", "role", "is_active")
    }
    form = UserEditForm(
        request.POST or None, initial=initial, units=queries.police_units_for(request.user)
    )
    password_form = PasswordForm()
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        services.update_user(target.pk, actor=request.user, **changes)
        messages.success(request, _("User %(username)s saved.") % {"username": target.username})
        return redirect("user_list")
    context = {
        "form": form,
        "password_form": password_form,
        "target": target,
        "title": _("User %(username)s") % {"username": target.username},
    }
    return render(request, "accounts/user_form.html", context, status=400 if form.errors else 200)


@requires(USERS)
@require_POST
def user_set_password(request: LoggedInRequest, user_id: int) -> HttpResponse:
    form = PasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the new password."))
        return redirect("user_edit", user_id=user_id)
    services.set_user_password(user_id, form.cleaned_data["password"], actor=request.user)
    messages.success(request, _("Password changed."))
    return redirect("user_edit", user_id=user_id)


@requires(AUDIT)
def audit_list(request: LoggedInRequest) -> HttpResponse:
    filters = AuditFilterForm.read(request.GET)
    events = queries.audit_trail(request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page})


@requires()
@require_http_methods(["GET", "POST"])
def token_list(request: LoggedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_api_token(
            name=form.cleaned_data["name"], actor=request.user
        )
        form = TokenForm()
    now = timezone.now()
    tokens = list(
        ApiToken.objects.filter(user=request.user).select_related("user").order_by("-created_at")
    )
    for token in tokens:
        token.current_state = token.state(now)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "tokens": tokens,
        "new_key": new_key,
        "lifetime_days": settings.CCCD_API_TOKEN_DAYS,
    }
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@requires()
@require_http_methods(["GET", "POST"])
def password_change(request: LoggedInRequest) -> HttpResponse:
    """The user's own password, after the current one; their API tokens end with the old one."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_own_password(
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password"],
                actor=request.user,
            )
        except DomainError as exc:  # shown beside the form, which keeps nothing typed
            form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)  # this browser stays logged in; others do not
            messages.success(
                request,
                _("Password changed. Your API tokens have ended; make new ones if you need them."),
            )
            return redirect("home")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@requires()
@require_POST
def token_revoke(request: LoggedInRequest, token_id: int) -> HttpResponse:
    services.revoke_api_token(token_id, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("token_list")
