"""The public pages of notifications: the opt-out link and the providers' delivery reports.

Neither needs a login. The opt-out page shows the address masked and asks before it acts (a mail
scanner that follows links must not opt anyone out); the reports are checked by the provider's
signature or shared secret (`hooks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts.audit import record
from cccd.accounts.permissions import public
from cccd.notify import hooks, links, services
from cccd.notify.contacts import masked


def _stop_page(
    request: HttpRequest, context: Mapping[str, object], code: int = 200
) -> HttpResponse:
    response = render(request, "notify/stop.html", context, status=code)
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@csrf_protect
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET: which address and channel, and a button. POST: no more messages there (audited with
    the channel only). A link that does not verify: 404 with a sentence."""
    found = links.stopped_by(token)
    if found is None:
        return _stop_page(request, {"invalid": True}, 404)
    channel, address = found
    context = {"token": token, "channel": channel, "shown": masked(channel, address)}
    if request.method == "GET":
        return _stop_page(request, context)
    services.opt_out(channel, address)
    record("notify.opt_out", actor=None, unit=None, object_repr=channel)
    return _stop_page(request, {**context, "done": True})


def _take_report(request: HttpRequest, handle: Callable[[bytes], int]) -> HttpResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > hooks.MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    body = request.body
    if len(body) > hooks.MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        moved = handle(body)
    except hooks.HookOff:
        return JsonResponse({"error": "not enabled"}, status=404)
    except hooks.BadSignature:
        return JsonResponse({"error": "signature"}, status=403)
    except hooks.BadReport as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"ok": True, "updated": moved})


@public
@csrf_exempt
@require_POST
def zns_hook(request: HttpRequest) -> HttpResponse:
    """Zalo's OA webhook: `user_received_message` marks the ZNS message delivered."""
    signature = request.headers.get("X-ZEvent-Signature", "")
    return _take_report(request, lambda body: hooks.zns_report(body, signature))


@public
@csrf_exempt
@require_POST
def sms_hook(request: HttpRequest) -> HttpResponse:
    """The SMS gateway's delivery report, with the shared secret in its header."""
    secret = request.headers.get(settings.CCCD_SMS_WEBHOOK_HEADER, "")
    return _take_report(request, lambda body: hooks.sms_report(body, secret))
