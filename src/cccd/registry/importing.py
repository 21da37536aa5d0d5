"""Importing a register file: streamed, in batches, idempotent, resumable.

Each batch of rows is written in one transaction together with the import's progress, so an
interrupted import loses at most the batch in flight and resumes after the last committed one.
People are upserted by personal ID; a re-import of the same file changes nothing. A person whose
personal ID appears twice in the file is taken from its first row; the later rows are rejected.
The duplicate check runs in the database (`Person.last_import_row`), so memory stays flat.
A move, a previous or a temporary residence becomes a `ResidenceRecord` (`moves`), written with
its batch.

Whoever runs an import (a worker's task, `cccd import_register`) holds its job's lease
(`cccd.jobs.leases`) and renews it in each batch's transaction: two processes never write the same
import, and one whose worker died is seen as stopped and resumed after its last committed batch.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent
from cccd.accounts.scoping import scope_prefixes
from cccd.core import names
from cccd.errors import DomainError
from cccd.jobs import leases
from cccd.jobs.models import Job
from cccd.registry import errors, moves, parsers
from cccd.registry.columns import map_headers
from cccd.registry.models import Household, Person, RegisterImport, RejectedRow, ResidenceRecord
from cccd.registry.residence import ResidenceResolver
from cccd.registry.rows import PersonRow, RowRejected, parse_row, raw_values
from cccd.registry.tables import Cell, Table, open_table

BATCH = 2000
DATA_FIELDS = (
    "full_name",
    "name_folded",
    "family_folded",
    "given_folded",
    "birth_date",
    "birth_date_precision",
    "birth_year",
    "sex",
    "birth_province_code",
    "hometown",
    "residence_unit_id",
    "permanent_address",
    "ethnicity",
    "religion",
    "old_id_number",
    "father_name",
    "mother_name",
    "status",
    "household_id",
    "relation_to_head",
    "card_issue_date",
    "card_expiry",
    "card_kind",
    "card_number",
    "died_on",
    "village",
    "residence_since",
)
Progress = Callable[[RegisterImport], None]
Tick = Callable[[], None]
IMPORT_JOB = leases.Kind("register_import", "cccd.registry.tasks.run_register_import")
TICK_ROWS = 1000  # rows read between two looks at the lease during a long pass over the file


@dataclass
class Header:
    line: int
    mapping: dict[str, int]


def read_header(table: Table) -> Header:
    """The first non-blank row is the header; refuse the file if its columns are not there."""
    for line, cells in enumerate(table.rows(), start=1):
        if any(str(c or "").strip() for c in cells):
            return Header(line, map_headers(cells))
    raise errors.NO_HEADER()


def count_data_rows(table: Table, header: Header, *, tick: Tick | None = None) -> int:
    """A full pass before writing anything: finds decoding errors deep in the file, and the total."""
    total = 0
    for line, cells in enumerate(table.rows(), start=1):
        if line > header.line and _has_content(cells):
            total += 1
        if tick is not None and line % TICK_ROWS == 0:
            tick()
    if total == 0:
        raise errors.NO_ROWS()
    return total


def _has_content(cells: list[Cell]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def job_of(register_import: RegisterImport) -> Job:
    """The import's job (made here for an import that has none yet)."""
    if register_import.job is None:
        register_import.job = leases.job_for(
            IMPORT_JOB, register_import.pk, unit=register_import.unit
        )
        RegisterImport.objects.filter(pk=register_import.pk).update(job=register_import.job)
    return register_import.job


def run_import(
    register_import: RegisterImport, *, progress: Progress | None = None
) -> RegisterImport:
    """Run (or resume) an import to its end under its job's lease; whole-file problems mark it
    failed and write nothing. Raises `leases.JobBusy` when another process is running it."""
    with leases.hold(job_of(register_import)) as lease:
        return _run(register_import.pk, lease, progress)


