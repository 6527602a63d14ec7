"""Benchmark: the key pages at scale against a baseline page (a script, not a test).

One run, in process, with Django's test client (force_login; the project's middleware, session
and templates, DEBUG off):

1. Against the database DATABASE_URL names, which must hold the large demo (`make seed-large`;
   PostgreSQL for real numbers): every page in PAGES, plus the baseline page (the same project
   listing 50 rows from one indexed query), requested round-robin after warm-up so that noise
   from other processes falls on all pages alike. Server time per page (median, p95) and its
   SQL queries; each page's p95 as a ratio to the baseline's p95.
2. The same pages against the small demo (a throwaway database seeded with `seed_demo`), to
   show that each page costs the same number of queries whatever the size of the data.
3. Against the large demo again: the three PDF kinds, the reminder tick for every member, and a
   full month's XLSX export of the whole company, each with its time and peak memory. The tick
   runs in a transaction that is rolled back, so the data set stays as it was.

Prints the tables and writes everything as JSON under bench/results/ (git-ignored).
Run: `make bench` (DATABASE_URL=postgres://…/scale_bench REDIS_URL=redis://…/5).
"""

import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")
os.environ["BENCHMARK"] = "true"  # routes the baseline page (salesreports/bench_urls.py)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 100))  # a p95 of 40 rests on its two slowest requests
SMALL_ROUNDS = 20
WARM_UP = 3
RESULTS = Path(__file__).resolve().parent / "results"
LOGINS = {  # director, manager (of a 25-member team in the large demo), salesperson of that team
    "large": ("dir00", "mgr01"),
    "small": ("zhaoming", "liqiang"),
}


# Who and what the pages are about ------------------------------------------------------------------


@dataclass
class Subjects:
    """The people and objects the pages are asked about, found in whichever data set is loaded."""

    director: object
    manager: object
    salesperson: object
    team: object
    company: object
    draft: object  # this week's report of the salesperson, open for writing
    reviewed: object  # the salesperson's latest reviewed report (feedback, comments)
    awaiting: object  # a report waiting in the manager's queue
    quarter: str  # any day of the last full quarter
    month: tuple[datetime.date, datetime.date]  # the last full month

    @classmethod
    def find(cls, dataset: str) -> "Subjects":
        from reports import services as report_services
        from reports.models import WeeklyReport
        from reviews import queries
        from summaries.rollups import period_bounds
        from teams.models import Membership, User

        director_name, manager_name = LOGINS[dataset]
        director = User.objects.get(username=director_name)
        manager = User.objects.get(username=manager_name)
        team = Membership.objects.active().get(user=manager).team
        company = Membership.objects.active().get(user=director).team
        salespeople = User.objects.filter(
            memberships__team=team,
            memberships__ended_on__isnull=True,
            memberships__role=Membership.Role.SALESPERSON,
            status=User.Status.ACTIVE,
        ).order_by("username")
        this_week = report_services.current_week_start(report_services.settings_for(team))
        salesperson = next(
            (
                person
                for person in salespeople
                if not WeeklyReport.objects.filter(author=person, week_start=this_week)
                .exclude(status=WeeklyReport.Status.DRAFT)
                .exists()
                and WeeklyReport.objects.filter(author=person, status=WeeklyReport.Status.REVIEWED).exists()
            ),
            None,
        )
        if salesperson is None:
            raise SystemExit(f"Nobody in {team} has this week's report open any more: seed the demo again.")
        draft = report_services.open_report(author=salesperson)
        reviewed = WeeklyReport.objects.filter(author=salesperson, status=WeeklyReport.Status.REVIEWED).latest(
            "week_start"
        )
        awaiting = _with_last_weeks_feedback(queries.awaiting(manager).order_by("-week_start", "submitted_at"))
        today = timezone.localdate()
        quarter_start, _ = period_bounds("quarter", today)
        month_end = today.replace(day=1) - datetime.timedelta(days=1)
        return cls(
            director=director,
            manager=manager,
            salesperson=salesperson,
            team=team,
            company=company,
            draft=draft,
            reviewed=reviewed,
            awaiting=awaiting,
            quarter=(quarter_start - datetime.timedelta(days=1)).isoformat(),
            month=(month_end.replace(day=1), month_end),
        )


