"""Production batches: the list of a unit's batches, making one from the approved dossiers, and a
batch's page (its dossiers, the file to download, the centre's result to upload, the cards
arriving). Views parse and render; every change goes through `services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import DELIVER, DOSSIERS, PRODUCE
from cccd.accounts.scoping import get_visible, visible_to
from cccd.enrollments.models import Enrollment, ProductionBatch
from cccd.enrollments.production import errors, services
from cccd.enrollments.production.result_file import RESULT_MAX_MB
from cccd.errors import DomainError

S = Enrollment.State
MB = 1024 * 1024


def _approved_count(request: HttpRequest) -> int:
    return visible_to(request.user, Enrollment.objects.filter(state=S.APPROVED)).count()


def _list_page(
    request: HttpRequest, *, making: bool = False, error: DomainError | None = None
) -> HttpResponse:
    batches = (
        visible_to(request.user, ProductionBatch.objects.select_related("unit"))
        .annotate(
            produced=Count("enrollments", filter=Q(enrollments__state=S.PRODUCED)),
            refused=Count("enrollments", filter=Q(enrollments__state=S.RETURNED)),
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "batches": page.object_list,
        "approved": _approved_count(request),
        "limit": services.BATCH_LIMIT,
        "making": making,
        "error": error,
    }
    status = error.status if error is not None else 200
    return render(request, "enrollments/production/batches.html", context, status=status)


@requires(DOSSIERS)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, DOSSIERS)
    return _list_page(request)


@requires(PRODUCE)
@require_http_methods(["GET", "POST"])
def batch_new(request: LoggedInRequest) -> HttpResponse:
    """How many approved dossiers are ready; the POST sends them (up to the limit) as one batch."""
    require_permission(request.user, PRODUCE)
    if request.method == "GET":
        return _list_page(request, making=True)
    try:
        batch = services.export_batch(actor=request.user)
    except DomainError as exc:
        return _list_page(request, making=True, error=exc)
    messages.success(
        request,
        ngettext(
            "Batch %(code)s made: %(count)s dossier sent to production.",
            "Batch %(code)s made: %(count)s dossiers sent to production.",
            batch.count,
        )
        % {"code": batch.code, "count": batch.count},
    )
    return redirect("production:detail", batch_id=batch.pk)


def _batch_page(
    request: HttpRequest, batch_id: int, *, error: DomainError | None = None
) -> HttpResponse:
    batch = get_visible(request.user, ProductionBatch.objects.select_related("unit"), pk=batch_id)
    dossiers = visible_to(request.user, batch.enrollments.all()).order_by("code")
    counts = dict(dossiers.values_list("state").annotate(n=Count("pk")).order_by())
    context = {
        "batch": batch,
        "dossiers": dossiers.only(
            "code",
            "state",
            "reason",
            "return_date",
            "card_issue_date",
            "card_expiry",
            "chip_serial",
        ),
        "counts": {S(k).label: v for k, v in counts.items()},
        "can_arrive": counts.get(S.PRODUCED, 0) > 0,
        "error": error,
        "max_mb": RESULT_MAX_MB,
    }
    status = error.status if error is not None else 200
    return render(request, "enrollments/production/batch.html", context, status=status)


@requires(DOSSIERS)
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    require_permission(request.user, DOSSIERS)
    return _batch_page(request, batch_id)


@requires(PRODUCE)
@require_GET
def batch_download(request: LoggedInRequest, batch_id: int) -> FileResponse:
    """The signed batch zip; the service audits the download (it holds personal data)."""
    batch, handle = services.open_batch_file(batch_id, actor=request.user)
    return FileResponse(
        handle, as_attachment=True, filename=f"{batch.code}.zip", content_type="application/zip"
    )


def _read_result(upload: UploadedFile[bytes] | None) -> bytes:
    """The uploaded result's bytes, refused by its declared size before any is read, and again
    while reading if the declared size understated it."""
    if upload is None:
        raise errors.RESULT_EMPTY()
    limit = RESULT_MAX_MB * MB
    if upload.size is not None and upload.size > limit:
        raise errors.RESULT_TOO_LARGE(size=f"{upload.size / MB:.1f}", limit=RESULT_MAX_MB)
    buffer = bytearray()
    for chunk in upload.chunks():
        buffer += chunk
        if len(buffer) > limit:
            raise errors.RESULT_TOO_LARGE(size=f"{len(buffer) / MB:.1f}", limit=RESULT_MAX_MB)
    return bytes(buffer)


@requires(PRODUCE)
@require_POST
def batch_result(request: LoggedInRequest, batch_id: int) -> HttpResponse:
    """The centre's result file: imported whole, or refused on the batch's page with the reason."""
    batch = get_visible(request.user, ProductionBatch.objects.all(), pk=batch_id)
    try:
        require_permission(request.user, PRODUCE)
        summary = services.import_result(
            _read_result(request.FILES.get("result")), actor=request.user
        )
        if summary.batch.pk != batch.pk:  # a valid result of the unit's other batch: say so
            messages.info(
                request,
                _("That file was the result of batch %(code)s.") % {"code": summary.batch.code},
            )
    except DomainError as exc:
        return _batch_page(request, batch_id, error=exc)
    messages.success(
        request,
        _("Result imported: %(produced)s cards produced, %(rejected)s refused by the centre.")
        % {"produced": summary.produced, "rejected": len(summary.rejected)},
    )
    return redirect("production:detail", batch_id=summary.batch.pk)


@requires(DELIVER)
@require_POST
def batch_arrived(request: LoggedInRequest, batch_id: int) -> HttpResponse:
    try:
        moved = services.cards_arrived(batch_id, actor=request.user)
    except DomainError as exc:
        return _batch_page(request, batch_id, error=exc)
    messages.success(
        request,
        ngettext(
            "%(count)s card recorded as arrived at the unit.",
            "%(count)s cards recorded as arrived at the unit.",
            len(moved),
        )
        % {"count": len(moved)},
    )
    return redirect("production:detail", batch_id=batch_id)
