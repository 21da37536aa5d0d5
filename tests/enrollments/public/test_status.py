"""The citizen's status page: the slip's signed link, or the dossier code + birth date (rate-limited
per address, never per code), no login, nothing personal."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from cccd.accounts.models import AuditEvent
from cccd.enrollments.models import Enrollment, LookupAttempt
from cccd.enrollments.public import links, services
from cccd.registry.models import Person
from tests.builders import Tree, make_person

URL = "/status/"
CODE = "663-210306-000042"
ID_NUMBER = "067206012345"
S = Enrollment.State


def make_dossier(
    unit: object,
    person: object,
    code: str,
    *,
    state: str = S.APPROVED,
    return_date: datetime.date | None = datetime.date(2021, 3, 17),
    **fields: object,
) -> Enrollment:
    return Enrollment.objects.create(
        unit=unit,
        person=person,
        code=code,
        state=state,
        kind="first_issue",
        law="2014",
        return_date=return_date,
        **fields,
    )


@pytest.fixture
def student(tree: Tree) -> Person:
    return make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M", personal_id=ID_NUMBER)  # type: ignore[return-value]


@pytest.fixture
def dossier(tree: Tree, student: Person) -> Enrollment:
    return make_dossier(tree.dakmil_police, student, CODE, post_address="Thôn 5, xã Đắk Lao")


def look_up(
    code: str, birth: str, *, ip: str = "203.0.113.5", client: Client | None = None, **extra: str
):
    return (client or Client()).post(
        URL, {"code": code, "birth_date": birth}, REMOTE_ADDR=ip, **extra
    )


def error_of(response: object) -> str:
    match = re.search(r'data-testid="error"[^>]*>([^<]*)<', response.content.decode())  # type: ignore[attr-defined]
    assert match, "the page says what went wrong"
    return match.group(1)


def test_the_url_has_its_name() -> None:
    assert reverse("public:status") == URL


def test_the_form_needs_no_login_and_carries_a_csrf_token(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert response["Cache-Control"] == "no-store"


def test_a_post_without_the_csrf_token_is_refused(dossier: Enrollment) -> None:
    response = look_up(CODE, "15/03/2006", client=Client(enforce_csrf_checks=True))
    assert response.status_code == 403


def test_the_right_code_and_birth_date_show_state_return_date_and_unit(dossier: Enrollment) -> None:
    response = look_up(f"  {CODE.lower()}  ", "15/03/2006", HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="code">663-210306-000042<' in page
    assert "Đang xử lý hồ sơ" in page
    assert 'data-testid="return-date">17/03/2021<' in page
    assert "Công an huyện Đắk Mil" in page
    assert "Gửi qua bưu điện" not in page


def test_the_page_speaks_english_when_asked(dossier: Enrollment) -> None:
    page = look_up(CODE, "15/03/2006", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your dossier is being processed" in page
    assert "Đang xử lý hồ sơ" not in page


def test_a_day_and_month_without_leading_zeros_are_accepted(tree: Tree) -> None:
    person = make_person(tree.daklao, "Trần Thị Mai", "05/03/2006", "F")
    make_dossier(tree.dakmil_police, person, "663-210306-000043")
    assert look_up("663-210306-000043", "5/3/2006").status_code == 200


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (S.CAPTURED, "Đang xử lý hồ sơ"),
        (S.COMPLETED, "Đang xử lý hồ sơ"),
        (S.IN_PRODUCTION, "Đang sản xuất thẻ"),
        (S.PRODUCED, "Đang sản xuất thẻ"),
        (S.AT_UNIT, "Thẻ đã về, mời đến nhận"),
        (S.DELIVERED, "Đã trả thẻ"),
        (S.RETURNED, "Cần bổ sung, vui lòng liên hệ cơ quan công an"),
        (S.REJECTED, "Hồ sơ không được chấp nhận"),
        (S.CANCELLED, "Đã hủy"),
    ],
)
def test_each_state_is_told_in_citizens_words(
    tree: Tree, student: Person, state: str, words: str
) -> None:
    make_dossier(tree.dakmil_police, student, CODE, state=state)
    result = services.public_status(CODE, "15/03/2006", client_key="203.0.113.5")
    assert result.state_label == words


def test_a_posted_card_says_so(tree: Tree, student: Person) -> None:
    make_dossier(
        tree.dakmil_police,
        student,
        CODE,
        return_method=Enrollment.ReturnMethod.POST,
        post_address="Thôn 5, xã Đắk Lao",
    )
    page = look_up(CODE, "15/03/2006", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Gửi qua bưu điện" in page
    assert "Thôn 5" not in page


def test_a_wrong_birth_date_and_a_wrong_code_get_the_same_answer(dossier: Enrollment) -> None:
    wrong_date = look_up(CODE, "16/03/2006")
    wrong_code = look_up("663-210306-000099", "15/03/2006")
    assert wrong_date.status_code == wrong_code.status_code == 404
    assert error_of(wrong_date) == error_of(wrong_code)
    assert "Công an huyện" not in wrong_date.content.decode()


def test_a_draft_is_not_found(tree: Tree, student: Person) -> None:
    make_dossier(tree.dakmil_police, student, CODE, state=S.DRAFT, return_date=None)
    assert look_up(CODE, "15/03/2006").status_code == 404


def test_a_year_only_birth_date_is_typed_as_the_year(tree: Tree) -> None:
    elder = make_person(tree.daklao, "Lê Văn Bảy", "1950", "M")
    make_dossier(tree.dakmil_police, elder, "663-210306-000050")
    assert look_up("663-210306-000050", "1950").status_code == 200
    assert look_up("663-210306-000050", "01/01/1950").status_code == 404  # not the stored 1 January


def test_a_year_alone_does_not_open_a_dossier_with_a_whole_birth_date(dossier: Enrollment) -> None:
    assert look_up(CODE, "2006").status_code == 404


@pytest.mark.parametrize(
    ("code", "birth"),
    [
        ("", "15/03/2006"),
        (CODE, ""),
        ("6" * 200, "15/03/2006"),
        (CODE, "31/02/2006"),
        (CODE, "15/13/2006"),
        ("mã hồ sơ ✓ 663", "15/03/2006"),
        (CODE, "ngày mười lăm"),
        (CODE, "١٥/٠٣/٢٠٠٦"),  # Arabic-Indic digits
        ("663\x00-210306", "15/03/2006"),
        (CODE, "15/03/2999"),
        (CODE, "1850"),
    ],
)
def test_malformed_input_gets_a_400_with_a_message_and_counts_nothing(
    dossier: Enrollment, code: str, birth: str
) -> None:
    response = look_up(code, birth)
    assert response.status_code == 400
    assert error_of(response).strip()
    assert not LookupAttempt.objects.exists()


def test_an_impossible_date_is_named_in_the_message(dossier: Enrollment) -> None:
    assert "31/02/2006" in error_of(look_up(CODE, "31/02/2006"))


def test_the_sixth_wrong_guess_from_one_address_is_refused_even_when_right(
    dossier: Enrollment,
) -> None:
    for day in range(1, 6):
        assert look_up(CODE, f"{day:02d}/01/2006").status_code == 404
    response = look_up(CODE, "15/03/2006")
    assert response.status_code == 429
    assert "try again after" in error_of(response)
    assert look_up(CODE, "15/03/2006", ip="198.51.100.7").status_code == 200  # another client


def test_wrong_guesses_at_one_code_from_many_addresses_do_not_lock_its_owner_out(
    dossier: Enrollment,
) -> None:
    for n in range(30):
        assert look_up(CODE, "01/01/2006", ip=f"192.0.2.{n}").status_code == 404
    assert look_up(CODE, "15/03/2006", ip="192.0.2.200").status_code == 200


def test_the_limit_ends_with_its_window(dossier: Enrollment) -> None:
    for day in range(1, 6):
        look_up(CODE, f"{day:02d}/01/2006")
    assert look_up(CODE, "15/03/2006").status_code == 429
    LookupAttempt.objects.update(
        at=LookupAttempt.objects.first().at - datetime.timedelta(minutes=16)
    )
    assert look_up(CODE, "15/03/2006").status_code == 200


def test_old_attempts_are_deleted_on_the_way(dossier: Enrollment) -> None:
    look_up(CODE, "01/01/2006")
    LookupAttempt.objects.update(at=LookupAttempt.objects.first().at - datetime.timedelta(hours=2))
    look_up(CODE, "02/01/2006")
    assert LookupAttempt.objects.count() == 1  # the new guess's row; the old one is gone


def test_successful_look_ups_do_not_count(dossier: Enrollment) -> None:
    for _ in range(12):
        assert look_up(CODE, "15/03/2006").status_code == 200
    assert not LookupAttempt.objects.exists()


def test_the_counters_keep_no_address_and_no_code(dossier: Enrollment) -> None:
    look_up(CODE, "01/01/2006", ip="203.0.113.5")
    keys = set(LookupAttempt.objects.values_list("key", flat=True))
    assert keys == {services.attempt_key("ip", "203.0.113.5")}
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_behind_a_proxy_the_configured_header_is_the_client(
    dossier: Enrollment, settings: object
) -> None:
    settings.CCCD_STATUS_CLIENT_ADDRESS = "HTTP_X_REAL_IP"  # type: ignore[attr-defined]
    for day in range(1, 6):
        look_up(CODE, f"{day:02d}/01/2006", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    assert (
        look_up(CODE, "15/03/2006", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.5").status_code == 429
    )
    assert (
        look_up(CODE, "15/03/2006", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.6").status_code == 200
    )


def test_the_page_shows_nothing_personal(dossier: Enrollment, student: Person) -> None:
    page = look_up(CODE, "15/03/2006", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for personal in (
        student.full_name,
        "Nguyen Van Duc",
        ID_NUMBER,
        "15/03/2006",
        "Đắk Lao",
        "Thôn 5",
    ):
        assert personal not in page


def test_a_successful_look_up_is_audited_without_personal_data(
    dossier: Enrollment, student: Person
) -> None:
    look_up(CODE, "15/03/2006", ip="203.0.113.5")
    event = AuditEvent.objects.get(action="enrollment.public_lookup")
    assert (event.actor, event.object_id, event.unit_id) == (None, str(dossier.pk), dossier.unit_id)
    assert event.source == "203.0.113.5"
    stored = f"{event.object_repr} {event.before} {event.after}"
    for personal in (student.full_name, ID_NUMBER, "2006-03-15", "15/03/2006"):
        assert personal not in stored


def test_a_wrong_guess_is_not_audited_as_a_look_up(dossier: Enrollment) -> None:
    look_up(CODE, "01/01/2006")
    assert not AuditEvent.objects.filter(action="enrollment.public_lookup").exists()


@pytest.mark.parametrize(
    "typed",
    [
        "663 210306 000042",
        "663210306000042",
        " 663 - 210306 - 000042 ",
        "663.210306.000042",
        "663–210306–000042",  # en dashes, as a phone's keyboard may write them
        "６６３-２１０３０６-００００４２",  # full-width digits
        "663-210306 000042",
    ],
)
def test_the_code_is_accepted_with_spaces_or_without_dashes(
    dossier: Enrollment, typed: str
) -> None:
    response = look_up(typed, "15/03/2006", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert 'data-testid="code">663-210306-000042<' in response.content.decode()


def test_a_code_with_a_long_row_number_is_found_without_dashes(tree: Tree) -> None:
    person = make_person(tree.daklao, "Võ Thị Lan", "09/09/2006", "F")
    make_dossier(tree.dakmil_police, person, "663-210306-1000042")
    assert look_up("6632103061000042", "09/09/2006").status_code == 200


def test_a_code_typed_without_dashes_still_needs_the_right_birth_date(dossier: Enrollment) -> None:
    assert look_up("663210306000042", "16/03/2006").status_code == 404
    assert LookupAttempt.objects.count() == 1


# --- the slip's QR link ---------------------------------------------------------------------------


def link_url(dossier: Enrollment) -> str:
    return reverse("public:link", args=[links.link_token(dossier)])


def test_the_link_opens_the_status_without_a_birth_date(dossier: Enrollment) -> None:
    response = Client().get(link_url(dossier), HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="code">663-210306-000042<' in page
    assert "Đang xử lý hồ sơ" in page
    assert 'data-testid="return-date">17/03/2021<' in page
    assert "Công an huyện Đắk Mil" in page
    assert 'data-testid="status-form"' not in page  # nothing to type
    assert response["Cache-Control"] == "no-store"


def test_the_link_carries_the_code_and_a_signature_only(dossier: Enrollment) -> None:
    token = links.link_token(dossier)
    code, signature = token.rsplit(".", 1)
    assert code == CODE
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", signature)  # HMAC-SHA256, URL-safe base64


def test_the_link_still_opens_when_the_address_is_locked_out_of_typing(dossier: Enrollment) -> None:
    for day in range(1, 6):
        assert look_up(CODE, f"{day:02d}/01/2006").status_code == 404
    assert look_up(CODE, "15/03/2006").status_code == 429
    for _ in range(20):
        response = Client().get(link_url(dossier), REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200


def test_a_link_for_another_code_or_with_a_changed_signature_opens_nothing(
    dossier: Enrollment, tree: Tree
) -> None:
    other = make_dossier(
        tree.dakmil_police,
        make_person(tree.daklao, "Phạm Thị Hoa", "02/02/2006", "F"),
        "663-210306-000077",
    )
    signature = links.link_token(dossier).rsplit(".", 1)[1]
    forged = [
        f"{other.code}.{signature}",
        f"{CODE}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        CODE,
        "x" * 5000,
        "mã-hồ-sơ",
    ]
    for token in forged:
        response = Client().get(reverse("public:link", args=[token]))
        assert response.status_code == 404
        assert "STATUS_LINK_UNKNOWN" in response.content.decode()
        assert "Công an huyện" not in response.content.decode()
        assert 'data-testid="status-form"' in response.content.decode()  # the citizen can type
    assert not LookupAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action="enrollment.public_lookup").exists()


def test_a_drafts_code_has_no_link(tree: Tree, student: Person) -> None:
    draft = make_dossier(tree.dakmil_police, student, None, state=S.DRAFT, return_date=None)
    with pytest.raises(ValueError, match="finished"):
        links.link_token(draft)
    draft.code = "663-210306-000090"  # even a signed code opens nothing while it is a draft
    assert Client().get(link_url(draft)).status_code == 404


def test_every_opening_by_link_is_audited_without_personal_data(
    dossier: Enrollment, student: Person
) -> None:
    for _ in range(2):
        Client().get(link_url(dossier), REMOTE_ADDR="203.0.113.9")
    events = AuditEvent.objects.filter(action="enrollment.public_lookup").order_by("pk")
    assert len(events) == 2
    for event in events:
        assert (event.actor, event.object_id, event.unit_id) == (
            None,
            str(dossier.pk),
            dossier.unit_id,
        )
        assert event.object_repr == CODE
        assert event.after == {"state": "approved", "via": "link"}
        stored = f"{event.object_repr} {event.before} {event.after}"
        for personal in (student.full_name, ID_NUMBER, "2006-03-15", "15/03/2006"):
            assert personal not in stored


def test_a_link_signed_before_the_secret_key_was_rotated_opens_while_the_old_key_is_kept(
    dossier: Enrollment, settings: object
) -> None:
    url = link_url(dossier)
    old_key = settings.SECRET_KEY  # type: ignore[attr-defined]
    settings.SECRET_KEY = "a-new-key-" + "n" * 40  # type: ignore[attr-defined]
    settings.SECRET_KEY_FALLBACKS = [old_key]  # type: ignore[attr-defined]
    assert Client().get(url).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []  # type: ignore[attr-defined]
    assert Client().get(url).status_code == 404


def test_an_old_slips_random_link_still_opens(dossier: Enrollment) -> None:
    Enrollment.objects.filter(pk=dossier.pk).update(
        legacy_link_sha256=links.legacy_link_hash("Tq0w3eYBv7x-lm0K1Rz9aQ")
    )
    response = Client().get("/intake/d/Tq0w3eYBv7x-lm0K1Rz9aQ/")
    assert response.status_code == 200
    assert "663-210306-000042" in response.content.decode()
    assert Client().get("/intake/d/Tq0w3eYBv7x-lm0K1Rz9aB/").status_code == 404


@pytest.mark.django_db(
    transaction=True
)  # the migration changes the schema: no wrapping transaction
def test_the_migration_keeps_the_printed_slips_links_as_hashes(tree: Tree, student: Person) -> None:
    """0004 turns each finished dossier's random token into its SHA-256: the link printed on the
    slip still opens, and the database no longer holds it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    finished = make_dossier(tree.dakmil_police, student, CODE)
    draft = make_dossier(
        tree.dakmil_police,
        make_person(tree.daklao, "Đỗ Văn An", "01/01/2006", "M"),
        None,
        state=S.DRAFT,
        return_date=None,
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("enrollments", "0003_lifecycle")])
    old = executor.loader.project_state([("enrollments", "0003_lifecycle")]).apps
    old.get_model("enrollments", "Enrollment").objects.filter(pk=finished.pk).update(
        public_token="printed-on-the-slip-01"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    finished.refresh_from_db()
    draft.refresh_from_db()
    assert finished.legacy_link_sha256 == links.legacy_link_hash("printed-on-the-slip-01")
    assert draft.legacy_link_sha256 is None
    assert Client().get("/intake/d/printed-on-the-slip-01/").status_code == 200
