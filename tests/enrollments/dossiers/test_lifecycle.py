"""The dossier's moves after the intake: each allowed move works, every other is refused and changes
nothing; roles and units are checked on each; the audit trail of a dossier reads as its history."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from cccd.accounts.audit import AuditEvent
from cccd.accounts.models import Role, User
from cccd.accounts.roles import ROLE_PERMISSIONS
from cccd.enrollments import errors
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment, ProposedChange
from cccd.errors import DomainError
from tests.builders import Tree, make_person, make_user
from tests.enrollments.conftest import signature_png

pytestmark = pytest.mark.django_db
S = Enrollment.State
HAND_MOVES = [m for m in lifecycle.MOVES.values() if not m.by_file]
ALL_STATES = [s for s in S.values if s != S.DRAFT]


@pytest.fixture
def staff(tree: Tree) -> dict[str, User]:
    """One user of each role in Đắk Mil, to find one holding a move's permission."""
    return {role: make_user(f"{role}.dakmil", role, tree.dakmil_police) for role in Role}


def _holder(move: lifecycle.Move, staff: dict[str, User]) -> User:
    return next(u for u in staff.values() if any(u.has_perm(p) for p in move.permissions))


def _put(enrollment: Enrollment, state: str) -> Enrollment:
    """The dossier as if it had reached `state` (the moves that lead there are tested apart)."""
    Enrollment.objects.filter(pk=enrollment.pk).update(state=state)
    enrollment.refresh_from_db()
    return enrollment


def _make(enrollment: Enrollment, name: str, actor: User, reason: str = "lý do") -> Enrollment:
    """The move by hand as the screens make it (delivery has its own entry, with its proof)."""
    if name == "deliver":
        return lifecycle.deliver(
            enrollment.pk, actor=actor, delivery="posted", tracking_number="EE1VN"
        )
    return lifecycle.move(enrollment.pk, name, actor=actor, reason=reason)


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


@pytest.mark.parametrize(("name", "source"), [(m.name, s) for m in HAND_MOVES for s in m.sources])
def test_each_allowed_move_by_hand(
    captured: Enrollment, staff: dict[str, User], name: str, source: str
) -> None:
    move = lifecycle.MOVES[name]
    _put(captured, source)
    actor = _holder(move, staff)
    if name == "deliver":
        done = lifecycle.deliver(
            captured.pk, actor=actor, delivery="posted", tracking_number="EE123456789VN"
        )
    else:
        done = lifecycle.move(
            captured.pk, name, actor=actor, reason="Ảnh mờ" if move.needs_reason else ""
        )
    captured.refresh_from_db()
    assert done.state == captured.state == move.target
    assert captured.state_changed_by == actor
    event = AuditEvent.objects.filter(action=f"enrollment.{name}", object_id=str(captured.pk)).get()
    assert event.before["state"] == source and event.after["state"] == move.target
    assert event.actor == actor
    assert captured.reason == ("Ảnh mờ" if move.needs_reason else "")


@pytest.mark.parametrize(
    ("name", "state"),
    [(m.name, s) for m in HAND_MOVES for s in ALL_STATES if s not in m.sources],
)
def test_each_move_from_any_other_state_is_refused(
    captured: Enrollment, staff: dict[str, User], name: str, state: str
) -> None:
    move = lifecycle.MOVES[name]
    _put(captured, state)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        _make(captured, name, _holder(move, staff))
    assert _code(exc) == "MOVE_NOT_ALLOWED"
    captured.refresh_from_db()
    assert captured.state == state and AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", [m.name for m in HAND_MOVES])
def test_each_move_refuses_roles_without_its_permission(
    captured: Enrollment, staff: dict[str, User], name: str
) -> None:
    move = lifecycle.MOVES[name]
    _put(captured, move.sources[0])
    outsiders = [u for u in staff.values() if not any(u.has_perm(p) for p in move.permissions)]
    assert outsiders
    for user in outsiders:
        with pytest.raises(DomainError) as exc:
            _make(captured, name, user)
        assert _code(exc) == "PERMISSION_DENIED", (name, user.role)
    captured.refresh_from_db()
    assert captured.state == move.sources[0]


