"""The demo company (`seed_demo`), seeded for real once (per day, set of options and version of the
code; kept in var/test-databases/ for the other test processes and the next runs) and then copied
into the database for each test that asks: a fraction of a second instead of the five seconds of
services a seeding takes. What `seed()` leaves, rows and printed output, is exactly what `seed_demo`
leaves and prints on a freshly migrated database, since that is how the copy was made. A test that
moves the clock moves it to a fixed moment before seeding: the copy is of that day's demo.

`seed()` empties every table and refills it, in one transaction. It works in ordinary tests (inside
their rolled-back transaction), in module-wide fixtures (inside theirs) and in transactional tests
(browser tests: committed, so the live server sees it), on SQLite and PostgreSQL.
"""

import fcntl
import hashlib
import io
import os
import pickle  # nosec B403: the demo's rows, written and read by the test processes only
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from tests import data_migrations, world


@dataclass(frozen=True)
class Snapshot:
    output: str  # what seed_demo printed
    tables: dict[str, tuple[list[str], list[tuple]] | bytes]  # SQLite: columns and rows; PostgreSQL: COPY text


_snapshots: dict[tuple, Snapshot] = {}
_restored = False  # since the cached rows were last forgotten


def seed(*options: str) -> str:
    """The database as `seed_demo *options` leaves a freshly migrated one; returns what it printed."""
    key = (options, timezone.localdate(), connection.settings_dict["NAME"])
    if key not in _snapshots:
        _snapshots[key] = _shared(options)
    _restore(_snapshots[key])
    return _snapshots[key].output


# Test processes share a seeding through a file, and so do runs until the code or the day changes:
# the file's name is a digest of the options, the day, the database engine and every file of the
# project that could change what seeding makes (tests and documentation aside).
SHARED = Path(settings.BASE_DIR) / "var" / "test-databases"
_SOURCES = {".py", ".html", ".txt", ".json", ".po", ".lock"}
_NOT_SOURCES = {".git", ".venv", "node_modules", "var", "tests", "docs", "static", "staticfiles", "test-artifacts"}


def _code_digest() -> str:
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(settings.BASE_DIR):
        subfolders[:] = sorted(d for d in subfolders if d not in _NOT_SOURCES and not d.startswith((".", "__")))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in _SOURCES:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _shared(options: tuple[str, ...]) -> Snapshot:
    key = repr((options, timezone.localdate().isoformat(), connection.vendor, _code_digest()))
    name = hashlib.sha256(key.encode()).hexdigest()[:24]
    SHARED.mkdir(parents=True, exist_ok=True)
    path = SHARED / f"demo-{name}.pickle"
    with open(SHARED / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process seeds while the others wait for its file
        if path.exists():
            return pickle.loads(path.read_bytes())  # nosec B301: written just below by a test process
        snapshot = _take(options)
        for old in SHARED.glob("demo-*.pickle"):
            if old.stat().st_mtime < time.time() - 86400:  # other days' and other code's
                old.unlink(missing_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(snapshot))
        partial.replace(path)
        return snapshot


def forget_cached_rows() -> None:
    """Content types are cached by primary key in this process; a copied demo brings its own, and
    rolling it back takes them away again. Call after rolling back a transaction that seeded."""
    global _restored
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    cache.clear()
    _restored = False


def forget_if_restored() -> None:
    """Called as each test ends (tests/conftest.py), after its transaction was rolled back."""
    if _restored:
        forget_cached_rows()


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _empty(cursor, tables: list[str]) -> None:
    # DELETE, not TRUNCATE: it works inside a test's transaction whatever it wrote before (foreign
    # keys are checked at commit, when the tables are whole again).
    for table in tables:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # nosec B608: our table names


def as_freshly_migrated(tables: list[str] | None = None) -> None:
    """Empties every table and puts back what a freshly migrated database holds: content types and
    permissions, and the data migrations' rows. Inside the caller's transaction; the cached content
    types are forgotten as the test ends."""
    global _restored
    with connection.cursor() as cursor:
        _empty(cursor, _tables() if tables is None else tables)
    forget_cached_rows()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    data_migrations.restore()
    _restored = True


def _take(options: tuple[str, ...]) -> Snapshot:
    tables = _tables()
    world.eager_celery()
    with tempfile.TemporaryDirectory() as media:
        with override_settings(**world.isolated_settings(media)), transaction.atomic():
            as_freshly_migrated(tables)
            # Run what seeding leaves for after its commit (notification e-mails) as a commit would.
            output = io.StringIO()
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", *options, stdout=output)
            with connection.cursor() as cursor:
                taken = {table: _read(cursor, table) for table in tables}
            transaction.set_rollback(True)
    forget_cached_rows()
    return Snapshot(output=output.getvalue(), tables=taken)


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


def _sequences_past_the_rows(cursor) -> None:
    """PostgreSQL's sequences past the copied keys (SQLite's follow the rows by themselves), and
    never back: sequences are not rolled back with the test's transaction, and the rows it rolls
    back to (a module-wide fixture's, say) may have higher keys than the copy's."""
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if pk is None or pk.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}:
            continue
        table, column = model._meta.db_table, pk.column
        quoted_table, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column)
        rows_max = f"SELECT COALESCE(MAX({quoted_column}), 0) + 1 FROM {quoted_table}"  # nosec B608: our tables
        sequence = "pg_get_serial_sequence(%s, %s)"  # none for a table without one: setval(NULL) does nothing
        cursor.execute(
            f"SELECT setval({sequence}, GREATEST(nextval({sequence}), ({rows_max})), false)",
            [table, column, table, column],
        )


def _restore(snapshot: Snapshot) -> None:
    global _restored
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
        if connection.vendor == "postgresql":
            _sequences_past_the_rows(cursor)
    forget_cached_rows()
    _restored = True
