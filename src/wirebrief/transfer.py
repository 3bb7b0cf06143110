"""Copy a whole installation from one database to another (``wirebrief migrate-data``).

Tables are copied in foreign-key order, in batches, from a streaming read; columns whose
foreign keys form a cycle (or point at their own table) are written as NULL first and
filled in once every row exists. Afterwards PostgreSQL sequences are moved past the copied
ids, the search index is rebuilt, and each table's row count and checksum are compared on
both sides. The task queue is not copied: jobs are transient.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, RowMapping, Table, func, select, text
from sqlalchemy.schema import sort_tables_and_constraints

from wirebrief.errors import TransferError
from wirebrief.search.backend import backend_for
from wirebrief.storage.db import Database
from wirebrief.storage.models import Base, DataVersion

BATCH_ROWS = 1000


@dataclass(frozen=True)
class TableCopy:
    """One table's figures on both sides."""

    name: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        """Whether the target holds exactly what the source holds."""
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


def copy_database(
    source: Database,
    target: Database,
    on_table: Callable[[TableCopy], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> list[TableCopy]:
    """Copy every table of ``source`` into the empty, migrated ``target``; raise
    :class:`TransferError` when any table's count or checksum differs."""
    if not source.is_current():
        raise TransferError(f"{source.url} is not at the newest schema; run `wirebrief init` on it")
    target.upgrade()
    tables, deferred = _copy_order()
    with source.engine.connect() as reading, target.engine.begin() as writing:
        busy = [t.name for t in tables if writing.scalar(select(func.count()).select_from(t))]
        if busy:
            raise TransferError(
                f"the target database already holds rows in {', '.join(busy)}; "
                "migrate into an empty database"
            )
        for table in tables:
            later = deferred.get(table.name, [])
            for rows in _batches(reading, table, batch_rows):
                writing.execute(table.insert(), [{**row, **dict.fromkeys(later)} for row in rows])
        for table in tables:
            _fill_deferred(reading, writing, table, deferred.get(table.name, []), batch_rows)
        if writing.dialect.name == "postgresql":
            _reset_sequences(writing, tables)
    with target.session() as session:
        backend_for(session).rebuild(session)
    results = []
    with source.engine.connect() as reading, target.engine.connect() as written:
        for table in tables:
            count, digest = table_checksum(reading, table)
            copied_count, copied_digest = table_checksum(written, table)
            result = TableCopy(table.name, count, copied_count, digest, copied_digest)
            results.append(result)
            if on_table:
                on_table(result)
    wrong = [r.name for r in results if not r.ok]
    if wrong:
        raise TransferError(f"the copy differs from the source in {', '.join(wrong)}")
    return results


def table_checksum(connection: Connection, table: Table) -> tuple[int, str]:
    """Row count and SHA-256 of a table's rows in primary-key order, values normalised so
    that both engines give the same digest for the same data."""
    digest = hashlib.sha256()
    count = 0
    for rows in _batches(connection, table, BATCH_ROWS):
        for row in rows:
            line = json.dumps([_normal(row[c.name]) for c in table.columns], sort_keys=True)
            digest.update(line.encode() + b"\n")
            count += 1
    return count, digest.hexdigest()


def _copy_order() -> tuple[list[Table], dict[str, list[str]]]:
    """Tables parents first, and per table the columns to write after every row exists."""
    tables: list[Table] = []
    deferred: dict[str, list[str]] = {}
    cyclic = set()
    for table, constraints in sort_tables_and_constraints(Base.metadata.sorted_tables):
        if table is None:  # the constraints that close a cycle
            cyclic.update(constraints)
            continue
        if table.name == DataVersion.__tablename__:  # each database's own (its triggers move it)
            continue
        tables.append(table)
    for table in tables:
        for constraint in table.foreign_key_constraints:
            if constraint in cyclic or constraint.referred_table is table:
                deferred.setdefault(table.name, []).extend(c.name for c in constraint.columns)
    return tables, deferred


def _batches(connection: Connection, table: Table, size: int) -> Iterator[Sequence[RowMapping]]:
    """A table's rows in primary-key order, streamed in batches of mappings."""
    statement = select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(stream_results=True, yield_per=size).execute(statement)
    yield from result.mappings().partitions(size)


def _fill_deferred(
    reading: Connection, writing: Connection, table: Table, columns: list[str], size: int
) -> None:
    if not columns:
        return
    keys: list[Column] = list(table.primary_key.columns)
    where = " AND ".join(f"{k.name} = :pk_{k.name}" for k in keys)
    sets = ", ".join(f"{name} = :{name}" for name in columns)
    update = text(f"UPDATE {table.name} SET {sets} WHERE {where}")
    for rows in _batches(reading, table, size):
        values = [
            {**{c: row[c] for c in columns}, **{f"pk_{k.name}": row[k.name] for k in keys}}
            for row in rows
            if any(row[c] is not None for c in columns)
        ]
        if values:
            writing.execute(update, values)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Move each serial id's sequence past the copied ids, so new rows get fresh ids."""
    for table in tables:
        for key in table.primary_key.columns:
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": key.name},
            )
            if sequence:
                connection.execute(
                    text(
                        f"SELECT setval(:sequence, coalesce(max({key.name}), 1), "
                        f"max({key.name}) IS NOT NULL) FROM {table.name}"
                    ),
                    {"sequence": sequence},
                )


def _normal(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float):
        return repr(value)
    return value