@pytest.mark.parametrize("name", [m.name for m in HAND_MOVES])
def test_each_move_is_refused_to_another_units_staff(
    captured: Enrollment, tree: Tree, name: str
) -> None:
    move = lifecycle.MOVES[name]
    _put(captured, move.sources[0])
    roles = [r for r in Role if any(p in ROLE_PERMISSIONS[r] for p in move.permissions)]
    outsider = make_user("far.away", roles[0], tree.tayson_police)
    with pytest.raises(DomainError) as exc:
        _make(captured, name, outsider)
    assert _code(exc) == "NOT_FOUND"
    captured.refresh_from_db()
    assert captured.state == move.sources[0]


def test_the_province_above_may_move_a_districts_dossier(captured: Enrollment, tree: Tree) -> None:
    commander = make_user("chihuy.tinh", Role.COMMANDER, tree.daknong_police)
    back_office = make_user("hoso.tinh", Role.BACK_OFFICE, tree.daknong_police)
    lifecycle.move(captured.pk, "complete", actor=back_office)
    assert lifecycle.move(captured.pk, "approve", actor=commander).state == S.APPROVED


@pytest.mark.parametrize("name", [m.name for m in lifecycle.MOVES.values() if m.by_file])
def test_production_moves_are_never_made_by_hand(
    captured: Enrollment, staff: dict[str, User], name: str
) -> None:
    move = lifecycle.MOVES[name]
    _put(captured, move.sources[0])
    with pytest.raises(DomainError) as exc:
        lifecycle.move_many([captured.pk], name, actor=_holder(move, staff))
    assert _code(exc) == "MOVE_BY_FILE_ONLY"
    with pytest.raises(DomainError) as exc:
        _make(captured, name, _holder(move, staff))
    assert _code(exc) == "MOVE_BY_FILE_ONLY"
    captured.refresh_from_db()
    assert captured.state == move.sources[0]


@pytest.mark.parametrize("name", [m.name for m in HAND_MOVES if m.needs_reason])
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_move_that_needs_a_reason_refuses_a_blank_one(
    captured: Enrollment, staff: dict[str, User], name: str, reason: str
) -> None:
    move = lifecycle.MOVES[name]
    with pytest.raises(DomainError) as exc:
        lifecycle.move(captured.pk, name, actor=_holder(move, staff), reason=reason)
    assert _code(exc) == "MOVE_REASON_NEEDED"
    captured.refresh_from_db()
    assert captured.state == S.CAPTURED


def test_unknown_moves_and_dossiers(captured: Enrollment, back_office_dakmil: User) -> None:
    with pytest.raises(DomainError) as exc:
        lifecycle.move(captured.pk, "teleport", actor=back_office_dakmil)
    assert _code(exc) == "UNKNOWN_MOVE"
    with pytest.raises(DomainError) as exc:
        lifecycle.move(10**9, "complete", actor=back_office_dakmil)
    assert _code(exc) == "NOT_FOUND"


def test_completing_needs_every_capture_and_reviewed_changes(
    captured: Enrollment, back_office_dakmil: User
) -> None:
    captured.artefacts.filter(kind="signature").delete()
    change = ProposedChange.objects.create(
        enrollment=captured,
        person=captured.person,
        field="hometown",
        proposed_value="Huế",
        proof="Giấy khai sinh",
    )
    with pytest.raises(DomainError) as exc:
        lifecycle.move(captured.pk, "complete", actor=back_office_dakmil)
    assert _code(exc) == "NOT_COMPLETE"
    assert "signature" in exc.value.message and "proposed register changes" in exc.value.message
    captured.refresh_from_db()
    assert captured.state == S.CAPTURED
    assert (
        lifecycle.review_change(change.pk, actor=back_office_dakmil, accept=True).state
        == "accepted"
    )
    with pytest.raises(DomainError) as exc:
        lifecycle.review_change(change.pk, actor=back_office_dakmil, accept=False)
    assert _code(exc) == "CHANGE_ALREADY_REVIEWED"
    assert "proposed register changes" not in "; ".join(lifecycle.completion_gaps(captured))


