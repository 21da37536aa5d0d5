"""The card preview page: both faces of a dossier's card, for the person to check before signing
and for the officer to compare with the produced card."""

from __future__ import annotations

import base64
import logging
from typing import Final

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cccd.accounts.audit import record
from cccd.accounts.permissions import requires
from cccd.accounts.roles import DOSSIERS
from cccd.accounts.scoping import get_visible
from cccd.enrollments.card import card_faces
from cccd.enrollments.models import Artefact, Enrollment
from cccd.errors import NOT_FOUND

logger = logging.getLogger(__name__)

PHOTO_TYPES: Final = {"jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp"}
"""The photo formats the intake accepts (`captures.py`), as the MIME type of a data: URI."""


def _photo_data_uri(enrollment: Enrollment) -> str | None:
    """The face photo inlined as a data: URI, or None when there is none to show.

    Inlined rather than linked, so the photo needs no URL of its own (another way in to personal
    data to scope and audit) and the printed page is self-contained. A file missing from storage
    shows the placeholder instead of failing the page; only the dossier id is logged.
    """
    artefact = (
        Artefact.objects.filter(enrollment=enrollment, kind=Artefact.Kind.PHOTO, slot=0)
        .exclude(file="")
        .first()
    )
    if artefact is None or artefact.format not in PHOTO_TYPES:
        return None
    try:
        with artefact.file.storage.open(artefact.file.name, "rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("card preview: the photo file of dossier %s cannot be read", enrollment.pk)
        return None
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{PHOTO_TYPES[artefact.format]};base64,{encoded}"


@requires(DOSSIERS)
@require_GET
def card_preview(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Front and back of the dossier's card. Another unit's dossier, a missing one and a draft
    (no code yet) are the same 404; the look-up is audited once the page can be shown."""
    enrollment = get_visible(
        request.user, Enrollment.objects.select_related("person", "unit"), pk=enrollment_id
    )
    if enrollment.code is None:
        raise NOT_FOUND()
    faces = card_faces(enrollment, timezone.localdate())
    photo = _photo_data_uri(enrollment)
    record(
        "enrollment.view_card",
        actor=request.user,
        unit=enrollment.unit,
        obj=enrollment,
        after={"enrollment": enrollment.pk},
    )
    context = {"enrollment": enrollment, "faces": faces, "photo": photo}
    return render(request, "enrollments/card.html", context)
