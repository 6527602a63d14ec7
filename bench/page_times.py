"""The benchmark's pages timed in this process, for finding where a page's time goes (a script,
not a test). `make bench` says how a page compares with the floor over HTTP; this says what the
page does: its median and fastest time through Django's test client with the benchmark's
settings, its queries, and optionally a cProfile of it.

    DATABASE_URL=postgres://…/bench_large REDIS_URL=redis://… .venv/bin/python bench/page_times.py \
        [--queries] [--profile] [--requests N] [word …]

Words pick the pages whose names contain one of them (all pages without). --queries lists each
query of one request with its time; --profile prints the functions that took the most time over
N more requests (PROFILE_SORT=tottime to sort by own time, PROFILE_LINES for more lines). The
large demo must be seeded (`make seed-large`), and the static files collected with the same
environment (`manage.py collectstatic`), as for `make bench`.
"""

import argparse
import cProfile
import functools
import gc
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import run  # noqa: E402  (the pages, the benchmark's settings, django.setup())
from bench.subjects import Subjects  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    s = Subjects.find("large")
    clients = run.sessions(s)
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does before forking: collections scan what requests create
    for page in [run.BASELINE, *run.PAGES]:
        if args.words and not any(word in page.name for word in args.words):
            continue
        headers = {"HX-Request": "true"} if page.htmx else {}
        get = functools.partial(clients[page.who].get, page.url(s), page.params(s), headers=headers)

        for _ in range(3):  # the first visit may write (read receipts) and fills the caches
            status = get().status_code
        if status != page.status:
            raise SystemExit(
                f"{page.name}: answered {status}, expected {page.status} (are the static files collected?)"
            )
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            get()
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            get()
        print(
            f"{page.name:<46} median {statistics.median(times):6.1f} ms, fastest {min(times):6.1f} ms, "
            f"{len(queries)} queries"
        )
        if args.queries:
            for query in queries.captured_queries:
                print(f"   {query['time']}  {query['sql'][:300]}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                get()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", 40)))


if __name__ == "__main__":
    main()
