"""The demo company (`seed_demo`) for tests that use it rather than test it: seeded for real once per
test process (and day, and set of options), its rows kept, and copied into the database for each
test that asks (a fraction of a second instead of seconds of services). The seeding itself is
tested in tests/teams/test_seed_demo*.py, tests/periodsummaries/test_demo.py and
tests/pipeline/test_demo.py, which run `seed_demo` every time.

`seed()` leaves the database exactly as `seed_demo` leaves a freshly migrated one, whatever was in
it before: every table is emptied and refilled, in one transaction. It works in ordinary tests
(inside their rolled-back transaction) and in transactional ones (browser tests, committed, so the
live server sees it), on SQLite and PostgreSQL.
"""

import io
from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase
from django.utils import timezone

from tests import data_migrations


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, tuple[list[str], list[tuple]] | bytes]  # SQLite: columns and rows; PostgreSQL: COPY text


_snapshots: dict[tuple, Snapshot] = {}


def seed(*options: str) -> None:
    """The database as `seed_demo *options` leaves a freshly migrated one."""
    key = (options, timezone.localdate(), connection.settings_dict["NAME"])
    if key not in _snapshots:
        _snapshots[key] = _take(options)
    _restore(_snapshots[key])


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _empty(cursor, tables: list[str]) -> None:
    # DELETE, not TRUNCATE: it works inside a test's transaction whatever it wrote before (foreign
    # keys are checked at commit, when the tables are whole again).
    for table in tables:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # nosec B608: our table names


def _take(options: tuple[str, ...]) -> Snapshot:
    tables = _tables()
    with transaction.atomic():
        with connection.cursor() as cursor:
            _empty(cursor, tables)
        data_migrations.restore()
        # Run what seeding leaves for after its commit (notification e-mails) as a commit would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", *options, stdout=io.StringIO())
        with connection.cursor() as cursor:
            taken = {table: _read(cursor, table) for table in tables}
        transaction.set_rollback(True)
    _forget_cached_rows()
    return Snapshot(tables=taken)


def _read(cursor, table: str):
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        out = io.BytesIO()
        _copy(cursor, f"COPY {name} TO STDOUT", out)
        return out.getvalue()
    columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
    # Unary + hands each value back exactly as stored, not through the declared type's converter.
    values = ", ".join(f"+{connection.ops.quote_name(c)}" for c in columns)
    cursor.execute(f"SELECT {values} FROM {name}")  # nosec B608: our table names
    return columns, cursor.fetchall()


def _copy(cursor, sql: str, stream: io.BytesIO) -> None:
    """PostgreSQL's COPY through psycopg 2 or 3."""
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg 2
        raw.copy_expert(sql, stream)
    elif "FROM STDIN" in sql:
        with raw.copy(sql) as copy:
            copy.write(stream.getvalue())
    else:
        with raw.copy(sql) as copy:
            for block in copy:
                stream.write(block)


def _restore(snapshot: Snapshot) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor, list(snapshot.tables))
        for table, content in snapshot.tables.items():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                if content:
                    _copy(cursor, f"COPY {name} FROM STDIN", io.BytesIO(content))
                continue
            columns, rows = content
            if rows:
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)  # nosec B608
        # PostgreSQL's sequences past the copied keys (SQLite's follow the rows by themselves).
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    _forget_cached_rows()


def _forget_cached_rows() -> None:
    """Content types are cached by primary key in this process; the copied ones may differ."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    cache.clear()
