"""`python -m bench whatif`: the what-if of a session checked against the demo's past sessions.

The demo's history (`cccd.demo.history`) is seeded into a throw-away SQLite database: about three
weeks of evenings in Đắk Mil and Tây Sơn, each with its numbers and the times they were called and
done. Those times come from the history's own queue process (`queue_evening`: a hand-written
first-come line with the elderly first, class slots, arrival jitter, no-shows, log-normal service
times by kind, desks opening a few minutes late, and in Đắk Mil one evening in four with only one
of the two planned desks staffed), not from the simulator; the two share only what a demo must
(people come, desks serve them). For every past session, the forecast is made exactly as the page
makes it before the session (`cccd.planner.whatif.inputs_for`: numbers handed out before the start,
the unit's sessions ended before it), and its median wait set beside the observed one.

A naive forecast runs beside it: the median of the unit's earlier observed median waits (the
number a team leader would guess from the last evenings). The simulation is worth its keep only
where it beats that.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    district: str
    starts: str
    venue_kind: str
    desks_planned: int
    desks_staffed: int
    holders: int
    walk_ins_per_hour: float
    history: int
    defaults: bool
    predicted: float | None
    band: tuple[float, float] | None
    predicted_staffed: float | None  # with the desks that served (known only afterwards)
    predicted_usual: float | None  # with the desks the unit usually staffed (known before)
    naive: float | None
    observed: float | None
    served: int
    seconds: float


def setup_django(data_dir: Path) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{data_dir / 'whatif.sqlite3'}",
        CCCD_DATA_DIR=str(data_dir),
        CCCD_DEBUG="0",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed(people: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from cccd.demo import seed as demo
    from cccd.demo.history import seed_history

    call_command("migrate", verbosity=0)
    demo.DEMO_PEOPLE = people
    today = timezone.localdate()
    demo.seed_units()
    demo.seed_users()
    demo.seed_register(2021)
    demo.seed_campaign(today)
    seed_history(today)


def measure(replications: int) -> list[Row]:
    from django.utils import timezone

    from cccd.campaigns.models import Session
    from cccd.demo.history import HISTORY_NOTE
    from cccd.planner import whatif
    from cccd.planning import whatif as sim
    from cccd.tickets.models import Ticket

    sessions = Session.objects.filter(note=HISTORY_NOTE).select_related("unit", "venue")
    rows: list[Row] = []
    seen: dict[int, list[float]] = {}  # unit → observed medians so far, for the naive forecast
    for session in sessions.order_by("starts_at", "unit__path"):
        inputs = whatif.inputs_for(session)
        started = time.perf_counter()
        outcome = sim.simulate(inputs.evening, seed=session.pk, replications=replications)
        seconds = time.perf_counter() - started
        observed = whatif.observed(session)
        usual = whatif.usual_desks(inputs)
        as_usual = outcome
        if usual is not None:
            evening = replace(inputs.evening, desks=usual)
            as_usual = sim.simulate(evening, seed=session.pk, replications=replications)
        staffed = _desks_that_served(session, Ticket)
        if staffed and staffed != inputs.evening.desks:
            real = replace(inputs.evening, desks=staffed)
            with_staffed = sim.simulate(real, seed=session.pk, replications=replications)
        else:
            with_staffed = outcome
        earlier = seen.setdefault(session.unit_id, [])
        observed_median = observed.median_wait if observed else None
        rows.append(
            Row(
                district=session.unit.name,
                starts=f"{timezone.localtime(session.starts_at):%a %d/%m %H:%M}",
                venue_kind=session.venue.kind,
                desks_planned=session.desks,
                desks_staffed=staffed,
                holders=len(inputs.evening.holders),
                walk_ins_per_hour=inputs.evening.walk_ins_per_hour,
                history=inputs.history,
                defaults=bool(inputs.defaults),
                predicted=outcome.median_wait,
                band=outcome.median_wait_band,
                predicted_staffed=with_staffed.median_wait,
                predicted_usual=as_usual.median_wait,
                naive=statistics.median(earlier) if earlier else None,
                observed=observed_median,
                served=observed.served if observed else 0,
                seconds=seconds,
            )
        )
        if observed_median is not None:
            earlier.append(observed_median)
    return rows


def _desks_that_served(session: object, ticket: Any) -> int:
    done = ticket.objects.filter(session=session, state="done", desk__isnull=False)
    return done.values("desk_id").distinct().count()


def errors(pairs: list[tuple[float, float]]) -> tuple[float, float, float, int]:
    """Mean absolute error, median relative error (observed > 0 only), bias, count."""
    if not pairs:
        return float("nan"), float("nan"), float("nan"), 0
    absolute = [abs(p - o) for p, o in pairs]
    relative = [abs(p - o) / o for p, o in pairs if o > 0]
    bias = statistics.fmean(p - o for p, o in pairs)
    median_relative = statistics.median(relative) if relative else float("nan")
    return statistics.fmean(absolute), median_relative, bias, len(pairs)


def summary_line(name: str, rows: list[Row], which: str = "predicted") -> str:
    pairs = [
        (getattr(r, which), r.observed)
        for r in rows
        if getattr(r, which) is not None and r.observed is not None
    ]
    mae, rel, bias, n = errors(pairs)
    inside = [
        r.band[0] <= r.observed <= r.band[1]
        for r in rows
        if which == "predicted" and r.band is not None and r.observed is not None
    ]
    coverage = f"{100 * sum(inside) / len(inside):.0f} %" if inside else "–"
    return f"| {name} | {n} | {mae:.1f} | {100 * rel:.0f} % | {bias:+.1f} | {coverage} |"


def report(rows: list[Row], args: argparse.Namespace, seconds: float) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        f"Command: `python -m bench whatif --people {args.people} --replications "
        f"{args.replications}` ({seconds:.0f} s in all, seeding included).",
        "",
        "| district | session | venue | desks planned / staffed | numbers in advance | walk-ins/h (input) "
        "| history | predicted median (10–90 % of runs) | predicted, desks as usually staffed "
        "| predicted, desks that served | naive | observed median | served |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        band = f" ({r.band[0]:.1f}–{r.band[1]:.1f})" if r.band else ""
        lines.append(
            f"| {r.district} | {r.starts} | {r.venue_kind} | {r.desks_planned} / {r.desks_staffed} "
            f"| {r.holders} | {r.walk_ins_per_hour:.1f} | {r.history}{'*' if r.defaults else ''} "
            f"| {_minutes(r.predicted)}{band} | {_minutes(r.predicted_usual)} "
            f"| {_minutes(r.predicted_staffed)} "
            f"| {_minutes(r.naive)} | {_minutes(r.observed)} "
            f"| {r.served} |"
        )
    with_history = [r for r in rows if not r.defaults]
    staffed = [r for r in with_history if r.desks_staffed == r.desks_planned]
    short = [r for r in with_history if r.desks_staffed < r.desks_planned]
    lines += [
        "",
        "`*`: some input fell back to the stated defaults (no earlier session of the unit).",
        "",
        "| forecast | sessions | mean absolute error (min) | median relative error | bias "
        "(predicted − observed, min) | observed inside the 10–90 % band |",
        "| --- | --- | --- | --- | --- | --- |",
        summary_line("simulation, every session", rows),
        summary_line("simulation, sessions with history", with_history),
        summary_line("simulation, every planned desk staffed", staffed),
        summary_line("simulation, a planned desk not staffed", short),
        summary_line(
            "simulation, desks as usually staffed, every session", rows, "predicted_usual"
        ),
        summary_line(
            "simulation, desks as usually staffed, sessions with history",
            with_history,
            "predicted_usual",
        ),
        summary_line(
            "simulation with the desks that served, every session", rows, "predicted_staffed"
        ),
        summary_line(
            "simulation with the desks that served, sessions with history",
            with_history,
            "predicted_staffed",
        ),
        summary_line("naive (median of the unit's earlier observed medians)", rows, "naive"),
        summary_line("naive, sessions with history", with_history, "naive"),
        "",
        f"Time of one forecast (planned only, {args.replications} replications): median "
        f"{statistics.median(r.seconds for r in rows):.2f} s, max {max(r.seconds for r in rows):.2f} s.",
    ]
    return "\n".join(lines)


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench whatif")
    parser.add_argument("--people", type=int, default=22000, help="the demo register's size")
    parser.add_argument("--replications", type=int, default=200)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv or [])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cccd-bench-whatif-") as data:
        setup_django(Path(data))
        seed(args.people)
        rows = measure(args.replications)
    print(report(rows, args, time.perf_counter() - started))


if __name__ == "__main__":
    main(sys.argv[1:])
