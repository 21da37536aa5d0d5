"""`cccd kit …`: the field kit at the command line (docs/field-kit.md#command-line).

On the district: `register NAME --unit CODE` (prints the one-time pairing code) and `revoke NAME`.
On a kit: `join URL CODE`, `checkout SESSION_ID`, `push`, `status`, `checkin`, and `sync`, which
pushes every `--every` seconds for as long as it runs. `push`, `status` and `checkin` end with
one line of JSON holding the outbox's counts, for operators' scripts; `push` exits 0 only when
every packet is acknowledged.
"""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.accounts.audit import audit_source
from cccd.errors import DomainError
from cccd.kits import services, sync
from cccd.kits.client import Refused, Unreachable

SYNC_ROUNDS_MAX = 1_000_000
"""`sync` is bounded like every loop: at 30 s a round, this is about a year."""


class Command(BaseCommand):
    help = "The field kit: register, revoke (district); join, checkout, push, status, checkin, sync (kit)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        register = commands.add_parser("register", help="register a kit of a unit (district)")
        register.add_argument("name")
        register.add_argument("--unit", required=True, help="the police unit's code")
        commands.add_parser("revoke", help="revoke a kit for good (district)").add_argument("name")
        join = commands.add_parser("join", help="pair this kit with its district")
        join.add_argument("url")
        join.add_argument("code")
        commands.add_parser("checkout", help="check a session out to this kit").add_argument(
            "session_id", type=int
        )
        commands.add_parser("push", help="send the outbox now")
        commands.add_parser("status", help="the outbox's counts")
        commands.add_parser("checkin", help="close the session and check it in")
        run = commands.add_parser("sync", help="push every --every seconds while it runs")
        run.add_argument("--every", type=int, default=30)
        run.add_argument("--rounds", type=int, default=SYNC_ROUNDS_MAX)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with audit_source(f"cli:kit {action}"):
                getattr(self, f"_{action}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except Refused as exc:
            raise CommandError(f"The district refused: {exc.message} ({exc.code})") from None
        except Unreachable as exc:
            raise CommandError(
                f"The district cannot be reached ({exc}). Nothing was lost: try again when the "
                "network is back."
            ) from None

    def _register(self, options: dict[str, Any]) -> None:
        made = services.register_kit(options["name"], unit_code=options["unit"], actor=None)
        self.stdout.write(f"Kit {made.kit.name} registered to {made.kit.unit.name}.")
        self.stdout.write("Pairing code (works once; type it on the kit with `cccd kit join`):")
        self.stdout.write(made.pairing_code)

    def _revoke(self, options: dict[str, Any]) -> None:
        kit = services.revoke_kit(options["name"], actor=None)
        self.stdout.write(f"Kit {kit.name} is revoked: nothing it sends is accepted any more.")

    def _join(self, options: dict[str, Any]) -> None:
        answer = sync.join(options["url"], options["code"])
        self.stdout.write(f"Joined as {answer['kit']}, kit of {answer['unit_name']}.")
        self.stdout.write(f"This kit's fingerprint:     {answer['kit_fingerprint']}")
        self.stdout.write(f"The district's fingerprint: {answer['district_fingerprint']}")
        self.stdout.write("Read both to the district's administrator over the phone.")

    def _checkout(self, options: dict[str, Any]) -> None:
        held = sync.checkout(options["session_id"])
        self.stdout.write(
            f"Session {held.session_id} checked out: dossier numbers "
            f"{held.code_block_start}–{held.code_block_end} are this kit's."
        )

    def _push(self, options: dict[str, Any]) -> None:
        result = sync.push()
        self._report(result)
        if not result.counts.all_acknowledged:
            raise SystemExit(1)

    def _report(self, result: sync.PushResult) -> None:
        if result.unreachable:
            self.stderr.write(
                f"The district cannot be reached ({result.unreachable}); the packets wait."
            )
        if result.refusal:
            self.stderr.write(f"The district refused this kit: {result.refusal}")
        self.stdout.write(json.dumps(sync.counts_json(result.counts)))

    def _status(self, options: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(sync.counts_json(sync.counts())))

    def _checkin(self, options: dict[str, Any]) -> None:
        result = sync.checkin()
        if result.checked_in:
            self.stdout.write(
                "Checked in: the district holds every packet; the kit's copy is wiped."
            )
        else:
            self.stderr.write(
                "Not checked in yet: "
                + (
                    f"{len(result.missing)} packet(s) missing at the district."
                    if result.missing
                    else "the district cannot be reached or packets wait."
                )
            )
        self.stdout.write(json.dumps(sync.counts_json(result.counts)))
        if not result.checked_in:
            raise SystemExit(1)

    def _sync(self, options: dict[str, Any]) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        for _round in range(max(1, options["rounds"])):
            result = sync.push()
            self._report(result)
            if stop.wait(max(1, options["every"])):
                return