def _with_last_weeks_feedback(waiting):
    """The first waiting report whose author's previous report has feedback, as most have on a
    review day (the page then shows it, with its goals); else the first one."""
    from reports.models import WeeklyReport
    from reviews.models import Feedback

    for report in waiting[:50]:
        previous = (
            WeeklyReport.objects.filter(author_id=report.author_id, week_start__lt=report.week_start)
            .order_by("-week_start")
            .first()
        )
        if previous is not None and Feedback.objects.filter(report=previous).exists():
            return report
    return waiting.first()


# The pages: add a row to measure a new page ---------------------------------------------------------


@dataclass
class Page:
    name: str
    who: str  # salesperson, manager or director
    url: Callable[[Subjects], str]
    params: Callable[[Subjects], dict] = lambda s: {}
    method: str = "get"
    status: int = 200
    after: Callable[[Subjects], None] | None = None  # undo what the request did, untimed
    before: Callable[[Subjects], None] | None = None  # prepare each request, untimed
    htmx: bool = False  # a fragment the page loads with htmx once it is shown


def _stale(team: Callable[[Subjects], object]) -> Callable[[Subjects], None]:
    """Before each request, as if something in the subtree had just changed: nothing cached."""
    from teams import versions

    return lambda s: versions._replace([versions._key(team(s).pk)])


def _forget_exports(s: Subjects) -> None:
    """Each export request then creates its job, as the first person to ask does."""
    from summaries.models import Document

    Document.objects.filter(kind=Document.Kind.EXPORT, requested_by=s.manager).delete()


BASELINE = Page("baseline (50 rows, one indexed query)", "salesperson", lambda s: reverse("bench_baseline"))
PAGES = [
    Page("this week's report form", "salesperson", lambda s: reverse("reports:edit", args=[s.draft.pk])),
    Page("my reports", "salesperson", lambda s: reverse("reports:my")),
    Page("sales log, today", "salesperson", lambda s: reverse("customers:log")),
    Page("customers of a team", "manager", lambda s: reverse("customers:customer_list")),
    Page("report detail", "salesperson", lambda s: reverse("reports:detail", args=[s.reviewed.pk])),
    Page("review queue", "manager", lambda s: reverse("reviews:queue")),
    Page("review page", "manager", lambda s: reverse("reviews:review", args=[s.awaiting.pk])),
    Page(
        "review page: its comment thread (htmx)",
        "manager",
        lambda s: reverse("reviews:thread", args=[s.awaiting.pk]),
        htmx=True,
    ),
    Page(
        "review page: record, customers going cold (htmx)",
        "manager",
        lambda s: reverse("reviews:side", args=[s.awaiting.pk]),
        htmx=True,
    ),
    Page("review page: next report", "manager", lambda s: reverse("reviews:next", args=[s.awaiting.pk]), status=302),
    Page(
        "team dashboard, a quarter",
        "manager",
        lambda s: reverse("insights:dashboard", args=[s.team.pk]),
        lambda s: {"period": "quarter", "day": s.quarter},
    ),
    Page(
        "team dashboard, a quarter, cold cache",
        "manager",
        lambda s: reverse("insights:dashboard", args=[s.team.pk]),
        lambda s: {"period": "quarter", "day": s.quarter},
        before=_stale(lambda s: s.team),
    ),
    Page("director comparison, a month", "director", lambda s: reverse("insights:compare", args=[s.company.pk])),
    Page(
        "director comparison, a month, cold cache",
        "director",
        lambda s: reverse("insights:compare", args=[s.company.pk]),
        before=_stale(lambda s: s.company),
    ),
    Page(
        "export of a month (request)",
        "manager",
        lambda s: reverse("insights:export", args=[s.team.pk]),
        lambda s: {"start": s.month[0], "end": s.month[1], "file_format": "xlsx", "layout": "long"},
        method="post",
        status=302,
        after=_forget_exports,
    ),
]


# Measuring -------------------------------------------------------------------------------------------


@dataclass
class Timing:
    page: Page
    times: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank


def _clients(s: Subjects) -> dict[str, Client]:
    clients = {}
    for who in ("salesperson", "manager", "director"):
        clients[who] = Client()
        clients[who].force_login(getattr(s, who))
    return clients


