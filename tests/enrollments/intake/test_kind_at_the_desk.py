"""The kind of application at the desk is checked against the person's card and age
(`cccd.core.kinds`): a refused kind says why and when it opens, the fee follows the allowed kind,
finishing checks it again, and the screen offers only what is possible."""

from __future__ import annotations

import datetime

import pytest

from cccd.accounts.audit import AuditEvent
from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.intake import services
from cccd.enrollments.models import Enrollment, Kind
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.enrollments.conftest import HCM, capture_everything

pytestmark = pytest.mark.django_db
D = datetime.date


def refusal(call: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def details(ticket: Ticket, officer: User, kind: str, reason: str | None = None) -> Enrollment:
    extra = {} if reason is None else {"kind_reason": reason}
    return services.update_intake(
        ticket.pk,
        kind=kind,
        group_id=None,
        exemption_id=None,
        return_method="office",
        actor=officer,
        **extra,
    )


@pytest.fixture
def card_to_2029(student: Person) -> Person:
    """The issue's case: born 12/02/2004, a card valid until 12/02/2029 (the 25th birthday)."""
    Person.objects.filter(pk=student.pk).update(
        birth_date=D(2004, 2, 12),
        birth_year=2004,
        card_issue_date=D(2021, 3, 1),
        card_expiry=D(2029, 2, 12),
    )
    student.refresh_from_db()
    return student


def test_a_milestone_exchange_before_its_window_is_refused_and_says_when_it_opens(
    called: Ticket, officer_dakmil: User, card_to_2029: Person, time_machine: object
) -> None:
    time_machine.move_to(datetime.datetime(2026, 12, 6, 20, 0, tzinfo=HCM))  # type: ignore[attr-defined]
    draft = services.start_intake(called.pk, actor=officer_dakmil)
    assert draft.kind == Kind.EXCHANGE_CHANGE  # suggested: the card is good until 2029
    events = AuditEvent.objects.filter(action="enrollment.update").count()
    error = refusal(lambda: details(called, officer_dakmil, Kind.EXCHANGE_AGE))
    assert (error.code, error.status) == ("KIND_NOT_ALLOWED", 409)
    assert "valid until 12/02/2029 (age 25)" in error.message
    assert "opens on 12/02/2027" in error.message
    draft.refresh_from_db()
    assert (draft.kind, draft.fee) == (Kind.EXCHANGE_CHANGE, 50000)  # no fee waived
    assert AuditEvent.objects.filter(action="enrollment.update").count() == events


def test_the_refusal_reads_in_vietnamese(
    called: Ticket, officer_dakmil: User, card_to_2029: Person, time_machine: object
) -> None:
    time_machine.move_to(datetime.datetime(2026, 12, 6, 20, 0, tzinfo=HCM))  # type: ignore[attr-defined]
    response = client_for(officer_dakmil).post(
        f"/intake/tickets/{called.pk}/details/",
        {"kind": Kind.EXCHANGE_AGE, "return_method": "office"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "thẻ còn giá trị đến 12/02/2029 (tuổi 25): mở từ 12/02/2027" in page
    assert not Enrollment.objects.filter(kind=Kind.EXCHANGE_AGE).exists()


def test_in_its_window_the_milestone_exchange_is_accepted_and_free(
    called: Ticket, officer_dakmil: User, card_to_2029: Person, time_machine: object
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 12, 20, 0, tzinfo=HCM))  # type: ignore[attr-defined]
    assert services.start_intake(called.pk, actor=officer_dakmil).kind == Kind.EXCHANGE_AGE
    draft = details(called, officer_dakmil, Kind.EXCHANGE_AGE)
    assert (draft.kind, draft.fee) == (Kind.EXCHANGE_AGE, 0)


def test_the_fee_follows_the_allowed_kind(
    called: Ticket, officer_dakmil: User, card_to_2029: Person
) -> None:
    draft = details(called, officer_dakmil, Kind.EXCHANGE_CHANGE, "Thẻ bị gãy")
    assert (draft.fee, draft.kind_reason) == (25000, "Thẻ bị gãy")  # halved in 2021
    draft = details(called, officer_dakmil, Kind.REISSUE, "  Mất   thẻ ngày 01/03 ")
    assert (draft.fee, draft.kind_reason) == (35000, "Mất thẻ ngày 01/03")


@pytest.mark.parametrize("kind", [Kind.REISSUE, Kind.EXCHANGE_CHANGE])
def test_a_reissue_or_exchange_for_damage_needs_its_reason(
    called: Ticket, officer_dakmil: User, card_to_2029: Person, kind: str
) -> None:
    error = refusal(lambda: details(called, officer_dakmil, kind, "   "))
    assert (error.code, error.status) == ("KIND_REASON_NEEDED", 400)


def test_a_reissue_needs_a_card_to_replace(called: Ticket, officer_dakmil: User) -> None:
    error = refusal(lambda: details(called, officer_dakmil, Kind.REISSUE, "Mất thẻ"))
    assert error.code == "KIND_NOT_ALLOWED" and "holds no card" in error.message


def test_change_from_the_old_id_needs_its_number(
    called: Ticket, officer_dakmil: User, student: Person
) -> None:
    error = refusal(lambda: details(called, officer_dakmil, Kind.FROM_CMND))
    assert error.code == "KIND_NOT_ALLOWED" and "no old ID (CMND) number" in error.message
    Person.objects.filter(pk=student.pk).update(old_id_number="241234567")
    assert details(called, officer_dakmil, Kind.FROM_CMND).fee == 15000  # halved in 2021
    error = refusal(lambda: details(called, officer_dakmil, Kind.FIRST_ISSUE))
    assert error.code == "KIND_NOT_ALLOWED" and "old ID (CMND) is on record" in error.message


def test_first_issue_is_refused_to_a_card_holder(
    called: Ticket, officer_dakmil: User, card_to_2029: Person
) -> None:
    error = refusal(lambda: details(called, officer_dakmil, Kind.FIRST_ISSUE))
    assert error.code == "KIND_NOT_ALLOWED" and "already holds a card" in error.message


def test_finishing_checks_the_kind_again(
    called: Ticket, officer_dakmil: User, portrait: bytes, card_to_2029: Person
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    Enrollment.objects.filter(ticket=called).update(kind=Kind.EXCHANGE_AGE, fee=0)  # a stale form
    error = refusal(lambda: services.finish_intake(called.pk, actor=officer_dakmil))
    assert error.code == "KIND_NOT_ALLOWED"
    draft = Enrollment.objects.get(ticket=called)
    assert (draft.state, draft.code) == (Enrollment.State.DRAFT, None)


def test_finishing_without_the_reason_of_a_suggested_exchange_is_refused(
    called: Ticket, officer_dakmil: User, portrait: bytes, card_to_2029: Person
) -> None:
    capture_everything(called, officer_dakmil, portrait)  # opened as an exchange for damage
    assert refusal(lambda: services.finish_intake(called.pk, actor=officer_dakmil)).code == (
        "KIND_REASON_NEEDED"
    )
    details(called, officer_dakmil, Kind.EXCHANGE_CHANGE, "Thẻ bị gãy")
    done = services.finish_intake(called.pk, actor=officer_dakmil)
    assert (done.state, done.fee, done.kind_reason) == (
        Enrollment.State.CAPTURED,
        25000,
        "Thẻ bị gãy",
    )


def test_someone_under_14_under_the_2014_law_cannot_open_an_intake(
    tree: Tree,
    session: Session,
    desks: list[Desk],
    leader: User,
    officer_dakmil: User,
    time_machine: object,
) -> None:
    time_machine.move_to(datetime.datetime(2021, 3, 6, 20, 15, tzinfo=HCM))  # type: ignore[attr-defined]
    child = make_person(tree.daklao, "Lê Thị Nhỏ", "09/08/2010", "F")
    tickets.issue_walk_in(session.pk, person_id=child.pk, actor=leader)  # type: ignore[attr-defined]
    ticket = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    error = refusal(lambda: services.start_intake(ticket.pk, actor=officer_dakmil))
    assert error.code == "NOT_ELIGIBLE" and "opens on 09/08/2024" in error.message
    assert not Enrollment.objects.exists()
    page = client_for(officer_dakmil).get(f"/intake/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="problem"' in page and "09/08/2024" in page
    assert 'data-testid="kind"' not in page


def test_the_screen_offers_the_allowed_kinds_and_says_why_the_others_are_not(
    called: Ticket, officer_dakmil: User, card_to_2029: Person
) -> None:
    page = (
        client_for(officer_dakmil)
        .get(f"/intake/tickets/{called.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        .content.decode()
    )
    select = page.split('data-testid="kind"', 1)[1].split("</select>", 1)[0]
    assert 'value="exchange_change"' in select and 'value="reissue"' in select
    for refused in ("first_issue", "from_cmnd", "exchange_age"):
        assert f'value="{refused}"' not in select
    assert "25.000 ₫" in select  # the fee of each allowed kind, today
    assert 'data-kind="exchange_age"' in page and "mở từ 12/02/2027" in page
    assert 'name="kind_reason"' in page


@pytest.mark.django_db
def test_a_cmnd_with_its_dates_is_not_read_as_a_citizen_card(tree: Tree) -> None:
    """The register records a CMND's dates too; the desk's rules must see an old ID, not a CCCD
    to exchange (nor the roster's "already holds a valid card")."""
    from cccd.enrollments.intake.kinds import applicant

    cmnd = make_person(
        tree.daklao,
        "Lê Thị Chứng Minh",
        "01/01/1980",
        "F",
        card_issue_date=datetime.date(2015, 5, 5),
        card_expiry=datetime.date(2030, 5, 5),
    )
    cmnd.card_kind, cmnd.old_id_number = "cmnd", "241234567"  # type: ignore[attr-defined]
    cmnd.save()  # type: ignore[attr-defined]
    read = applicant(cmnd)  # type: ignore[arg-type]
    assert (read.card_issue_date, read.card_expiry, read.old_id_number) == (None, None, "241234567")
    cmnd.card_kind = "cccd_chip"  # type: ignore[attr-defined]
    assert applicant(cmnd).card_issue_date == datetime.date(2015, 5, 5)  # type: ignore[arg-type]
