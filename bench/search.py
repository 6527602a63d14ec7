"""Search over the large demo (issue 22): the results page, in process, for the director of the
whole company, a manager, a salesperson and the admin, with a year of reports, feedback and
comments behind it. Prints the median and slowest of several runs and the page's query count,
each run with the kept results made stale (as after a change anywhere in the company).

    DATABASE_URL=postgres://…/bench_large .venv/bin/python bench/search.py

Needs the large demo (`make seed-large`, which indexes it) on PostgreSQL.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # the test client's host and the rendered context

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.subjects import LOGINS, require_large  # noqa: E402
from search import selectors  # noqa: E402
from teams.models import User  # noqa: E402

RUNS = 7
SEARCHES = [
    ("(the page, no query)", {}),
    ("a customer", {"q": "宁德时代"}),
    ("a customer this quarter", {"q": "宁德时代", "period": "quarter"}),
    ("two words (AND)", {"q": "华为 报价"}),
    ("inside a word", {"q": "德时"}),
    ("one character", {"q": "华"}),
    ("common words, page 50", {"q": "客户", "page": "50"}),
    ("nothing found", {"q": "不存在的客户名"}),
]


def measure(client: Client, params: dict) -> tuple[float, float, int, int]:
    timings = []
    for _ in range(RUNS):
        cache.delete(selectors.PUBLISHED)  # each run is the first after a change: nothing kept
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/search/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    page = response.context["page"]
    count = page.paginator.count if page else 0
    return statistics.median(timings[1:]), max(timings[1:]), len(captured), count


def main() -> None:
    require_large()
    director, manager = (User.objects.get(username=name) for name in LOGINS["large"])
    people = {
        "director (company)": director,
        "manager (25 people)": manager,
        "salesperson": User.objects.get(username="rep0001"),
        "admin": User.objects.get(username="admin"),
    }
    print(f"{'who':<22} {'search':<26} {'median ms':>9} {'max ms':>7} {'queries':>7} {'hits':>7}")
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        for name, params in SEARCHES:
            median, slowest, queries, hits = measure(client, params)
            print(f"{who:<22} {name:<26} {median:>9.0f} {slowest:>7.0f} {queries:>7} {hits:>7}")


if __name__ == "__main__":
    main()