def _run(pk: int, lease: leases.Lease, progress: Progress | None) -> RegisterImport:
    imp = _start(pk, lease)
    if imp.state == RegisterImport.State.DONE:
        return imp
    path = Path(imp.file.path)
    try:
        table = open_table(path)
        header = read_header(table)
    except DomainError as exc:
        return _fail(imp, lease, exc.code, exc.message)
    fresh = not imp.rows_done
    processes = parsers.parser_processes()
    read = functools.partial(
        _batches,
        table,
        header,
        start_after=imp.rows_done,
        tick=None if processes else lease.beat,  # a parser process has no lease to beat
    )
    parse = functools.partial(
        parse_batch,
        mapping=header.mapping,
        resolver=ResidenceResolver(_import_scope(imp)),
        today=timezone.localdate(),
        import_id=imp.pk,
    )
    try:
        with (
            _page_cache(),
            parsers.parsed(read, parse, processes=processes, tick=lease.beat) as batches,
        ):
            if not imp.total_rows:  # while the parser processes start on the first batches
                imp.total_rows = count_data_rows(table, header, tick=lease.beat)
                imp.save(update_fields=["total_rows"])
            for parsed in batches:
                imp = _write_batch(imp.pk, parsed, lease)
                if progress:
                    progress(imp)
    except DomainError as exc:  # a whole-file problem, or a bound met past the first pass
        return _fail(RegisterImport.objects.get(pk=pk), lease, exc.code, exc.message)
    finished = _finish(imp.pk, lease)
    if fresh and finished.created > ANALYZE_AFTER:
        refresh_statistics()
    return finished


ANALYZE_AFTER = 10_000
SQLITE_CACHE_MIB = 64


@contextmanager
def _page_cache() -> Iterator[None]:
    """SQLite: a larger page cache while the import writes, back to what it was after. The upsert
    probes seven indexes on random keys; SQLite's default 2 MiB cache misses on most of them."""
    if connection.vendor != "sqlite" or not SQLITE_CACHE_MIB:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-1024 * SQLITE_CACHE_MIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def refresh_statistics() -> None:
    """Let the query planner see the new rows. Measured: after a million-row import into an empty
    PostgreSQL table, a national look-up took 13 s at p95 until ANALYZE ran, 0.15 s after."""
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # also on SQLite, which then picks the right index


def _import_scope(imp: RegisterImport) -> list[str]:
    if imp.actor is not None:
        return scope_prefixes(imp.actor)
    return [imp.unit.path, imp.unit.mirror_path]


def _locked(pk: int) -> RegisterImport:
    return (
        RegisterImport.objects.select_for_update(of=("self",))
        .select_related("unit", "actor")
        .get(pk=pk)
    )


@transaction.atomic
def _start(pk: int, lease: leases.Lease) -> RegisterImport:
    imp = _locked(pk)
    lease.renew(progress=False)
    if imp.state == RegisterImport.State.DONE:
        return imp
    imp.state = RegisterImport.State.RUNNING
    imp.save(update_fields=["state"])
    return imp


def _fail(imp: RegisterImport, lease: leases.Lease, code: str, message: str) -> RegisterImport:
    with transaction.atomic():
        lease.renew()
        imp.state, imp.error_code, imp.error_message = RegisterImport.State.FAILED, code, message
        imp.finished_at = timezone.now()
        imp.save(update_fields=["state", "error_code", "error_message", "finished_at"])
        record(
            "register_import.fail", actor=imp.actor, unit=imp.unit, obj=imp, after={"code": code}
        )
    return imp


@transaction.atomic
def _finish(pk: int, lease: leases.Lease) -> RegisterImport:
    imp = _locked(pk)
    lease.renew()
    if imp.state != RegisterImport.State.DONE:
        imp.state, imp.finished_at = RegisterImport.State.DONE, timezone.now()
        imp.save(update_fields=["state", "finished_at"])
        counts = {
            f: getattr(imp, f)
            for f in ("total_rows", "created", "updated", "unchanged", "rejected")
        }
        record("register_import.finish", actor=imp.actor, unit=imp.unit, obj=imp, after=counts)
    return imp