def test_bulk_approval_is_all_or_nothing(
    captured: Enrollment, back_office_dakmil: User, commander_dakmil: User
) -> None:
    lifecycle.move(captured.pk, "complete", actor=back_office_dakmil)
    other = _second_dossier(captured)
    with pytest.raises(DomainError) as exc:
        lifecycle.move_many([captured.pk, other.pk], "approve", actor=commander_dakmil)
    assert _code(exc) == "BULK_REFUSED" and other.code in exc.value.message
    captured.refresh_from_db()
    assert captured.state == S.COMPLETED
    _put(other, S.COMPLETED)
    approved = lifecycle.move_many([captured.pk, other.pk], "approve", actor=commander_dakmil)
    assert [e.state for e in approved] == [S.APPROVED, S.APPROVED]


def test_bulk_moves_refuse_empty_oversized_and_invisible_selections(
    captured: Enrollment, commander_dakmil: User, tree: Tree
) -> None:
    with pytest.raises(DomainError) as exc:
        lifecycle.move_many([], "approve", actor=commander_dakmil)
    assert _code(exc) == "NOTHING_CHOSEN"
    with pytest.raises(DomainError) as exc:
        lifecycle.move_many(range(1, lifecycle.BULK_LIMIT + 2), "approve", actor=commander_dakmil)
    assert _code(exc) == "TOO_MANY_CHOSEN"
    far = make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)
    _put(captured, S.COMPLETED)
    with pytest.raises(DomainError) as exc:
        lifecycle.move_many([captured.pk], "approve", actor=far)
    assert _code(exc) == "NOT_FOUND"
    captured.refresh_from_db()
    assert captured.state == S.COMPLETED


def test_delivery_needs_its_proof(captured: Enrollment, back_office_dakmil: User) -> None:
    _put(captured, S.AT_UNIT)
    for kwargs in (
        {"delivery": "handed_over"},
        {"delivery": "posted"},
        {"delivery": "posted", "tracking_number": "   "},
        {"delivery": "by pigeon"},
    ):
        with pytest.raises(DomainError) as exc:
            lifecycle.deliver(captured.pk, actor=back_office_dakmil, **kwargs)  # type: ignore[arg-type]
        assert _code(exc) == "DELIVERY_PROOF_NEEDED"
    with pytest.raises(DomainError) as exc:
        lifecycle.deliver(
            captured.pk, actor=back_office_dakmil, delivery="handed_over", signature=b"not an image"
        )
    assert _code(exc) != "DELIVERY_PROOF_NEEDED"
    captured.refresh_from_db()
    assert captured.state == S.AT_UNIT and not captured.delivery_signature
    done = lifecycle.deliver(
        captured.pk, actor=back_office_dakmil, delivery="handed_over", signature=signature_png()
    )
    assert done.state == S.DELIVERED and done.delivery == "handed_over"
    assert done.delivery_signature.storage.exists(done.delivery_signature.name)


def test_every_move_that_closes_a_dossier_carries_a_reason_or_a_proof() -> None:
    for move in lifecycle.MOVES.values():
        if move.target in Enrollment.CLOSED_STATES or move.target == S.RETURNED:
            assert move.needs_reason or move.needs_proof, move.name


