from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cccd.accounts.audit import audit_source
from cccd.demo import seed
from cccd.demo.booking import seed_booking
from cccd.demo.history import seed_history
from cccd.demo.reach import seed_reach
from cccd.notify.templates import load_templates
from cccd.reports import counters


class Command(BaseCommand):
    help = "Build the demo installation (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2021, help="random seed for generated data")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_source("cli:seed_demo"):
            seed.seed_units()
            load_templates()  # the messages' texts, reference data as `cccd load_message_templates` loads it
            users = seed.seed_users()
            people = seed.seed_register(options["seed"])
            campaign = seed.seed_campaign(timezone.localdate())
            roster_rows = seed.seed_roster(options["seed"])
            numbers = seed.seed_queue()
            dossiers = seed.seed_lifecycle()
            history = seed_history(timezone.localdate())
            kit_session = seed.seed_kit()
            booked = seed_booking()
            counters.rebuild()  # the seed moved its evenings' times back: count them on their days
            reach = seed_reach(campaign)

        self.stdout.write(f"Register: {people} people in Đắk Mil and Tây Sơn.")
        self.stdout.write(f"Campaign: {campaign.name}, {campaign.sessions.count()} sessions.")
        if roster_rows:
            self.stdout.write(
                f"Lists: {roster_rows} rows in two class lists from THPT Đắk Mil, pre-checked; "
                "a corrected list waits for confirmation."
            )
        if numbers:
            self.stdout.write(
                f"Queue: {numbers} numbers tonight at THPT Đắk Mil, two desks serving; open the board."
            )
        if dossiers:
            states = ", ".join(f"{n} {state}" for state, n in sorted(dossiers.items()))
            self.stdout.write(
                f"Dossiers of Đắk Mil: {states}; three production batches, one round-tripped to delivery."
            )
        if history:
            self.stdout.write(f"History: {history} dossiers of the campaign's first weeks.")
        self.stdout.write(
            f"Field kit: {seed.DEMO_KIT} registered to Đắk Mil; session {kit_session} "
            "(tomorrow evening, THPT Trần Hưng Đạo) waits to be checked out to it."
        )
        if booked.session_id is not None:
            self.stdout.write(
                f"Booking: session {booked.session_id} (Thuận An's commune hall in five days) open "
                f"at /book/; {booked.booked} people booked, their confirmations in var/mail/new "
                "or the log."
            )
        self.stdout.write(
            f"Reach: {reach.cohort} people to reach in Đắk Mil and Tây Sơn, {reach.reached} reached; "
            f"{reach.marked} marked for a home visit in xã Đắk Lao; "
            + (f"home-visit round {reach.round_id} planned; " if reach.round_id else "")
            + f"{reach.boundaries} communes with (synthetic) boundaries on the map."
        )
        self.stdout.write("Demo logins (user / password / role / unit):")

        for demo, created in users:
            mark = "new" if created else "kept"
            self.stdout.write(
                f"  {demo.username:<17} {demo.password:<14} {demo.role:<14} {demo.unit_path}  ({mark})"
            )