def _batches(
    table: Table, header: Header, *, start_after: int, tick: Tick | None = None
) -> Iterator[list[tuple[int, int, list[Cell]]]]:
    """(data row index, line number, cells) in lists of BATCH, skipping rows already committed."""
    batch: list[tuple[int, int, list[Cell]]] = []
    index = 0
    for line, cells in enumerate(table.rows(), start=1):
        if tick is not None and line % TICK_ROWS == 0:
            tick()
        if line <= header.line or not _has_content(cells):
            continue
        index += 1
        if index <= start_after:
            continue
        batch.append((index, line, cells))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


Rejection = tuple[int, str, str, dict[str, str]]  # line, reason code, sentence, the row's values


@dataclass
class Parsed:
    """One batch checked (`parse_batch`): the rows to write, each with its Person values but
    the household and `updated_at`, which the writer fills; the rows rejected; the batch's last
    data row index (the resume point once it is committed)."""

    rows: list[tuple[PersonRow, dict[str, Any]]]
    rejects: list[Rejection]
    last_index: int


def parse_batch(
    batch: list[tuple[int, int, list[Cell]]],
    *,
    mapping: dict[str, int],
    resolver: ResidenceResolver,
    today: datetime.date,
    import_id: int,
) -> Parsed:
    """Every check of a batch that needs no database: run in a parser process (`parsers`)."""
    parsed = Parsed([], [], batch[-1][0])
    first_line: dict[str, int] = {}
    for _index, line, cells in batch:
        try:
            row = parse_row(line, cells, mapping, today=today)
            unit_id = resolver.commune_id(row.commune_code, row.permanent_address)
            if unit_id is None:
                raise RowRejected(
                    "UNKNOWN_UNIT", _("The commune of this address is unknown or not in your unit.")
                )
            _resolve_residences(row, resolver)
            if row.personal_id in first_line:
                raise RowRejected(
                    "DUPLICATE_IN_FILE",
                    _("Same personal ID number as row %(row)s.")
                    % {"row": first_line[row.personal_id]},
                )
        except RowRejected as rejected:
            values = raw_values(cells, mapping)
            parsed.rejects.append((line, rejected.code, rejected.message, values))
            continue
        first_line[row.personal_id] = line
        row.residence_unit_id = unit_id  # type: ignore[attr-defined]
        parsed.rows.append((row, row_values(row, import_id=import_id)))
    return parsed


def _resolve_residences(row: PersonRow, resolver: ResidenceResolver) -> None:
    """The communes of the previous and temporary residences, within the importer's units."""
    if row.previous is not None:
        row.previous.unit_id = resolver.commune_id(row.previous.commune_code, row.previous.address)
        if row.previous.unit_id is None:
            raise RowRejected(
                "PREVIOUS_UNIT_UNKNOWN",
                _(
                    "The commune of the previous permanent residence is unknown or not in your unit."
                ),
            )
    if row.temporary is not None:
        row.temporary.unit_id = resolver.commune_id(
            row.temporary.commune_code, row.temporary.address
        )
        if row.temporary.unit_id is None:
            raise RowRejected(
                "TEMPORARY_UNIT_UNKNOWN",
                _("The commune of the temporary residence is unknown or not in your unit."),
            )


def _reject(
    imp: RegisterImport, line: int, rejected: RowRejected, values: dict[str, str]
) -> RejectedRow:
    return RejectedRow(
        register_import=imp,
        row_number=line,
        code=rejected.code,
        message=rejected.message[:300],
        values=values,
    )


