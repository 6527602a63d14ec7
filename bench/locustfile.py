"""The load test's mix of people (locust; `make load` runs it headless against gunicorn).

Salespeople log their visits and calls on the Today page and write this week's report: they open
the form, autosave as they type, look at their reports and, now and then, submit. Managers work
through the review queue: open reports, comment, give feedback. Directors read dashboards and the
comparison of teams. The people and their
sessions come from bench/load_users.py; every request is a page or action of the app, the way a
browser sends it (forms read from the page, the CSRF token in cookie and header).

At the end prints throughput, p50/p95/p99 and failures, and writes them to bench/results/.
"""

import datetime
import html
import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

RESULTS = Path(__file__).resolve().parent / "results"
PEOPLE = json.loads((RESULTS / "load-users.json").read_text())
_turns = {kind: itertools.count() for kind in ("salespeople", "managers", "directors")}
THINK = between(float(os.environ.get("LOAD_WAIT_MIN", 1)), float(os.environ.get("LOAD_WAIT_MAX", 3)))


class FormReader(HTMLParser):
    """The named fields of one form of a page, with their values, as a browser would send them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields, self._textarea, self._select = form_id, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if self.inside and tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        if not self.inside or "name" not in attrs:
            return
        name = attrs["name"]
        if tag == "input" and attrs.get("type") in ("radio", "checkbox"):
            if "checked" in attrs:
                self.fields[name] = attrs.get("value", "on")
        elif tag == "input":
            self.fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None
        if tag == "form" and self.inside:
            self.inside = False


def form_fields(html: str, form_id: str) -> dict:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.fields


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    kind = ""

    def on_start(self):
        pool = PEOPLE[self.kind]
        self.me = pool[next(_turns[self.kind]) % len(pool)]
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", PEOPLE["csrf"])
        self.client.headers["X-CSRFToken"] = PEOPLE["csrf"]

    def page(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def post(self, url: str, name: str, data: dict, ok=(200, 302), headers=None):
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True, headers=headers
        ) as response:
            if response.status_code not in ok:
                response.failure(f"{response.status_code}")
            return response


class Salesperson(Person):
    weight = 30
    kind = "salespeople"

    def on_start(self):
        super().on_start()
        self.report, self.fields, self.form_html, self.submitted = self.me["report"], None, "", False

    def open_form(self):
        response = self.page(f"/reports/{self.report}/edit/", "this week's report form")
        if response.status_code == 200:
            self.fields, self.form_html = form_fields(response.text, "report-form"), response.text

    # Once the report is in, the person mostly goes back to work: only "my reports" and the
    # report itself, at their own weights, ask anything of the server.
    @task(3)
    def form(self):
        if not self.submitted:
            self.open_form()

    @task(8)
    def autosave(self):
        if self.submitted:
            return
        if self.fields is None:
            self.open_form()
        data = dict(self.fields)
        data["summary"] = (data.get("summary") or "") + random.choice(["拜访客户。", "跟进报价。", "电话沟通。"])
        data["summary"] = data["summary"][-2000:]
        for name in data:
            if name.startswith("kpi_"):
                data[name] = str(random.randint(1, 50))
        response = self.post(f"/reports/{self.report}/autosave/", "autosave", data)
        version = re.search(r'name="base_version" id="id_base_version" value="(\d+)"', response.text or "")
        if version:
            self.fields = {**data, "base_version": version.group(1)}
        else:  # a conflict or an invalid field: start again from the page, as the browser would
            self.fields = None

    @task(1)
    def submit(self):
        if self.submitted:
            return
        self.open_form()  # the page as it is now, radios and all
        data = dict(self.fields or {})
        data["summary"] = data.get("summary") or "本周拜访三家客户。"
        for name in list(data):
            if name.startswith("kpi_"):
                data[name] = str(random.randint(1, 50))
        for name in re.findall(r'name="(plan_review_\d+)"', self.form_html or ""):
            data[name] = "done"
        data["plan-0-item"] = data.get("plan-0-item") or "跟进华为报价"
        response = self.post(f"/reports/{self.report}/submit/", "submit", data)
        self.submitted = response.status_code == 302
        if not self.submitted:
            self.fields = None

    @task(3)
    def sales_log(self):
        """Between visits: the Today page, and a line logged on it (htmx, as the browser sends it)."""
        response = self.page("/log/", "sales log, today")
        customers = re.findall(r'<datalist id="own-customers">(.*?)</datalist>', response.text or "", re.S)
        names = re.findall(r'<option value="([^"]+)">', customers[0]) if customers else []
        fields = form_fields(response.text or "", "entry-form")
        if not names or not fields:
            return
        data = {
            **fields,
            "customer": html.unescape(random.choice(names)),
            "kind": random.choice(["visit", "call", "call", "message"]),
            "outcome": random.choice(["确认需求", "约下周拜访", "沟通报价细节"]),
        }
        self.post("/log/activities/", "log an activity", data, headers={"HX-Request": "true"})

    @task(2)
    def my_reports(self):
        self.page("/reports/", "my reports")

    @task(1)
    def a_report(self):
        self.page(f"/reports/{self.report}/", "report detail")


class Manager(Person):
    weight = 12
    kind = "managers"

    @task(3)
    def queue(self):
        response = self.page(f"/reviews/?week={PEOPLE['week']}", "review queue")
        self.waiting = [int(pk) for pk in re.findall(r'href="/reviews/(\d+)/"', response.text or "")]
        if not self.waiting:
            last_week = datetime.date.fromisoformat(PEOPLE["week"]) - datetime.timedelta(days=7)
            response = self.page(f"/reviews/?week={last_week}", "review queue")
            self.waiting = [int(pk) for pk in re.findall(r'href="/reviews/(\d+)/"', response.text or "")]

    @task(4)
    def review(self):
        pk = self._next()
        if pk is None:
            return self.queue()
        response = self.page(f"/reviews/{pk}/", "review page")
        if response.status_code != 200:
            return
        # The browser then loads the page's two fragments with htmx.
        fragment = {"HX-Request": "true"}
        self.page(f"/reports/{pk}/thread/?next=/reviews/{pk}/", "review page: thread (htmx)", headers=fragment)
        self.page(f"/reviews/{pk}/side/", "review page: side panel (htmx)", headers=fragment)
        roll = random.random()
        if roll < 0.3:
            self.post(
                f"/reports/{pk}/comments/",
                "comment",
                {"body": random.choice(["请补充客户预算情况。", "做得好，继续跟进。"]), "next": f"/reviews/{pk}/"},
            )
        elif roll < 0.6:
            self.post(f"/reviews/{pk}/reviewed/", "mark reviewed", {"praise": "本周拜访量达标。", "goals": "签下华为"})
            self.waiting.remove(pk)

    @task(1)
    def dashboard(self):
        self.page(f"/teams/{self.me['team']}/dashboard/?period=month", "team dashboard, a month")

    def _next(self):
        waiting = getattr(self, "waiting", None)
        return random.choice(waiting) if waiting else None


class Director(Person):
    weight = 8
    kind = "directors"

    @task(3)
    def dashboard(self):
        team = random.choice(self.me["teams"])
        self.page(f"/teams/{team}/dashboard/?period=quarter", "team dashboard, a quarter")

    @task(2)
    def compare(self):
        self.page(f"/teams/{self.me['team']}/compare/?period=month", "director comparison, a month")

    @task(1)
    def overview(self):
        self.page("/reviews/overview/", "reviews overview")


@events.quitting.add_listener
def summary(environment, **kwargs):
    stats = environment.stats
    total = stats.total
    duration = max((total.last_request_timestamp or 0) - (total.start_time or 0), 1e-9)
    rows = []
    print(f"\n{'request':<32} {'count':>6} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for entry in [*sorted(stats.entries.values(), key=lambda e: e.name), total]:
        row = {
            "name": entry.name,
            "count": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }
        rows.append(row)
        print(
            f"{row['name'][:32]:<32} {row['count']:>6} {row['failures']:>5} "
            f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['p99_ms']:>7.0f}"
        )
    throughput = total.num_requests / duration
    print(f"\n{total.num_requests} requests in {duration:.0f} s: {throughput:.1f} requests/s", end=", ")
    print(f"{total.num_failures} failed")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"load-{stamp}.json").write_text(
        json.dumps(
            {
                "users": getattr(environment.parsed_options, "num_users", None),
                "seconds": duration,
                "requests_per_second": throughput,
                "rows": rows,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    if total.num_failures:
        environment.process_exit_code = 1
