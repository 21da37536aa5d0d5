"""`seed_demo` with a register large enough for a full evening at the desk (2,500 people): its own
module, since tests/demo/test_seed_demo.py's share one smaller seed."""

import io

import pytest
from django.core.management import call_command

from cccd.demo.seed import HISTORY_NOTE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: object, settings: object) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def test_seed_demo_serves_tonight_through_the_intake_desk_and_closed_an_earlier_evening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from django.utils import timezone

    from cccd.campaigns.models import Session
    from cccd.demo import seed
    from cccd.enrollments.intake.queries import session_counts
    from cccd.enrollments.models import Artefact, DeadlineArea, Enrollment
    from cccd.tickets.models import Ticket

    monkeypatch.setattr(seed, "DEMO_PEOPLE", 2500)  # enough students for a full evening
    call_command("seed_demo", stdout=io.StringIO())
    tonight = seed.demo_session(seed.DEMO_TONIGHT)
    assert tonight.venue.name == "Trường THPT Đắk Mil" and tonight.local_day == timezone.localdate()
    received = Enrollment.objects.filter(session=tonight, state="captured")
    assert received.count() >= 10
    for dossier in received:
        assert dossier.code and dossier.code.startswith("663-")
        assert dossier.return_date is not None and dossier.return_date > dossier.received_at.date()
        assert dossier.ticket.state == Ticket.State.DONE
        photo = dossier.artefacts.get(kind=Artefact.Kind.PHOTO)
        assert Path(photo.file.path).is_file()
        assert dossier.artefacts.filter(kind=Artefact.Kind.FINGERPRINT).count() == 10
    assert Enrollment.objects.filter(return_method="post").exclude(post_address="").exists()
    assert Artefact.objects.filter(impossible_reason="Mất ngón").exists()
    draft = Enrollment.objects.get(state="draft")  # half taken at desk 1: photo, no fingerprints
    assert draft.session == tonight and draft.ticket.desk.number == 1
    assert draft.ticket.state == Ticket.State.SERVING
    assert list(draft.artefacts.values_list("kind", flat=True)) == [Artefact.Kind.PHOTO]
    assert DeadlineArea.objects.get(unit__path="/ca/L67/663/").area == "mountain_island"

    earlier = (
        Session.objects.filter(
            venue__name="Hội trường UBND xã Thuận An", state="closed", tickets__isnull=False
        )
        .exclude(note=HISTORY_NOTE)  # the history's evenings have their numbers too
        .distinct()
        .get()
    )  # the served one, not history
    counts = session_counts(earlier)
    assert counts.received >= 1 and counts.served == counts.received
    assert Enrollment.objects.filter(session=earlier, state="draft").count() == 0
    assert all(
        e.received_at.date() == earlier.starts_at.date()
        for e in Enrollment.objects.filter(session=earlier)
    )

    # the first evening's dossiers went on through every state after the desk
    from collections import Counter

    from django.utils import timezone

    from cccd.enrollments.dossiers.lifecycle import LATE_STATES
    from cccd.enrollments.models import ProductionBatch
    from cccd.reports.models import StateCount

    states = set(Enrollment.objects.values_list("state", flat=True))
    assert states >= set(Enrollment.State.values)
    batches = ProductionBatch.objects.order_by("created_at")
    assert [b.state for b in batches] == ["result", "result", "sent"]
    assert batches[0].result_id and batches[0].enrollments.filter(state="delivered").exists()
    assert batches[0].enrollments.filter(state="returned_for_correction").exists()  # refused there
    today = timezone.localdate()
    assert Enrollment.objects.filter(state__in=LATE_STATES, return_date__lt=today).exists()
    district = Counter()
    for state, n in StateCount.objects.filter(unit__path="/ca/L67/663/").values_list(
        "state", "count"
    ):
        district[state] += n
    actual = Counter(
        Enrollment.objects.filter(unit__path="/ca/L67/663/")
        .exclude(state="draft")
        .values_list("state", flat=True)
    )
    assert +district == actual

    # every dossier's kind is one the person's card and age allow (the desk's served evenings
    # were checked today, then dated back), and its fee is the table's for that kind
    from cccd.core import kinds as kind_rules
    from cccd.enrollments.intake import kinds
    from cccd.enrollments.intake.rules import quote_fee

    received_dossiers = Enrollment.objects.exclude(received_at=None).select_related(
        "person", "exemption"
    )
    assert len({d.kind for d in received_dossiers}) >= 3
    for dossier in received_dossiers:
        day = timezone.localdate(dossier.received_at)
        allowed = [
            kind_rules.check(
                dossier.kind,
                kinds.applicant(dossier.person),
                on,  # type: ignore[arg-type]
                law=dossier.law,
                reason=dossier.kind_reason,
            ).allowed  # type: ignore[arg-type]
            for on in (day, today)
        ]
        assert any(allowed), (dossier.code, dossier.kind)
        assert dossier.fee == quote_fee(dossier.kind, day, dossier.exemption), dossier.code

    dossiers = Enrollment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())  # run again: nothing new
    assert Enrollment.objects.count() == dossiers
    assert ProductionBatch.objects.count() == 3