@transaction.atomic
def _write_batch(pk: int, parsed: Parsed, lease: leases.Lease) -> RegisterImport:
    _commit_without_waiting_for_the_disk()
    imp = _locked(pk)
    lease.renew()  # the heartbeat; a worker that lost the lease writes nothing more
    rejects = [
        _reject(imp, line, RowRejected(code, message), values)
        for line, code, message, values in parsed.rejects
    ]
    rows = [row for row, _values in parsed.rows]
    existing = {
        p.personal_id: p
        for p in Person.objects.select_related("residence_unit").filter(
            personal_id__in=[r.personal_id for r in rows]
        )
    }
    prefixes = tuple(_import_scope(imp))
    households = _households(rows)
    now = timezone.now()
    import_day = timezone.localdate(imp.created_at)
    held = _records_held(rows, existing)
    upserts: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    audits: list[AuditEvent] = []
    residences = _Residences()
    for row, values in parsed.rows:
        old = existing.get(row.personal_id)
        refusal = _refusal(imp, row, old, prefixes)
        if refusal is not None:
            rejects.append(refusal)
            continue
        values["household_id"] = households.get(row.household_code)
        values["updated_at"] = now
        unit_id = values["residence_unit_id"]
        values["residence_since"] = moves.since(row, old, unit_id, import_day)
        plan = moves.plan(
            row, old, unit_id, values["residence_since"], held.get(old.pk, []) if old else []
        )
        residences.add(row.personal_id, plan)
        if old is None:
            imp.created += 1
        elif (changes := _changes(old, values)) or plan.audit:
            imp.updated += 1
            audits.append(_update_event(imp, old, {**changes, **plan.audit}))
        else:
            imp.unchanged += 1
            values["updated_at"] = old.updated_at
        (fresh if old is None else upserts).append(values)
    _insert_people(fresh)
    _upsert_people(upserts)
    residences.write()
    RejectedRow.objects.bulk_create(rejects)
    AuditEvent.objects.bulk_create(audits)
    imp.rejected += len(rejects)
    imp.rows_done = parsed.last_index
    imp.save(update_fields=["created", "updated", "unchanged", "rejected", "rows_done"])
    return imp


def _commit_without_waiting_for_the_disk() -> None:
    """PostgreSQL: this batch's COMMIT returns before its WAL reaches the disk (`SET LOCAL
    synchronous_commit TO OFF`, this transaction only).

    Safe for an import: only a crash of the database server itself can lose such a commit (the
    last fraction of a second of them), never corrupt anything, and the batch's rows and the
    import's resume point are in the same transaction, so they are lost together and the resumed
    import writes them again. `_finish` commits synchronously, which makes every batch before it
    durable, so an import reported done is on disk. With new people by COPY it took PostgreSQL's
    million-row import from 3.7× to 2.7× of the raw load (bench/RESULTS.md, register import; the two
    not measured apart).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _records_held(
    rows: list[PersonRow], existing: dict[str, Person]
) -> dict[int, list[ResidenceRecord]]:
    """The residence records of the batch's known people who may need one: one query, and none
    at all for a batch where nobody moves or names another residence."""
    wanted = [
        old.pk
        for row in rows
        if (old := existing.get(row.personal_id)) is not None
        and (
            row.previous is not None
            or row.temporary is not None
            or moves.moved(row, old, row.residence_unit_id)  # type: ignore[attr-defined]
        )
    ]
    held: dict[int, list[ResidenceRecord]] = {}
    if wanted:
        for record in ResidenceRecord.objects.filter(person_id__in=wanted):
            held.setdefault(record.person_id, []).append(record)
    return held


class _Residences:
    """The batch's residence records, written in two statements after its people."""

    def __init__(self) -> None:
        self.new: list[tuple[str, ResidenceRecord]] = []
        self.changed: list[ResidenceRecord] = []

    def add(self, personal_id: str, plan: moves.Plan) -> None:
        self.new += [(personal_id, record) for record in plan.new]
        self.changed += plan.changed

    def write(self) -> None:
        if self.new:
            ids = dict(
                Person.objects.filter(personal_id__in={p for p, _r in self.new}).values_list(
                    "personal_id", "pk"
                )
            )
            for personal_id, record in self.new:
                record.person_id = ids[personal_id]
            ResidenceRecord.objects.bulk_create([record for _p, record in self.new])
        if self.changed:
            ResidenceRecord.objects.bulk_update(
                self.changed, ["unit", "village", "address", "start", "end"]
            )