def _request(client: Client, page: Page, s: Subjects):
    headers = {"HX-Request": "true"} if page.htmx else {}
    response = getattr(client, page.method)(page.url(s), page.params(s), headers=headers)
    if response.status_code != page.status:
        raise SystemExit(f"{page.name}: answered {response.status_code}, expected {page.status}")
    return response


def measure_pages(s: Subjects, rounds: int) -> list[Timing]:
    """Warm up, count each page's queries once, then time `rounds` requests of every page,
    round-robin (the baseline included)."""
    clients = _clients(s)
    timings = [Timing(page) for page in [BASELINE, *PAGES]]
    for timing in timings:
        page, client = timing.page, clients[timing.page.who]
        for _ in range(WARM_UP):
            if page.before:
                page.before(s)
            _request(client, page, s)
            if page.after:
                page.after(s)
        if page.before:
            page.before(s)
        with CaptureQueriesContext(connection) as queries:
            _request(client, page, s)
        timing.queries = len(queries)
        if page.after:
            page.after(s)
    for _ in range(rounds):
        for timing in timings:
            page, client = timing.page, clients[timing.page.who]
            if page.before:
                page.before(s)
            start = time.perf_counter()
            _request(client, page, s)
            timing.times.append(time.perf_counter() - start)
            if page.after:
                page.after(s)
    return timings


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
    from insights import exports
    from reports import services as report_services
    from summaries import pdf, rollups

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


# Data sets -------------------------------------------------------------------------------------------


def _require_large() -> None:
    from reports import demo_large

    if not demo_large.exists():
        raise SystemExit(
            "The large demo is not in this database. Seed it first: "
            "DATABASE_URL=postgres://…/scale_bench make seed-large"
        )


def _small_demo() -> str:
    """A throwaway database beside the large one, with the small demo."""
    from django.core.management import call_command

    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return old_name


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
    # Not setup_test_environment(): its instrumented template rendering (a signal per template,
    # whose receiver in the test client copies each context) would inflate template-heavy pages.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import summaries.services

    summaries.services.queue_render = lambda job_id: None  # the export request is timed, not its worker

    _require_large()
    machine = _machine()
    print(f"Benchmark {machine['date']} · {machine['cpu']} × {machine['cores']} · {machine['database']}")
    large_subjects = Subjects.find("large")
    large = measure_pages(large_subjects, ROUNDS)
    jobs = measure_jobs(large_subjects)
    old_name = _small_demo()
    try:
        small = measure_pages(Subjects.find("small"), SMALL_ROUNDS)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report(machine, large, small, jobs)


def report(machine: dict, large: list[Timing], small: list[Timing], jobs: list[dict]) -> None:
    baseline = large[0]
    print(f"\nKey pages, large demo: {ROUNDS} requests each after {WARM_UP} warm-up, round-robin (ms)")
    header = f"{'page':<40} {'median':>7} {'p95':>7} {'× base':>7} {'queries':>8} {'small':>6} {'small med':>9}"
    print(header)
    print("-" * len(header))
    rows = []
    for big, little in zip(large, small, strict=True):
        ratio = big.p95 / baseline.p95
        constant = "" if big.queries == little.queries else " !"
        print(
            f"{big.page.name:<40} {big.median * 1000:>7.1f} {big.p95 * 1000:>7.1f} {ratio:>6.2f}x "
            f"{big.queries:>8} {little.queries:>5}{constant:<1} {little.median * 1000:>9.1f}"
        )
        rows.append(
            {
                "page": big.page.name,
                "median_ms": big.median * 1000,
                "p95_ms": big.p95 * 1000,
                "p95_ratio_to_baseline": ratio,
                "queries_large": big.queries,
                "queries_small": little.queries,
                "small_median_ms": little.median * 1000,
                "small_p95_ms": little.p95 * 1000,
            }
        )
    print("\nWorker jobs, large demo (warm process; peak = Python allocations, traced run)")
    for job in jobs:
        extra = (
            f"  queries {job['queries']}, then sending {job['then_sending_seconds']:.2f} s" if "queries" in job else ""
        )
        print(f"  {job['job']:<48} {job['seconds']:>7.2f} s  peak {job['peak_mb']:>6.0f} MB{extra}")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak resident memory of this process: {peak_rss:.0f} MB")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{timezone.now():%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {"machine": machine, "rounds": ROUNDS, "pages": rows, "jobs": jobs, "peak_rss_mb": peak_rss},
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    )
    print(f"Results: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
