"""The back office's, the commander's and the delivery desk's screens: the work queue of dossiers,
one dossier with the moves the user may make, bulk approval, delivery and the refusal notice; the
search box and the deadline lists; the card preview.

Views parse and render; `lifecycle` decides, `queries` reads. A refusal is shown on the same
screen with its 4xx status, and the screen after a move is the next dossier of the same queue.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import APPROVE, COMPLETE, DELIVER, DOSSIERS, INTAKE
from cccd.accounts.scoping import get_visible
from cccd.enrollments import errors
from cccd.enrollments.documents.card import card_faces
from cccd.enrollments.documents.refusal import RefusalData, render_refusal
from cccd.enrollments.dossiers import contact as dossier_contact
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.dossiers import queries as dq
from cccd.enrollments.dossiers.forms import STATES, DeadlinesQuery, QueueQuery, SearchQuery
from cccd.enrollments.intake import captures
from cccd.enrollments.models import Enrollment, ProposedChange
from cccd.errors import INVALID_INPUT, NOT_FOUND, DomainError
from cccd.notify.contacts import contact_of, masked
from cccd.queryforms import is_id


def _with(url: str, filters: dq.DossierFilter) -> str:
    query = filters.querystring()
    return f"{url}?{query}" if query else url


def _filter_context(user: User, filters: dq.DossierFilter) -> dict[str, object]:
    return {
        "filters": filters,
        "query": filters.querystring(),
        "states": STATES,
        "sessions": dq.session_choices(user),
        "officers": dq.officer_choices(user),
    }


@requires(DOSSIERS)
@require_GET
def dossier_list(request: LoggedInRequest) -> HttpResponse:
    """The work queue: open work by default, the earliest return date first; filtered by state
    (or every state), session, officer and overdue."""
    require_permission(request.user, DOSSIERS)
    filters = QueueQuery.filters(request)
    page = dq.dossier_list(
        request.user,
        state=filters.state,
        session_id=filters.session_id,
        officer_id=filters.officer_id,
        overdue=filters.overdue,
        page=request.GET.get("page"),
    )
    today = timezone.localdate()
    rows = [(e, dq.is_overdue(e, today)) for e in page]
    context = {"page": page, "rows": rows, **_filter_context(request.user, filters)}
    return render(request, "enrollments/dossiers/list.html", context)


def _detail_page(
    request: LoggedInRequest,
    enrollment_id: int,
    *,
    error: DomainError | None = None,
    reason: str = "",
    move_name: str = "",
    contact_error: DomainError | None = None,
) -> HttpResponse:
    """The dossier with everything the back office decides on; `error` is the refusal of the
    move just tried (shown above the moves, with its status)."""
    user = request.user
    require_permission(user, DOSSIERS)
    filters = QueueQuery.filters(request)
    enrollment = dq.dossier(user, enrollment_id)
    dq.record_lookup(user, enrollment)
    previous, following = dq.neighbours(user, enrollment, filters)
    moves = lifecycle.moves_from(enrollment.state, user)
    names = {m.name for m in moves}
    gaps = lifecycle.completion_gaps(enrollment) if "complete" in names else []
    can_deliver = user.has_perm(DELIVER) and enrollment.state == Enrollment.State.AT_UNIT
    context = {
        "enrollment": enrollment,
        "person": enrollment.person,
        "filters": filters,
        "query": filters.querystring(),
        "previous": previous,
        "next": following,
        "moves": moves,
        "names": names,
        "has_return": "return" in names,
        "gaps": gaps,
        "slots": dq.capture_slots(enrollment),
        "history": dq.history(enrollment),
        "changes": list(enrollment.changes.all()),
        "proposed": ProposedChange.State.PROPOSED,
        "can_review": user.has_perm(COMPLETE),
        "can_deliver": can_deliver,
        "overdue": dq.is_overdue(enrollment),
        "error": error,
        "reason": reason,
        "move_name": move_name,
        "contact_shown": masked(enrollment.notify_channel, enrollment.notify_address),
        "can_edit_contact": dossier_contact.can_edit(user, enrollment),
        "contact_error": contact_error,
    }
    shown_error = error or contact_error
    status = shown_error.status if shown_error is not None else 200
    return render(request, "enrollments/dossiers/detail.html", context, status=status)


@requires(DOSSIERS)
@require_GET
def dossier_detail(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    return _detail_page(request, enrollment_id)


def _after_move(
    request: LoggedInRequest, enrollment: Enrollment, filters: dq.DossierFilter
) -> HttpResponse:
    """The next dossier of the same queue (the one after this one's place), or the queue."""
    _previous, following = dq.neighbours(request.user, enrollment, filters)
    if following is None:
        return redirect(_with(reverse("dossiers:list"), filters))
    return redirect(_with(reverse("dossiers:detail", args=[following]), filters))


@requires(DOSSIERS)
@require_POST
def dossier_move(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """One move by hand (complete, return, approve …); then the next dossier of the queue."""
    filters = QueueQuery.filters(request)
    name = request.POST.get("move", "").strip()
    reason = request.POST.get("reason", "")
    try:
        enrollment = lifecycle.move(enrollment_id, name, actor=request.user, reason=reason)
    except DomainError as exc:
        if exc.code == "NOT_FOUND":
            raise
        return _detail_page(request, enrollment_id, error=exc, reason=reason[:300], move_name=name)
    messages.success(
        request,
        _("Dossier %(code)s: %(state)s.")
        % {"code": enrollment.code, "state": enrollment.get_state_display().lower()},
    )
    return _after_move(request, enrollment, filters)


@requires(INTAKE, COMPLETE, DELIVER)
@require_POST
def change_contact(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """Where to tell the citizen (a phone, SMS or Zalo, or an e-mail; empty: nobody); a bad one is
    shown on the dossier with its 4xx and nothing is changed."""
    try:
        found = contact_of(
            request.POST.get("contact", "")[:254], request.POST.get("contact_by", "sms")
        )
        dossier_contact.set_contact(enrollment_id, found, actor=request.user)
    except DomainError as exc:
        if exc.code in ("NOT_FOUND", "PERMISSION_DENIED"):
            raise
        return _detail_page(request, enrollment_id, contact_error=exc)
    messages.success(request, _("Saved."))
    return redirect("dossiers:detail", enrollment_id=enrollment_id)


@requires(COMPLETE)
@require_POST
def review_change(request: LoggedInRequest, enrollment_id: int, change_id: int) -> HttpResponse:
    """Accept or reject a register correction proposed at the desk; back to the same dossier."""
    filters = QueueQuery.filters(request)
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        raise INVALID_INPUT(detail=_("accept or reject"))
    change = dq.proposed_change(request.user, enrollment_id, change_id)
    try:
        lifecycle.review_change(change.pk, actor=request.user, accept=decision == "accept")
    except DomainError as exc:
        if exc.code == "NOT_FOUND":
            raise
        return _detail_page(request, enrollment_id, error=exc)
    return redirect(_with(reverse("dossiers:detail", args=[enrollment_id]), filters) + "#changes")


# --- the commander's bulk approval --------------------------------------------------------------


def _chosen_ids(values: list[str]) -> list[int]:
    """The ticked dossiers; anything but a row number is a tampered form, refused whole."""
    if len(values) > lifecycle.BULK_LIMIT:
        raise errors.TOO_MANY_CHOSEN(limit=lifecycle.BULK_LIMIT, count=len(values))
    if not all(is_id(v.strip()) for v in values):
        raise INVALID_INPUT(detail=_("the chosen dossiers are not dossier numbers"))
    return [int(v) for v in values]


def _approve_page(
    request: LoggedInRequest,
    filters: dq.DossierFilter,
    *,
    error: DomainError | None = None,
    chosen: set[int] | None = None,
) -> HttpResponse:
    page = dq.dossier_list(
        request.user,
        state=Enrollment.State.COMPLETED,
        session_id=filters.session_id,
        officer_id=filters.officer_id,
        overdue=filters.overdue,
        page=request.GET.get("page"),
    )
    today = timezone.localdate()
    context = {
        "page": page,
        "rows": [(e, dq.is_overdue(e, today)) for e in page],
        "error": error,
        "chosen": chosen or set(),
        "limit": lifecycle.BULK_LIMIT,
        **_filter_context(request.user, filters),
    }
    status = error.status if error is not None else 200
    return render(request, "enrollments/dossiers/approve.html", context, status=status)


@requires(APPROVE)
@require_http_methods(["GET", "POST"])
def approve(request: LoggedInRequest) -> HttpResponse:
    """The completed dossiers of the subtree, ticked and approved together: all or none."""
    require_permission(request.user, APPROVE)
    filters = QueueQuery.filters(request, state=Enrollment.State.COMPLETED)
    if request.method == "GET":
        return _approve_page(request, filters)
    raw = request.POST.getlist("ids")
    try:
        ids = _chosen_ids(raw)
        done = lifecycle.move_many(ids, "approve", actor=request.user)
    except DomainError as exc:
        if exc.code == "NOT_FOUND":  # a dossier of another unit in the form: tampered, a 404
            raise
        chosen = {int(v) for v in raw if is_id(v.strip())}
        return _approve_page(request, filters, error=exc, chosen=chosen)
    messages.success(
        request,
        ngettext("%(count)d dossier approved.", "%(count)d dossiers approved.", len(done))
        % {"count": len(done)},
    )
    return redirect(_with(reverse("dossiers:approve"), filters))


# --- delivery -----------------------------------------------------------------------------------


def _signature(request: HttpRequest) -> bytes | None:
    """The receipt signature: a pad's image file, or the canvas's picture as a data URL."""
    upload: UploadedFile[bytes] | None = request.FILES.get("file")
    if upload is not None:
        return captures.read_upload(upload, limit_mb=captures.SIGNATURE_MAX_MB)
    data_url = request.POST.get("file_data", "").strip()
    if not data_url:
        return None
    try:
        return captures.data_url_bytes(data_url, limit_mb=captures.SIGNATURE_MAX_MB)
    except DomainError as exc:
        if exc.code == "NOT_AN_IMAGE":
            raise errors.BAD_SIGNATURE() from exc
        raise


def _deliver_page(
    request: LoggedInRequest, enrollment_id: int, *, error: DomainError | None = None
) -> HttpResponse:
    enrollment = dq.dossier(request.user, enrollment_id)
    dq.record_lookup(request.user, enrollment)
    context = {
        "enrollment": enrollment,
        "person": enrollment.person,
        "error": error,
        "can_deliver": enrollment.state in lifecycle.MOVES["deliver"].sources,
        "delivery": request.POST.get("delivery", Enrollment.Delivery.HANDED_OVER),
        "tracking_number": request.POST.get("tracking_number", "")[:40],
        "methods": Enrollment.Delivery.choices,
    }
    status = error.status if error is not None else 200
    return render(request, "enrollments/dossiers/deliver.html", context, status=status)


@requires(DELIVER)
@require_http_methods(["GET", "POST"])
def deliver(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """The card handed over against a signature, or posted with its tracking number."""
    require_permission(request.user, DELIVER)
    if request.method == "GET":
        return _deliver_page(request, enrollment_id)
    try:
        delivery = request.POST.get("delivery", "")
        signature = _signature(request) if delivery == Enrollment.Delivery.HANDED_OVER else None
        enrollment = lifecycle.deliver(
            enrollment_id,
            actor=request.user,
            delivery=delivery,
            signature=signature,
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except DomainError as exc:
        if exc.code == "NOT_FOUND":
            raise
        return _deliver_page(request, enrollment_id, error=exc)
    messages.success(
        request, _("Dossier %(code)s: the card is delivered.") % {"code": enrollment.code}
    )
    return redirect("dossiers:detail", enrollment_id=enrollment.pk)


# --- the refusal notice -------------------------------------------------------------------------


def _birth(enrollment: Enrollment) -> str:
    person = enrollment.person
    if person.birth_date_precision == "year":
        return str(person.birth_date.year)
    return f"{person.birth_date:%d/%m/%Y}"


@requires(DOSSIERS)
@require_GET
def refusal_pdf(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """The refusal notice of a rejected dossier, for the citizen; audited as a look-up."""
    require_permission(request.user, DOSSIERS)
    enrollment = dq.dossier(request.user, enrollment_id)
    if enrollment.state != Enrollment.State.REJECTED:
        raise NOT_FOUND()
    signer = enrollment.state_changed_by
    pdf = render_refusal(
        RefusalData(
            unit_name=enrollment.unit.name,
            parent_unit_name=enrollment.unit.parent.name if enrollment.unit.parent else "",
            dossier_code=enrollment.code or "",
            full_name=enrollment.person.full_name,
            personal_id=enrollment.person.personal_id,
            birth_date=_birth(enrollment),
            received_at=enrollment.received_at,
            refused_at=enrollment.state_changed_at,
            reason=enrollment.reason,
            law=enrollment.law,
            signer=(signer.get_full_name() or signer.get_username()) if signer else "",
        )
    )
    dq.record_lookup(request.user, enrollment, "enrollment.refusal_notice")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tu-choi-{enrollment.code}.pdf"'
    return response


# --- search and deadlines -----------------------------------------------------------------------


@requires(DOSSIERS)
@require_GET
def search(request: LoggedInRequest) -> HttpResponse:
    """The search box; a query too short to search is said in the page, with a 400."""
    require_permission(request.user, DOSSIERS)
    if "q" not in request.GET:
        return render(request, "enrollments/dossiers/search.html", {"q": "", "result": None})
    q = SearchQuery.read(request.GET)["q"]
    context: dict[str, object] = {"q": q, "result": None}
    try:
        context["result"] = dq.search(request.user, q)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "enrollments/dossiers/search.html", context, status=exc.status)
    return render(request, "enrollments/dossiers/search.html", context)


@requires(DOSSIERS)
@require_GET
def deadlines(request: LoggedInRequest) -> HttpResponse:
    """Overdue and due-soon dossiers of the user's subtree; `?days=N` widens "due soon"."""
    require_permission(request.user, DOSSIERS)
    days = DeadlinesQuery.read(request.GET)["days"] or dq.DUE_SOON_DAYS
    lists = dq.deadline_lists(request.user, days=days)
    return render(request, "enrollments/dossiers/deadlines.html", {"lists": lists})


# --- the card preview ---------------------------------------------------------------------------


@requires(DOSSIERS)
@require_GET
def card_preview(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """Front and back of the dossier's card, for the person to check before signing and for the
    officer to compare with the produced card. Another unit's dossier, a missing one and a draft
    (no code yet) are the same 404; the look-up is audited once the page can be shown."""
    enrollment = get_visible(
        request.user, Enrollment.objects.select_related("person", "unit"), pk=enrollment_id
    )
    if enrollment.code is None:
        raise NOT_FOUND()
    faces = card_faces(enrollment, timezone.localdate())
    photo = dq.card_photo(enrollment)
    record(
        "enrollment.view_card",
        actor=request.user,
        unit=enrollment.unit,
        obj=enrollment,
        after={"enrollment": enrollment.pk},
    )
    context = {"enrollment": enrollment, "faces": faces, "photo": photo}
    return render(request, "enrollments/dossiers/card.html", context)