def _refusal(
    imp: RegisterImport, row: PersonRow, old: Person | None, prefixes: tuple[str, ...]
) -> RejectedRow | None:
    if old is None:
        return None
    if old.last_import_id == imp.pk and old.last_import_row != row.row_number:
        message = _("Same personal ID number as row %(row)s.") % {"row": old.last_import_row}
        return _reject(
            imp,
            row.row_number,
            RowRejected("DUPLICATE_IN_FILE", message),
            {"personal_id": row.personal_id},
        )
    if not old.residence_unit.path.startswith(prefixes):
        message = _("This person is registered in a unit outside yours.")
        return _reject(
            imp,
            row.row_number,
            RowRejected("OTHER_UNIT", message),
            {"personal_id": row.personal_id},
        )
    return None


UPSERT_COLUMNS = ("personal_id", *DATA_FIELDS, "last_import_id", "last_import_row", "updated_at")


def _insert_people(rows: list[dict[str, Any]]) -> None:
    """The batch's people not in the register when it was read.

    On PostgreSQL they go straight into the table by COPY, the raw load's own path, in a savepoint:
    should another import have added one of them since (a unique violation), the savepoint is
    rolled back and they take the upsert like the others. SQLite's upsert of a new row costs no
    more than its INSERT, so there they join the upsert.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        _upsert_people(rows)
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, connection.ops.quote_name(Person._meta.db_table), rows)
    except IntegrityError:
        _upsert_people(rows)


def _upsert_people(rows: list[dict[str, Any]]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE for the batch (SQLite ≥ 3.24 and PostgreSQL alike).

    Written as SQL rather than `bulk_create(update_conflicts=True)`: the ORM spent four times
    longer compiling the statement than the database took to run it. On PostgreSQL the rows go in
    by COPY to a temporary table first, which is several times faster than a parameterised insert.
    """
    if not rows:
        return
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = _quoted_columns()
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    conflict = f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_then_upsert(cursor, table, conflict, rows)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {conflict}"  # noqa: S608
        cursor.executemany(sql, _tuples(rows))


def _quoted_columns() -> list[str]:
    return [connection.ops.quote_name(_column(_field_name(c))) for c in UPSERT_COLUMNS]


_UPSERT_VALUES = operator.itemgetter(*UPSERT_COLUMNS)


def _tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows' values in UPSERT_COLUMNS' order (by `itemgetter`: a generator took 0.8 s of a
    100,000-row import)."""
    return [_UPSERT_VALUES(row) for row in rows]


def _copy(cursor: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """COPY the rows into `table` (PostgreSQL), in UPSERT_COLUMNS' order. psycopg's own cursor
    does the COPY, so its errors are turned into Django's here, as Django does for a query's."""
    names = ", ".join(_quoted_columns())
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in _tuples(rows):
            copy.write_row(row)


def _copy_then_upsert(cursor: Any, table: str, conflict: str, rows: list[dict[str, Any]]) -> None:
    """COPY into a temporary table emptied at commit, then one upsert from it (PostgreSQL)."""
    names = ", ".join(_quoted_columns())
    create = f"SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608 (names from the model)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS cccd_person_batch ON COMMIT DELETE ROWS AS {create}"
    )
    cursor.execute("TRUNCATE cccd_person_batch")  # emptied at commit too; not inside a savepoint
    _copy(cursor, "cccd_person_batch", rows)
    upsert = f"INSERT INTO {table} ({names}) SELECT {names} FROM cccd_person_batch {conflict}"  # noqa: S608
    cursor.execute(upsert)


def _field_name(column: str) -> str:
    return (
        column.removesuffix("_id")
        if column in {"residence_unit_id", "household_id", "last_import_id"}
        else column
    )


def _column(field_name: str) -> str:
    """The database column of one of Person's own fields (not a reverse relation)."""
    field = Person._meta.get_field(field_name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"Person.{field_name} has no column")
    return field.column


def _households(rows: list[PersonRow]) -> dict[str, int]:
    wanted: dict[str, tuple[str, int, str]] = {}
    for row in rows:
        if row.household_code and row.household_code not in wanted:
            wanted[row.household_code] = (
                row.household_code[:32],
                row.residence_unit_id,  # type: ignore[attr-defined]
                row.permanent_address[:300],
            )
    if not wanted:
        return {}
    _insert_households(list(wanted.values()))
    return dict(Household.objects.filter(code__in=wanted).values_list("code", "pk"))


