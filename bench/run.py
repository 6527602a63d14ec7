"""Benchmark: the key pages over HTTP, as ratios to the floor measured in the same run (a script,
not a test). Run: `make bench`; docs/benchmark.md explains the method.

- The project runs as in production: gunicorn with gunicorn.conf.py (2 sync workers, the app
  loaded before forking), DJANGO_ENV=production, DEBUG off, persistent database connections
  (CONN_MAX_AGE=60), Redis as the cache when REDIS_URL is set, and bench/settings.py, which only
  adds the baseline page's URL. DATABASE_URL must hold the large demo (`make seed-large`).
- The floor runs beside it on the same PostgreSQL server: a bare Django page listing 50 rows from
  one indexed query, no middleware (the perf-floor project: PERF_FLOOR, else ../shared/perf-floor
  next to this checkout or next to the main checkout of its git worktrees), under its own
  gunicorn with 2 workers, on its own database (FLOOR_DB, created and seeded when missing).
- wrk sends the requests, with the same fixed number of connections for every page, in short
  blocks interleaved with the floor's: floor, page, floor, next page, …, round after round. What
  else the machine does then falls on the floor and the pages alike. Each page's median, p95 and
  p99 is divided by the same statistic of the floor blocks that ran just before its own blocks.
- Query counts: one request per page in this process (Django's test client, same settings) on
  the large demo and on the small demo (a throwaway database seeded with `seed_demo`).

Environment: DATABASE_URL (required), REDIS_URL, PERF_FLOOR, FLOOR_DB (floor), BENCH_CONNECTIONS
(4), BENCH_SECONDS (3, per block), BENCH_ROUNDS (5), BENCH_WEB_PORT (8822), BENCH_FLOOR_PORT
(8821), BENCH_PAGES (only the pages whose names contain one of these comma-separated words).
Prints the table (and the README's Markdown) and writes JSON under bench/results/.
"""

import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 4))
SECONDS = int(os.environ.get("BENCH_SECONDS", 3))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
ONLY = [word.strip() for word in os.environ.get("BENCH_PAGES", "").split(",") if word.strip()]
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", 8822))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", 8821))
FLOOR_DB = os.environ.get("FLOOR_DB", "floor")
TARGET_MEDIAN, TARGET_P99 = 3.0, 5.0  # times the floor (issue 21)
RESULTS = REPO / "bench" / "results"
LUA = REPO / "bench" / "histogram.lua"

# The web process and this one share these (the sessions this process makes are signed with the
# key), so that query counts here come from the same settings as the timed pages there.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "CONN_MAX_AGE": "60",
    "WEB_CONCURRENCY": "2",
    "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
    "GUNICORN_ACCESS_LOG": "/dev/null",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.subjects import Subjects, require_large  # noqa: E402

# The pages: add a row to measure a new one -------------------------------------------------------


@dataclass
class Page:
    name: str
    who: str  # salesperson, manager or director
    url: Callable[[Subjects], str]
    params: Callable[[Subjects], dict] = lambda s: {}
    status: int = 200
    htmx: bool = False  # a fragment the page loads with htmx once it is shown
    key: bool = True  # a key page, held to the targets

    def path(self, s: Subjects) -> str:
        params = self.params(s)
        return self.url(s) + (f"?{urlencode(params)}" if params else "")


