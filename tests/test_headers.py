"""Headers every response carries (cccd.headers, django-csp, Django's SecurityMiddleware) and the
settings behind them: no page may be cached, no page may run a script or apply a style it did not
load from this server, and HTTPS can be enforced from the environment with `cccd check --deploy`
clean on docs/operations.md's example."""

from __future__ import annotations

import datetime
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils import timezone

import cccd
from cccd.accounts.models import User
from cccd.enrollments.models import Enrollment
from cccd.enrollments.public.links import link_token
from cccd.headers import NoStoreMiddleware
from tests.builders import Tree, make_person
from tests.conftest import client_for

TEMPLATES = Path(cccd.__file__).parent / "templates"
REPO = Path(__file__).resolve().parents[1]


def csp_of(response: HttpResponse) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


def assert_protected(response: HttpResponse, *, framed_by_self: bool = False) -> None:
    """No copy kept anywhere, and only this server's scripts and styles run; nothing framed by
    another site (the slip: by this server's own pages only)."""
    assert "no-store" in response["Cache-Control"].split(", ")
    policy = csp_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == (["'self'"] if framed_by_self else ["'none'"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == ("SAMEORIGIN" if framed_by_self else "DENY")
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:*"]  # the desk's device service


@pytest.fixture
def dossier(tree: Tree, officer_dakmil: User) -> Enrollment:
    person = make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")
    return Enrollment.objects.create(
        unit=tree.dakmil_police,
        person=person,
        code="663-210306-000042",
        state="captured",
        kind="first_issue",
        law="2014",
        received_at=timezone.now(),
        received_by=officer_dakmil,
        return_date=datetime.date(2021, 3, 17),
    )


# --- every response --------------------------------------------------------------------------


def test_a_logged_in_page_is_not_stored_and_runs_only_its_own_scripts(
    officer_dakmil: User,
) -> None:
    response = client_for(officer_dakmil).get("/")
    assert response.status_code == 200
    assert_protected(response)


def test_a_downloaded_file_is_not_stored(dossier: Enrollment, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get(f"/intake/dossiers/{dossier.pk}/slip.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_protected(response, framed_by_self=True)


def test_only_the_slip_may_be_framed_and_only_by_this_server(
    dossier: Enrollment, officer_dakmil: User
) -> None:
    """The dossier's page shows the slip ready to print; no other page may be framed at all."""
    client = client_for(officer_dakmil)
    slip = client.get(f"/intake/dossiers/{dossier.pk}/slip.pdf")
    assert csp_of(slip)["frame-ancestors"] == ["'self'"]
    assert slip["X-Frame-Options"] == "SAMEORIGIN"
    page = client.get(f"/intake/dossiers/{dossier.pk}/")
    assert csp_of(page)["frame-ancestors"] == ["'none'"] and page["X-Frame-Options"] == "DENY"


def test_the_citizens_status_pages_are_not_stored(dossier: Enrollment) -> None:
    client = Client()
    assert_protected(client.get("/status/"))
    answer = client.post("/status/", {"code": dossier.code, "birth_date": "15/03/2006"})
    assert answer.status_code == 200
    assert_protected(answer)
    by_link = client.get(f"/intake/d/{link_token(dossier)}/")
    assert by_link.status_code == 200
    assert_protected(by_link)


def test_api_answers_refusals_and_missing_pages_are_not_stored(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/api/v1/me")["Cache-Control"] == "no-store"
    assert_protected(client.get("/no-such-page/"))
    assert_protected(Client().get("/accounts/login/"))


def test_a_view_that_asks_for_caching_is_overruled() -> None:
    def cacheable(request: HttpRequest) -> HttpResponse:
        return HttpResponse("x", headers={"Cache-Control": "public, max-age=3600"})

    assert NoStoreMiddleware(cacheable)(HttpRequest())["Cache-Control"] == "no-store"


def test_the_favicon_is_served_at_the_root_with_its_own_cache_headers(db: None) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_page_links_the_favicon(dossier: Enrollment, officer_dakmil: User) -> None:
    pages = [
        client_for(officer_dakmil).get("/"),
        Client().get("/accounts/login/"),
        Client().get("/status/"),
        Client().get(f"/intake/d/{link_token(dossier)}/"),
    ]
    for page in pages:
        assert 'rel="icon"' in page.content.decode()


# --- no inline script or style in any template ----------------------------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _inline_code(source: str) -> list[str]:
    found = []
    for match in _SCRIPT.finditer(source):
        attributes = match.group(1)
        if "src=" not in attributes and 'type="application/json"' not in attributes:
            found.append(match.group(0))
    if re.search(r"<style\b", source, re.IGNORECASE):
        found.append("<style>")
    for tag in _TAG.findall(source):
        if re.search(r"\sstyle\s*=", tag, re.IGNORECASE):
            found.append(tag[:80])
        if _EVENT_HANDLER.search(tag):
            found.append(tag[:80])
    if re.search(r"javascript:", source, re.IGNORECASE):
        found.append("javascript:")
    return found


def test_the_template_reader_finds_each_kind_of_inline_code() -> None:
    for source in (
        "<script>alert(1)</script>",
        "<style>p {}</style>",
        '<p style="color:red">',
        "<button type=button onclick='x()'>",
        '<a href="javascript:history.back()">',
    ):
        assert _inline_code(source), source
    assert not _inline_code('<script src="/static/x.js" defer></script><p data-on="x">')


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    """The policy forbids them, so one would silently do nothing in the browser."""
    offenders = {
        str(path.relative_to(TEMPLATES)): found
        for path in _templates()
        if (found := _inline_code(path.read_text(encoding="utf-8")))
    }
    assert not offenders


def test_every_static_file_a_template_loads_exists() -> None:
    static = Path(cccd.__file__).parent / "static"
    missing = [
        (path.name, name)
        for path in _templates()
        for name in re.findall(r"{% static '([^']+)' %}", path.read_text(encoding="utf-8"))
        if not (static / name).exists()
    ]
    assert not missing


# --- HTTPS from the environment ----------------------------------------------------------------


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Only the machine's environment: no cccd setting, and not the browser tests' async switch
    # (tests/e2e/conftest.py sets DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` refuses).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CCCD_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    full = {**clean, **env, "CCCD_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _operations_example() -> dict[str, str]:
    """The variables of docs/operations.md's deploy example (its `export` lines)."""
    text = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line[len("export ") :], comments=True):
                name, _, value = word.partition("=")
                env[name] = value
    return env


def test_the_deploy_check_is_clean_with_the_operations_example(tmp_path: Path) -> None:
    env = _operations_example()
    assert env["CCCD_SSL_REDIRECT"] == "true"
    assert int(env["CCCD_HSTS_SECONDS"]) >= 31536000
    result = _run(["-m", "cccd", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_warns_without_https_settings(tmp_path: Path) -> None:
    result = _run(["-m", "cccd", "check", "--deploy"], {}, tmp_path)
    assert "security.W004" in result.stdout + result.stderr  # no HSTS
    assert "security.W008" in result.stdout + result.stderr  # no redirect


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CCCD_HSTS_SECONDS": "a year"}, "CCCD_HSTS_SECONDS='a year' is not a whole number"),
        ({"CCCD_HSTS_SECONDS": "-1"}, "outside 0..63072000"),
        (
            {"CCCD_HSTS_SECONDS": "31536000", "CCCD_HSTS_PRELOAD": "true"},
            "CCCD_HSTS_PRELOAD needs CCCD_HSTS_INCLUDE_SUBDOMAINS=true",
        ),
        (
            {
                "CCCD_HSTS_SECONDS": "3600",
                "CCCD_HSTS_INCLUDE_SUBDOMAINS": "1",
                "CCCD_HSTS_PRELOAD": "1",
            },
            "of at least 31536000",
        ),
        ({"CCCD_HSTS_INCLUDE_SUBDOMAINS": "true"}, "does nothing without CCCD_HSTS_SECONDS > 0"),
        ({"CCCD_SSL_REDIRECT": "sometimes"}, "CCCD_SSL_REDIRECT='sometimes' is not a yes/no value"),
        ({"CCCD_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, "is not a request.META header key"),
        ({"CCCD_SECRET_KEY_FALLBACKS": "old-but-short"}, "each key must be at least 32"),
    ],
)
def test_a_bad_https_value_stops_start_up_with_a_clear_message(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = _run(
        ["-c", "import django; django.setup()"],
        {"DJANGO_SETTINGS_MODULE": "cccd.settings", **env},
        tmp_path,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_environment_sets_https_redirect_hsts_and_the_proxys_header(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, len(s.SECRET_KEY_FALLBACKS))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "cccd.settings",
        "CCCD_SSL_REDIRECT": "yes",
        "CCCD_HSTS_SECONDS": "63072000",
        "CCCD_HSTS_INCLUDE_SUBDOMAINS": "on",
        "CCCD_HSTS_PRELOAD": "true",
        "CCCD_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "CCCD_SECRET_KEY_FALLBACKS": "o" * 40 + "," + "p" * 40,
    }
    result = _run(["-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "63072000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "2",
    ]


def test_the_embedded_default_serves_plain_http() -> None:
    assert django_settings.SECURE_SSL_REDIRECT is False
    assert django_settings.SECURE_HSTS_SECONDS == 0
    assert django_settings.SECURE_PROXY_SSL_HEADER is None


def test_https_is_enforced_when_configured(db: None, settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = True  # type: ignore[attr-defined]
    settings.SECURE_HSTS_SECONDS = 63072000  # type: ignore[attr-defined]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # type: ignore[attr-defined]
    settings.SECURE_HSTS_PRELOAD = True  # type: ignore[attr-defined]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # type: ignore[attr-defined]
    plain = Client().get("/status/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/status/"
    proxied = Client().get("/status/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