def _insert_households(households: list[tuple[str, int, str]]) -> None:
    """The batch's new households (code, residence unit, address), by INSERT … VALUES (…), (…)
    ON CONFLICT DO NOTHING: as SQL for the reason `_upsert_people` gives (the ORM's `bulk_create`
    took a tenth of the import), one statement per 1,000 (PostgreSQL ran an `executemany` of them
    a third slower). Tuples, not model instances: building 35,000 of those took 0.5 s a 100,000
    rows."""
    table = connection.ops.quote_name(Household._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_household_column(f)) for f in _HOUSEHOLD)
    code = connection.ops.quote_name(_household_column("code"))
    with connection.cursor() as cursor:
        for start in range(0, len(households), 1000):
            chunk = households[start : start + 1000]
            marks = ", ".join(["(%s, %s, %s)"] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks} ON CONFLICT ({code}) DO NOTHING"  # noqa: S608
            cursor.execute(sql, [value for household in chunk for value in household])


_HOUSEHOLD = ("code", "residence_unit", "address")


def _household_column(name: str) -> str:
    field = Household._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"Household.{name} has no column")
    return field.column


def person_values(
    row: PersonRow, *, household_id: int | None, import_id: int | None, now: datetime.datetime
) -> dict[str, Any]:
    """A Person's field values from a parsed row (`rows.parse_row`, `residence_unit_id` set on
    it), the folded names for the search included: one place for an import and for a walk-in
    entered with the population-data form (`cccd.kits.walkins`)."""
    return {
        **row_values(row, import_id=import_id),
        "household_id": household_id,
        "updated_at": now,
    }


def row_values(row: PersonRow, *, import_id: int | None) -> dict[str, Any]:
    """`person_values` but the household and `updated_at`: what a parser process can compute."""
    family, _middle, given = names.split(row.full_name)
    return {
        "personal_id": row.personal_id,
        "full_name": row.full_name,
        "name_folded": names.fold(row.full_name)[:120],
        "family_folded": names.fold(family)[:40],
        "given_folded": names.fold(given)[:40],
        "birth_date": row.birth_date,
        "birth_date_precision": "year" if row.year_only else "day",
        "birth_year": row.birth_date.year,
        "sex": row.sex,
        "birth_province_code": row.birth_province_code,
        "hometown": row.hometown,
        "residence_unit_id": row.residence_unit_id,  # type: ignore[attr-defined]
        "permanent_address": row.permanent_address,
        "ethnicity": row.ethnicity,
        "religion": row.religion,
        "old_id_number": row.old_id_number,
        "father_name": row.father_name[:120],
        "mother_name": row.mother_name[:120],
        "status": row.status,
        "relation_to_head": row.relation,
        "card_issue_date": row.card_issue_date,
        "card_expiry": row.card_expiry,
        "card_kind": row.card_kind,
        "card_number": row.card_number,
        "died_on": row.died_on,
        "village": row.village,
        "residence_since": row.residence_since,
        "last_import_id": import_id,
        "last_import_row": row.row_number if import_id is not None else None,
    }


def _changes(old: Person, new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {f: (getattr(old, f), new[f]) for f in DATA_FIELDS if getattr(old, f) != new[f]}


def _update_event(
    imp: RegisterImport, old: Person, changes: dict[str, tuple[Any, Any]]
) -> AuditEvent:
    def jsonable(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date) else value

    return AuditEvent(
        actor=imp.actor,
        actor_username=imp.actor.username if imp.actor else "",
        action="person.update",
        object_type="registry.person",
        object_id=str(old.pk),
        object_repr=old.full_name[:200],
        unit_id=old.residence_unit_id,
        before={f: jsonable(a) for f, (a, _b) in changes.items()},
        after={f: jsonable(b) for f, (_a, b) in changes.items()},
        source=f"import:{imp.pk}",
    )
