"""`cccd devices simulate`: the SBI device service simulator, in the foreground of its own process."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.devices import sbi, simulator


class Command(BaseCommand):
    help = "Device services: `simulate` runs the SBI simulator on 127.0.0.1 (4501–4600)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        simulate = actions.add_parser(
            "simulate",
            help="serve SBI on 127.0.0.1 as a slap scanner, an iris camera and a face camera",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog="faults: " + ", ".join(simulator.FAULTS) + " (kind, or kind:Finger|Iris|Face; "
            "missing:<finger or iris>, e.g. 'missing:Left RingFinger')",
        )
        simulate.add_argument(
            "--port", type=int, help="a port of 4501–4600 (default: the first free one)"
        )
        simulate.add_argument(
            "--delay-ms",
            type=int,
            help="every capture's delay (default: finger 1500, iris 1200, face 600)",
        )
        simulate.add_argument(
            "--fault", action="append", default=[], help="start with this fault (repeatable)"
        )
        simulate.add_argument(
            "--seed", default="", help="the person on the device (default: the transactionId)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if port is not None and port not in sbi.PORTS:
            raise CommandError("--port: the spec's range is 4501–4600")
        if options["delay_ms"] is not None and options["delay_ms"] < 0:
            raise CommandError("--delay-ms: 0 or more")
        try:
            faults = [simulator.Fault.parse(f) for f in options["fault"]]
        except ValueError as error:
            raise CommandError(f"--fault: {error}") from error
        try:
            server = simulator.serve(port, options["delay_ms"], faults)
        except OSError as error:
            raise CommandError(f"cannot listen: {error}") from error
        server.state.person = options["seed"]
        simulator.Handler.verbose = options["verbosity"] > 1
        self.stdout.write(
            f"SBI simulator at http://{sbi.HOST}:{server.state.port}/ (Ctrl-C stops it)"
        )
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