@pytest.mark.parametrize("entry", ["move", "move_many"])
def test_the_generic_move_refuses_to_deliver_without_proof(
    captured: Enrollment, back_office_dakmil: User, entry: str
) -> None:
    _put(captured, S.AT_UNIT)
    events = AuditEvent.objects.count()
    make = lifecycle.move if entry == "move" else lifecycle.move_many
    with pytest.raises(DomainError) as exc:
        make(
            [captured.pk] if entry == "move_many" else captured.pk,
            "deliver",  # type: ignore[operator]
            actor=back_office_dakmil,
        )
    assert _code(exc) == "MOVE_NEEDS_PROOF"
    captured.refresh_from_db()
    assert (captured.state, captured.delivery) == (S.AT_UNIT, "")
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"delivery": "handed_over"},
        {"delivery": "posted", "tracking_number": "  "},
        {"delivery": "handed_over", "tracking_number": "EE1VN"},
        {"delivery": "posted"},
    ],
)
def test_no_path_records_a_delivery_without_its_proof(
    captured: Enrollment, back_office_dakmil: User, fields: dict[str, object]
) -> None:
    _put(captured, S.AT_UNIT)
    locked = Enrollment.objects.get(pk=captured.pk)  # as a caller holding the row's lock has it
    with pytest.raises(DomainError) as exc:
        lifecycle.apply(locked, "deliver", actor=back_office_dakmil, **fields)
    assert _code(exc) == "DELIVERY_PROOF_NEEDED"
    captured.refresh_from_db()
    assert captured.state == S.AT_UNIT


def test_delivery_is_not_offered_as_a_one_click_move(back_office_dakmil: User) -> None:
    offered = {m.name for m in lifecycle.moves_from(S.AT_UNIT, back_office_dakmil)}
    assert "deliver" not in offered


def test_a_closed_dossier_frees_the_person_for_a_new_application(
    captured: Enrollment, commander_dakmil: User
) -> None:
    lifecycle.move(captured.pk, "reject", actor=commander_dakmil, reason="Giấy tờ giả")
    again = Enrollment.objects.create(
        unit=captured.unit,
        person=captured.person,
        kind=captured.kind,
        law=captured.law,
        state=S.CAPTURED,
        code="X-1",
    )
    assert again.pk


def test_the_audit_trail_of_a_dossier_reads_as_its_history(
    captured: Enrollment, back_office_dakmil: User, commander_dakmil: User
) -> None:
    lifecycle.move(captured.pk, "return", actor=back_office_dakmil, reason="Ảnh mờ")
    lifecycle.move(captured.pk, "resubmit", actor=back_office_dakmil)
    lifecycle.move(captured.pk, "complete", actor=back_office_dakmil)
    lifecycle.move_many([captured.pk], "approve", actor=commander_dakmil)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=captured.pk)
        lifecycle.apply(locked, "send", actor=back_office_dakmil)
        lifecycle.apply(
            locked,
            "produce",
            actor=back_office_dakmil,
            card_issue_date=datetime.date(2021, 3, 20),
            chip_serial="CHIP0001",
        )
    lifecycle.move(captured.pk, "arrive", actor=back_office_dakmil)
    lifecycle.deliver(
        captured.pk, actor=back_office_dakmil, delivery="posted", tracking_number="EE123456789VN"
    )
    trail = list(
        AuditEvent.objects.filter(object_type="enrollments.enrollment", object_id=str(captured.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert trail[0] == "enrollment.open"
    assert trail[-9:] == [
        "enrollment.receive",
        "enrollment.return",
        "enrollment.resubmit",
        "enrollment.complete",
        "enrollment.approve",
        "enrollment.send",
        "enrollment.produce",
        "enrollment.arrive",
        "enrollment.deliver",
    ]
    assert set(trail[1:-9]) == {"enrollment.capture"}
    produced = AuditEvent.objects.get(action="enrollment.produce", object_id=str(captured.pk))
    assert produced.after["chip_serial"] == "CHIP0001"


def _second_dossier(captured: Enrollment) -> Enrollment:
    """Another captured dossier of the same unit (a register person of the same commune)."""
    person = make_person(captured.person.residence_unit, "Trần Thị Mai", "02/09/2006", "F")
    return Enrollment.objects.create(
        unit=captured.unit,
        person=person,
        kind=captured.kind,
        law=captured.law,
        state=S.CAPTURED,
        code=captured.code + "-2",
        received_at=captured.received_at,
        return_date=captured.return_date,
    )


def test_errors_module_has_the_lifecycle_codes() -> None:
    for code in ("MOVE_NOT_ALLOWED", "MOVE_BY_FILE_ONLY", "BULK_REFUSED", "NOT_COMPLETE"):
        assert getattr(errors, code).code == code
