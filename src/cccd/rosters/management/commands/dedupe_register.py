"""`cccd dedupe_register`: people registered twice in a register file, as pairs and clusters."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.rosters import linkage
from cccd.rosters.linkage import dedupe
from cccd.rosters.management.engine_failures import engine_failures


class Command(BaseCommand):
    help = (
        "Find people registered twice in a register file (interchange CSV or xlsx): writes "
        "FOLDER/pairs.csv (personal_id_l, personal_id_r, match_probability, match_weight, "
        "cluster_id; empty when an officer must decide: below the cluster threshold, or "
        "possible twins) and "
        "FOLDER/clusters.csv (cluster_id, size, personal_ids separated by ;). Example: cccd "
        "dedupe_register --register register.csv --out review/ [--engine spark]"
    )

    requires_system_checks: list[str] = []
    """Files in, files out (as `cccd link`)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register", type=Path, required=True, help="register CSV or xlsx")
        parser.add_argument(
            "--out", type=Path, required=True, help="existing folder for pairs.csv, clusters.csv"
        )
        parser.add_argument(
            "--threshold",
            type=str,
            default=str(dedupe.DEFAULT_THRESHOLD),
            help=f"match probability from which a pair is listed for review (default "
            f"{dedupe.DEFAULT_THRESHOLD}; 0.01 for a register of ten million)",
        )
        parser.add_argument(
            "--cluster-threshold",
            type=str,
            default=str(dedupe.CLUSTER_THRESHOLD),
            help=f"match probability from which a pair joins a cluster (default "
            f"{dedupe.CLUSTER_THRESHOLD}; possible twins never do)",
        )
        parser.add_argument(
            "--engine",
            default=linkage.DEFAULT_ENGINE,
            help="where Splink scores: duckdb (this process) or spark (CCCD_SPARK_MASTER; the "
            f"same model, pairs and clusters) (default {linkage.DEFAULT_ENGINE})",
        )
        parser.add_argument(
            "--model", type=Path, default=None, help="a trained model (default: the shipped one)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        register_path: Path = options["register"]
        out: Path = options["out"]
        threshold = _threshold("--threshold", options["threshold"])
        cluster_threshold = _threshold("--cluster-threshold", options["cluster_threshold"])
        if options["engine"] not in linkage.ENGINES:
            raise CommandError(
                f"Unknown engine {options['engine']!r}; use one of: {', '.join(linkage.ENGINES)}."
            )
        if not register_path.is_file():
            raise CommandError(f"The register file {register_path} does not exist.")
        if options["model"] is not None and not options["model"].is_file():
            raise CommandError(f"The model file {options['model']} does not exist.")
        if not out.is_dir():
            raise CommandError(f"The output folder {out} does not exist; create it first.")
        started = time.perf_counter()
        try:
            with linkage.LoadedRegister(register_path) as loaded:
                register = loaded.frame()
        except linkage.RegisterFileError as exc:
            raise CommandError(f"Cannot read the register: {exc}") from None
        read = time.perf_counter() - started
        try:
            with engine_failures(options["engine"], "deduplicating"):
                found = dedupe.find_duplicates(
                    register,
                    threshold=threshold,
                    cluster_threshold=cluster_threshold,
                    engine=options["engine"],
                    model_path=options["model"],
                )
        except dedupe.DedupeError as exc:
            raise CommandError(str(exc)) from None
        except (ValueError, TypeError, KeyError) as exc:  # not a Splink model (JSON or settings)
            raise CommandError(f"Cannot use the model {options['model']}: {exc}") from None
        scored = time.perf_counter() - started - read
        try:
            dedupe.write_pairs(found.pairs, out / "pairs.csv")
            dedupe.write_clusters(found.clusters, out / "clusters.csv")
        except OSError as exc:
            raise CommandError(f"Cannot write to {out}: {exc.strerror or exc}") from None
        review = sum(1 for p in found.pairs if p.cluster_id is None)
        people = sum(len(c.personal_ids) for c in found.clusters)
        self.stdout.write(
            f"{found.records} records: {len(found.pairs)} pairs at or above {threshold:g} "
            f"({review} for review only), {len(found.clusters)} clusters of {people} records; "
            f"read {read:.1f} s, scored {scored:.1f} s → {out}"
        )


def _threshold(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 < value <= 1.0:  # NaN fails too
        raise CommandError(
            f"{option} must be a probability above 0 and at most 1 (e.g. 0.5), not {text!r}."
        )
    return value
