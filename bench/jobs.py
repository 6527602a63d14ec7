"""Benchmark: the worker's side on the large demo (a script, not a test).

In a warm process against DATABASE_URL (the large demo, `make seed-large`): the three PDF kinds
with their roll-ups, a full month's XLSX export of the whole company in both layouts, and the
reminder tick for every member followed by the sending of its emails (in a transaction that is
rolled back, so the data stays as it was). Each with its time and the peak of its Python
allocations (measured in a second, traced run). Prints a table and writes JSON under
bench/results/. Run: `make bench-jobs`. The pages are `make bench` (bench/run.py).
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.subjects import Subjects, require_large  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _peak(run: Callable[[], object]) -> tuple[float, float, object]:
    """Seconds for a plain run, then the peak of Python allocations (MB) in a second, traced run
    (tracing slows it down, so it is not the timed one)."""
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, result


def measure_jobs(s: Subjects) -> list[dict]:
    """The worker's side: the three PDF kinds (with their roll-ups, as the worker computes them),
    the reminder tick for every member, a full month's XLSX export of the whole company."""
    from reports import services as report_services
    from summaries import exports, pdf, rollups

    week = s.reviewed.week_start
    quarter_end = datetime.date.fromisoformat(s.quarter)
    quarter_start = rollups.period_bounds("quarter", quarter_end)[0]
    members = rollups.team_week(s.team, week).members
    jobs = [
        ("PDF: one report", lambda: pdf.report_pdf(s.reviewed, "zh-hans"), ""),
        (
            f"PDF: team weekly summary ({len(members)} members)",
            lambda: pdf.team_week_pdf(rollups.team_week(s.team, week), "zh-hans"),
            "",
        ),
        (
            "PDF: quarterly roll-up of the team",
            lambda: pdf.period_pdf(
                rollups.period(start=quarter_start, end=quarter_end, title="Q", team=s.team), "zh-hans"
            ),
            "",
        ),
        (
            "XLSX: a month of the whole company (long)",
            lambda: exports.render(
                team=s.company,
                start=s.month[0],
                end=s.month[1],
                layout="long",
                file_format="xlsx",
                progress=print_nothing,
            ),
            "",
        ),
        (
            "XLSX: a month of the whole company (wide)",
            lambda: exports.render(
                team=s.company,
                start=s.month[0],
                end=s.month[1],
                layout="wide",
                file_format="xlsx",
                progress=print_nothing,
            ),
            "",
        ),
    ]
    rows = []
    for label, run, note in jobs:
        run()  # warm-up: imports, fonts
        seconds, peak, result = _peak(run)
        rows.append({"job": label, "seconds": seconds, "peak_mb": peak, "bytes": len(result), "note": note})
    team_settings = report_services.settings_for(s.team)
    this_week = report_services.current_week_start(team_settings)
    deadline = team_settings.deadline_for(this_week)
    rows.append(_tick(deadline - datetime.timedelta(hours=24) + datetime.timedelta(minutes=5)))
    return rows


def print_nothing(rows: int) -> None:
    pass


class _Undo(Exception):
    pass


def _tick(when: datetime.datetime) -> dict:
    """The tick when every member's 24-hour reminder is due, then the worker sending its emails
    (run here, in the same transaction, from the tick's on-commit callbacks); rolled back, then
    run again under tracemalloc for its peak memory."""
    from teams.models import Membership

    members = Membership.objects.active().filter(role=Membership.Role.SALESPERSON).count()
    result, queries, tick_seconds, send_seconds = _tick_once(when)
    tracemalloc.start()
    _tick_once(when)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "job": f"reminder tick, {members} members ({result.sent} due)",
        "seconds": tick_seconds,
        "peak_mb": peak / 2**20,
        "queries": queries,
        "then_sending_seconds": send_seconds,
        "note": "emails sent after it in the same transaction, then rolled back",
    }


def _tick_once(when: datetime.datetime):
    from reminders.services import run_tick

    try:
        with transaction.atomic():
            callbacks_before = len(connection.run_on_commit)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = run_tick(now=when)
                tick_seconds = time.perf_counter() - start
            sending = time.perf_counter()
            for _, callback, _robust in connection.run_on_commit[callbacks_before:]:
                callback()
            send_seconds = time.perf_counter() - sending
            connection.run_on_commit = connection.run_on_commit[:callbacks_before]
            raise _Undo
    except _Undo:
        pass
    return result, len(queries), tick_seconds, send_seconds


def _machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),  # noqa: SIM115
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "date": timezone.now().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database.split(" on ")[0],
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "commit": commit,
    }


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    require_large()
    machine = _machine()
    print(f"Worker jobs {machine['date']} · {machine['cpu']} × {machine['cores']} · {machine['database']}")
    jobs = measure_jobs(Subjects.find("large"))
    print("\nWorker jobs, large demo (warm process; peak = Python allocations, traced run)")
    for job in jobs:
        extra = (
            f"  queries {job['queries']}, then sending {job['then_sending_seconds']:.2f} s" if "queries" in job else ""
        )
        print(f"  {job['job']:<48} {job['seconds']:>7.2f} s  peak {job['peak_mb']:>6.0f} MB{extra}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"jobs-{timezone.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"machine": machine, "jobs": jobs}, indent=2, ensure_ascii=False, default=str))
    print(f"Results: {out}")


if __name__ == "__main__":
    main()