BASELINE = Page(
    "baseline: the floor's 50 rows in the project", "salesperson", lambda s: reverse("bench_baseline"), key=False
)
PAGES = [
    Page("this week's report form", "salesperson", lambda s: reverse("reports:edit", args=[s.draft.pk])),
    Page("my reports", "salesperson", lambda s: reverse("reports:my")),
    Page("Today (sales log)", "salesperson", lambda s: reverse("customers:log")),
    Page("customers of a team (1,000)", "manager", lambda s: reverse("customers:customer_list")),
    Page("report detail", "salesperson", lambda s: reverse("reports:detail", args=[s.reviewed.pk])),
    Page("review queue", "manager", lambda s: reverse("reviews:queue")),
    Page("review page", "manager", lambda s: reverse("reviews:review", args=[s.awaiting.pk])),
    Page(
        "… its comment thread (htmx)", "manager", lambda s: reverse("reviews:thread", args=[s.awaiting.pk]), htmx=True
    ),
    Page("… its side panel (htmx)", "manager", lambda s: reverse("reviews:side", args=[s.awaiting.pk]), htmx=True),
    Page("… next report (a redirect)", "manager", lambda s: reverse("reviews:next", args=[s.awaiting.pk]), status=302),
    Page(
        "team dashboard, a quarter (25 people)",
        "manager",
        lambda s: reverse("insights:dashboard", args=[s.team.pk]),
        lambda s: {"period": "quarter", "day": s.quarter},
    ),
    Page("home, a salesperson", "salesperson", lambda s: reverse("home")),
    Page("home, a manager", "manager", lambda s: reverse("home")),
    Page("home, a director", "director", lambda s: reverse("home")),
    Page(
        "search: a customer's name this quarter",
        "director",
        lambda s: reverse("search:results"),
        lambda s: {"q": "宁德时代", "period": "quarter"},
    ),
    Page(
        "pipeline and forecast, a quarter (25 people)",
        "manager",
        lambda s: reverse("pipeline:team", args=[s.team.pk]),
        lambda s: {"period": "quarter"},
    ),
    Page(
        "director comparison, a month (40 teams)",
        "director",
        lambda s: reverse("insights:compare", args=[s.company.pk]),
    ),
]


# Timing ------------------------------------------------------------------------------------------


@dataclass
class Latencies:
    """Every request's latency in microseconds, as wrk's histogram: value → how many."""

    counts: Counter = field(default_factory=Counter)

    def add(self, other: "Latencies") -> None:
        self.counts.update(other.counts)

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def percentile(self, p: float) -> float:
        """Nearest rank, in milliseconds."""
        rank, seen = max(1, -(-p * self.requests // 100)), 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value / 1000
        raise ValueError("no requests")


@dataclass
class Target:
    name: str
    port: int
    path: str
    headers: dict
    status: int = 200
    page: Page | None = None
    times: Latencies = field(default_factory=Latencies)
    floor: Latencies = field(default_factory=Latencies)  # the floor blocks run just before this one's
    queries: dict = field(default_factory=dict)  # scale → count


def wrk(port: int, path: str, headers: dict, seconds: int) -> Latencies:
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out:
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "-s", str(LUA)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{path}")
        subprocess.run(command, env={**os.environ, "WRK_OUT": out.name}, check=True, capture_output=True)
        first, *rows = out.read().splitlines()
    requests, *errors = (int(n) for n in first.split())
    if any(errors):
        names = ("connect", "read", "write", "status (4xx/5xx)", "timeout")
        found = ", ".join(f"{n} {name}" for n, name in zip(errors, names, strict=True) if n)
        raise SystemExit(f"{path}: {found} errors in {requests} requests")
    return Latencies(Counter({int(v): int(c) for v, c in (row.split() for row in rows)}))


def check(target: Target) -> None:
    """One request, answered as expected (not, say, by the login page)."""
    client = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    client.request("GET", target.path, headers=target.headers)
    response = client.getresponse()
    response.read()
    location = response.getheader("Location") or ""
    if response.status != target.status or "login" in location:
        raise SystemExit(f"{target.name}: answered {response.status} {location}, expected {target.status}")


def measure(floor: Target, targets: list[Target]) -> None:
    for target in [floor, *targets]:  # warm-up: every worker's caches, templates, connections
        check(target)
        wrk(target.port, target.path, target.headers, 1)
    for round_ in range(ROUNDS):
        print(f"  round {round_ + 1} of {ROUNDS}, load average {os.getloadavg()[0]:.1f}", flush=True)
        for target in targets:
            before = wrk(floor.port, floor.path, floor.headers, SECONDS)
            floor.times.add(before)
            target.floor.add(before)
            target.times.add(wrk(target.port, target.path, target.headers, SECONDS))


# The two servers ---------------------------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def serve(name: str, command: list[str], cwd: Path, env: dict, port: int, probe: str):
    if not _port_is_free(port):
        raise SystemExit(f"Port {port} is taken; choose another with BENCH_WEB_PORT / BENCH_FLOOR_PORT.")
    RESULTS.mkdir(exist_ok=True)
    log_path = RESULTS / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            if process.poll() is not None:
                raise SystemExit(f"{name} did not start:\n{log_path.read_text()[-2000:]}")
            try:
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                client.request("GET", probe)
                if client.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"{name} did not answer on port {port}; see {log_path}")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def floor_dir() -> Path:
    if os.environ.get("PERF_FLOOR"):
        candidates = [Path(os.environ["PERF_FLOOR"])]
    else:
        candidates = [REPO.parent / "shared" / "perf-floor"]
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        if common:  # a worktree: next to the main checkout
            candidates.append(Path(common).parent.parent / "shared" / "perf-floor")
    for candidate in candidates:
        if (candidate / "floor.py").exists():
            return candidate.resolve()
    raise SystemExit(f"The floor project is not in {' or '.join(map(str, candidates))}: set PERF_FLOOR.")


def floor_env() -> dict:
    """The floor's environment: its database on the server DATABASE_URL names."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "FLOOR_DB": FLOOR_DB, "PYTHONDONTWRITEBYTECODE": "1"}
    for name, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    for name in SERVER_ENV:  # the floor's own settings, nothing of ours
        env.pop(name, None)
    return env


def ensure_floor_data(directory: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [FLOOR_DB])
        exists = cursor.fetchone() is not None
        if not exists:
            cursor.execute(f'CREATE DATABASE "{FLOOR_DB}"')
    import psycopg2

    db = settings.DATABASES["default"]
    params = {k: db[K] for k, K in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD"))}
    with psycopg2.connect(dbname=FLOOR_DB, **{k: v for k, v in params.items() if v}) as floor_db:
        with floor_db.cursor() as cursor:
            cursor.execute("SELECT to_regclass('benchapp_report') IS NOT NULL")
            seeded = cursor.fetchone()[0]
    floor_db.close()
    if not seeded:
        print(f"Seeding the floor's database {FLOOR_DB}")
        subprocess.run([sys.executable, "seed.py"], cwd=directory, env=floor_env(), check=True)


# Query counts ------------------------------------------------------------------------------------


def sessions(s: Subjects) -> dict[str, Client]:
    clients = {}
    for who in ("salesperson", "manager", "director"):
        clients[who] = Client()
        clients[who].force_login(getattr(s, who))
    return clients


def count_queries(s: Subjects, pages: list[Page]) -> list[int]:
    clients, counts = sessions(s), []
    for page in pages:
        headers = {"HX-Request": "true"} if page.htmx else {}
        client = clients[page.who]
        # The first visit may write (read receipts, feedback read), which makes the second
        # recompute what the page keeps: the third is the steady state measured.
        for _ in range(2):
            client.get(page.url(s), page.params(s), headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url(s), page.params(s), headers=headers)
        if response.status_code != page.status:
            raise SystemExit(f"{page.name}: answered {response.status_code}, expected {page.status}")
        counts.append(len(queries))
    return counts


def small_demo_counts(pages: list[Page]) -> list[int]:
    """The same pages on the small demo, in a throwaway database beside the large one."""
    from django.core.management import call_command

    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        cache.clear()  # the kept values name teams and people by id: the large demo's are not these
        return count_queries(Subjects.find("small"), pages)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        cache.clear()


# The run -----------------------------------------------------------------------------------------


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),  # noqa: SIM115
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database.split(" on ")[0],
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "commit": commit.stdout.strip(),
        "connections": CONNECTIONS,
        "block_seconds": SECONDS,
        "rounds": ROUNDS,
    }


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database that holds the large demo.")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS).")
    require_large()
    directory = floor_dir()
    ensure_floor_data(directory)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production serves the manifest's names

    # Values kept by an earlier version of the code would be served where their data has not
    # changed since: each run measures this version's own.
    cache.clear()
    subjects = Subjects.find("large")
    pages = [BASELINE, *(p for p in PAGES if not ONLY or any(word in p.name for word in ONLY))]
    large_counts = count_queries(subjects, pages)
    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
        for who, c in sessions(subjects).items()
    }
    targets = []
    for page, queries in zip(pages, large_counts, strict=True):
        headers = {"Cookie": cookies[page.who], **({"HX-Request": "true"} if page.htmx else {})}
        targets.append(
            Target(page.name, WEB_PORT, page.path(subjects), headers, page.status, page, queries={"large": queries})
        )
    floor = Target("floor: 50 rows, one indexed query, no middleware", FLOOR_PORT, "/list", {})
    connection.close()

    info = machine() | {"started": timezone.now().isoformat(timespec="seconds"), "load_start": os.getloadavg()}
    print(f"Benchmark {info['started']} · {info['cpu']} × {info['cores']} · {info['database']} · {info['cache']}")
    print(f"wrk, {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS} s blocks: floor, page, floor, page …")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    floor_server = serve(
        "floor",
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{FLOOR_PORT}", "floor:application"],
        directory,
        floor_env(),
        FLOOR_PORT,
        "/hello",
    )
    web_server = serve(
        "web",
        [gunicorn, "salesreports.wsgi", "--config", "gunicorn.conf.py"],
        REPO,
        dict(os.environ),
        WEB_PORT,
        "/healthz",
    )
    with floor_server, web_server:
        measure(floor, targets)
    info |= {"finished": timezone.now().isoformat(timespec="seconds"), "load_end": os.getloadavg()}

    for target, queries in zip(targets, small_demo_counts(pages), strict=True):
        target.queries["small"] = queries
    report(info, floor, targets)


def _row(target: Target) -> dict:
    stats = {f"{p}_ms": target.times.percentile(q) for p, q in (("median", 50), ("p95", 95), ("p99", 99))}
    floor = {f"floor_{p}_ms": target.floor.percentile(q) for p, q in (("median", 50), ("p95", 95), ("p99", 99))}
    ratios = {f"{p}_ratio": stats[f"{p}_ms"] / floor[f"floor_{p}_ms"] for p in ("median", "p95", "p99")}
    return {
        "page": target.name,
        "requests": target.times.requests,
        **stats,
        **floor,
        **ratios,
        "queries": target.queries,
    }


def report(info: dict, floor: Target, targets: list[Target]) -> None:
    rows = [_row(target) for target in targets]
    f50, f95, f99 = (floor.times.percentile(q) for q in (50, 95, 99))
    print(
        f"\nFloor, all its blocks: median {f50:.1f} ms, p95 {f95:.1f} ms, p99 {f99:.1f} ms, "
        f"{floor.times.requests} requests"
    )
    header = f"{'page':<44} {'med ms':>7} {'p99 ms':>7} {'med ×':>6} {'p95 ×':>6} {'p99 ×':>6} {'queries':>9} {'n':>6}"
    print(header)
    print("-" * len(header))
    over = []
    for target, row in zip(targets, rows, strict=True):
        q = row["queries"]
        flag = "" if q["large"] == q["small"] else " !"
        print(
            f"{row['page']:<44} {row['median_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['median_ratio']:>6.2f} "
            f"{row['p95_ratio']:>6.2f} {row['p99_ratio']:>6.2f} {q['large']:>4}/{q['small']:<3}{flag} "
            f"{row['requests']:>6}"
        )
        if target.page.key and (row["median_ratio"] > TARGET_MEDIAN or row["p99_ratio"] > TARGET_P99):
            over.append(row["page"])
    print(
        f"\nOver the targets (median ≤ {TARGET_MEDIAN:g}×, p99 ≤ {TARGET_P99:g}× the floor): "
        f"{', '.join(over) or 'none'}"
    )
    print("\nFor the README:\n")
    print("| page | median ÷ floor | p95 ÷ floor | p99 ÷ floor | median ms | p99 ms | queries large / small |")
    print("|---|---|---|---|---|---|---|")
    print(f"| floor: 50 rows, one indexed query, no middleware | 1 | 1 | 1 | {f50:.1f} | {f99:.1f} | 1 / 1 |")
    for row in rows:
        q = row["queries"]
        print(
            f"| {row['page']} | {row['median_ratio']:.2f} | {row['p95_ratio']:.2f} | {row['p99_ratio']:.2f} "
            f"| {row['median_ms']:.1f} | {row['p99_ms']:.1f} | {q['large']} / {q['small']} |"
        )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{timezone.now():%Y%m%d-%H%M%S}.json"
    floor_row = {"median_ms": f50, "p95_ms": f95, "p99_ms": f99, "requests": floor.times.requests}
    out.write_text(json.dumps({"machine": info, "floor": floor_row, "pages": rows}, indent=2, ensure_ascii=False))
    print(f"\nResults: {out}")


if __name__ == "__main__":
    main()
