"""`make scale-check`: the app scaled out on one machine, exercised, and counted.

Runs 2 gunicorn web processes, 2 Celery workers and 1 beat on one PostgreSQL and one Redis on
loopback, in a database of its own (SCALE_DATABASE, default salesreports_scale, dropped and made
again) and the Redis database REDIS_URL names (emptied first: give it one of its own). Then:

1. a bounded load across both web processes: the demo's people, with sessions in the database,
   each open their pages, alternating between the two servers, and comment on reports (which
   notifies, and so emails, the people concerned);
2. a reminder tick at a moment when reminders are due, started twice at once (a doubled beat), whose
   emails both workers send;
3. a batch of PDFs, which both workers render.

Then it counts: every request answered, every reminder claimed once and delivered, every email
wanted sent exactly once (the outbox files against the notifications), every PDF rendered once
(one file each), both web processes and both workers used, beat still running. Exits non-zero
naming what failed. Logs stay in the printed folder.
"""

import datetime
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PDFS = int(os.environ.get("SCALE_PDFS", "12"))
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "3"))
TIMEOUT = int(os.environ.get("SCALE_TIMEOUT", "240"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure() -> dict[str, str]:
    """The environment every process of the check shares; also applied to this one."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("Set DATABASE_URL=postgres://… and REDIS_URL=redis://…/N (a Redis database of its own).")
    name = os.environ.get("SCALE_DATABASE", "salesreports_scale")
    url = urllib.parse.urlsplit(database_url)
    var = Path(tempfile.mkdtemp(prefix="scale-check-"))
    env = {
        "DATABASE_URL": urllib.parse.urlunsplit(url._replace(path="/" + name)),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "EMAIL_URL": "",  # the file outbox under VAR_DIR/mail, which this check counts
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "60",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "salesreports.settings",
    }
    os.environ.update(env)
    return env


def recreate_database(env: dict[str, str]) -> None:
    import psycopg2

    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres",
        user=url.username or None,
        password=url.password or None,
        host=url.hostname,
        port=url.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


class Stack:
    """The processes of the check, each with its log file."""

    def __init__(self, env: dict[str, str]):
        self.env, self.var = env, Path(env["VAR_DIR"])
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports: list[int] = []

    def start(self, name: str, *args: str, **extra: str) -> None:
        log = open(self.var / f"{name}.log", "w")  # noqa: SIM115 # open for the process's lifetime
        self.processes[name] = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, **extra}, stdout=log, stderr=subprocess.STDOUT
        )

    def up(self) -> None:
        for i in (1, 2):
            port = free_port()
            self.ports.append(port)
            self.start(
                f"web{i}",
                PY, "-m", "gunicorn", "salesreports.wsgi", "--config", "gunicorn.conf.py",
                f"--control-socket={self.var / f'web{i}.ctl'}",
                WEB_CONCURRENCY="2", GUNICORN_BIND=f"127.0.0.1:{port}",
            )  # fmt: skip
        for i in (1, 2):
            self.start(
                f"worker{i}",
                PY, "-m", "celery", "-A", "salesreports", "worker", "-Q", "celery,pdf", "-n", f"scale{i}@%h",
                "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            )  # fmt: skip
        self.start(
            "beat", PY, "-m", "celery", "-A", "salesreports", "beat", "--loglevel=INFO",
            f"--schedule={self.var / 'beat-schedule'}",
        )  # fmt: skip
        deadline = time.monotonic() + 180  # a loaded 2-core machine boots slowly
        for port in self.ports:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # nosec B310 # loopback
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"gunicorn on port {port} did not start: see {self.var}") from None
                    time.sleep(0.3)

    def down(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def log(self, name: str) -> str:
        return (self.var / f"{name}.log").read_text(errors="replace")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


# 1. Load ---------------------------------------------------------------------------------------


def sessions() -> list[dict]:
    """Every demo person with a logged-in session (logins, slow on purpose, are not the point)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from reports.models import WeeklyReport
    from teams.models import User

    people = []
    for user in User.objects.filter(is_active=True).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        own = WeeklyReport.objects.filter(author=user).exclude(status=WeeklyReport.Status.DRAFT).first()
        pages = [reverse("home"), reverse("reports:my"), reverse("notifications:inbox")]
        if own:
            pages.append(reverse("reports:detail", args=[own.pk]))
        people.append(
            {
                "session": session.session_key,
                "pages": pages,
                "comment_on": reverse("reviews:comment_add", args=[own.pk]) if own else None,
            }
        )
    return people


def drive_load(ports: list[int], people: list[dict]) -> dict:
    """Each person in a thread: ROUNDS of their pages, one request to one server, the next to the
    other; one comment each on their own report. Returns counts by port and status."""
    from django.conf import settings

    counts: dict[str, int] = {}
    lock = threading.Lock()

    def note(key: str) -> None:
        with lock:
            counts[key] = counts.get(key, 0) + 1

    def person(i: int, who: dict) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        cookie = f"{settings.SESSION_COOKIE_NAME}={who['session']}"
        n = i
        for _ in range(ROUNDS):
            for page in who["pages"]:
                port = ports[n % 2]
                n += 1
                request = urllib.request.Request(f"http://127.0.0.1:{port}{page}", headers={"Cookie": cookie})
                try:
                    with opener.open(request, timeout=60) as response:  # nosec B310 # loopback
                        note(f"{port} {response.status}")
                        response.read()
                except urllib.error.HTTPError as exc:
                    note(f"{port} {exc.code}")
                    continue
                except OSError as exc:
                    note(f"{port} {type(exc).__name__}")
                    continue
        if who["comment_on"]:
            # The CSRF cookie the pages set (Django takes its unmasked value as the token), posted
            # to the other server.
            csrf = next((c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME), "")
            port = ports[n % 2]
            data = urllib.parse.urlencode({"body": "规模检查：收到，下周跟进。"}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{who['comment_on']}",
                data=data,
                headers={
                    "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
                    "X-CSRFToken": csrf,
                    "Referer": f"http://127.0.0.1:{port}/",
                },
            )
            try:
                with opener.open(request, timeout=60) as response:  # nosec B310 # loopback
                    note(f"{port} {response.status} comment")
            except urllib.error.HTTPError as exc:
                note(f"{port} {exc.code} comment")

    threads = [threading.Thread(target=person, args=(i, who)) for i, who in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


# 2. Reminders ----------------------------------------------------------------------------------


def a_moment_with_reminders_due() -> tuple[datetime.datetime, int]:
    """The first moment in the next two weeks (on the hour plus five minutes, when the tick after
    a deadline reminder runs) at which the most reminders are due; and how many."""
    from django.utils import timezone

    from reminders.services import due_reminders

    start = timezone.now().replace(minute=5, second=0, microsecond=0)
    best = (start, 0)
    for hours in range(1, 14 * 24):
        moment = start + datetime.timedelta(hours=hours)
        due = len(due_reminders(moment))
        if due > best[1]:
            best = (moment, due)
        if due >= 10:
            break
    return best


def tick_twice(moment: datetime.datetime) -> None:
    """Two ticks for the same moment at once, as two beats would start them."""
    script = (
        "import datetime; from reminders.services import run_tick; "
        f"run_tick(now=datetime.datetime.fromisoformat({moment.isoformat()!r}))"
    )
    ticks = [subprocess.Popen([PY, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT) for _ in range(2)]
    for tick in ticks:
        if tick.wait(timeout=120) != 0:
            raise SystemExit("a reminder tick failed")


# 3. PDFs ---------------------------------------------------------------------------------------


def request_pdfs() -> list[int]:
    from reports.models import WeeklyReport
    from summaries import services
    from summaries.models import Document

    reports = WeeklyReport.objects.exclude(status=WeeklyReport.Status.DRAFT).select_related("author")[:PDFS]
    return [
        services.request_document(kind=Document.Kind.REPORT, report=r, requested_by=r.author, language="zh-hans").pk
        for r in reports
    ]


# Counting --------------------------------------------------------------------------------------


def outbox(var: Path) -> int:
    """Messages in the file outbox: Django's file backend ends each with a line of 79 dashes."""
    folder = var / "mail"
    return (
        sum(f.read_text(errors="replace").count("\n" + "-" * 79 + "\n") for f in folder.glob("*"))
        if folder.exists()
        else 0
    )


def wait_until_settled(job_ids: list[int]) -> None:
    from notifications.models import Notification
    from summaries.models import Document

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        unsent = Notification.objects.filter(
            email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING]
        ).count()
        rendering = Document.objects.filter(pk__in=job_ids).exclude(status__in=["done", "failed"]).count()
        if not unsent and not rendering:
            return
        time.sleep(1)


def main() -> int:
    env = configure()
    print(f"== scale check in {env['VAR_DIR']} (database {env['DATABASE_URL'].rsplit('/', 1)[1]})")
    recreate_database(env)
    subprocess.run(
        [PY, "-m", "celery", "-A", "salesreports", "purge", "-f", "-Q", "celery,pdf"], cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    manage("migrate", "--noinput")
    manage("seed_demo")

    import django

    django.setup()
    from django.db import connection

    from notifications.models import Notification
    from reminders.models import Reminder
    from summaries.models import Document

    stack = Stack(env)
    failures: list[str] = []
    try:
        stack.up()
        print(f"== up: web on ports {stack.ports}, 2 workers, beat")
        people = sessions()
        started = time.monotonic()
        counts = drive_load(stack.ports, people)
        print(f"== load: {sum(counts.values())} requests in {time.monotonic() - started:.1f} s: {counts}")
        for port in stack.ports:
            if not any(k.startswith(f"{port} 2") for k in counts):
                failures.append(f"web on port {port} answered nothing")
        bad = {k: v for k, v in counts.items() if not re.match(r"\d+ [23]\d\d", k)}
        if bad:
            failures.append(f"requests failed: {bad}")

        moment, due = a_moment_with_reminders_due()
        print(f"== reminders: {due} due at {moment.isoformat()}; two ticks at once")
        tick_twice(moment)
        job_ids = request_pdfs()
        print(f"== PDFs: {len(job_ids)} requested")
        connection.close()
        wait_until_settled(job_ids)

        reminders = Reminder.objects.count()
        reminders_sent = Reminder.objects.filter(status=Reminder.Status.SENT).count()
        emails_sent = Notification.objects.filter(email_status=Notification.EmailStatus.SENT).count()
        emails_waiting = Notification.objects.exclude(
            email_status__in=[Notification.EmailStatus.SENT, Notification.EmailStatus.NOT_WANTED]
        ).count()
        in_outbox = outbox(stack.var)
        done = Document.objects.filter(pk__in=job_ids, status="done").count()
        pdf_files = [p for p in (stack.var / "media").rglob("*.pdf")]
        renders = {
            name: len(re.findall(r"summaries\.tasks\.render_document\[[^\]]+\] succeeded", stack.log(name)))
            for name in ("worker1", "worker2")
        }
        emails_by_worker = {
            name: len(re.findall(r"notifications\.tasks\.\w+\[[^\]]+\] succeeded", stack.log(name)))
            for name in ("worker1", "worker2")
        }
        print(
            json.dumps(
                {
                    "reminders due": due,
                    "reminders claimed": reminders,
                    "reminders sent": reminders_sent,
                    "emails sent (notifications)": emails_sent,
                    "emails not sent": emails_waiting,
                    "emails in the outbox": in_outbox,
                    "PDFs requested / done / files": [len(job_ids), done, len(pdf_files)],
                    "PDF tasks by worker": renders,
                    "email tasks by worker": emails_by_worker,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        if reminders != due or reminders_sent != due:
            failures.append(f"{due} reminders due, {reminders} claimed, {reminders_sent} sent")
        if due == 0:
            failures.append("no moment with reminders due was found: the tick was not exercised")
        if emails_waiting:
            failures.append(f"{emails_waiting} emails not sent (lost or stuck)")
        if in_outbox != emails_sent:
            failures.append(f"{in_outbox} emails in the outbox for {emails_sent} sent: some went twice or were lost")
        if emails_sent == 0:
            failures.append("no email was sent")
        if done != len(job_ids) or len(pdf_files) != len(job_ids):
            failures.append(f"{len(job_ids)} PDFs requested, {done} done, {len(pdf_files)} files")
        if not all(emails_by_worker[w] + renders[w] for w in emails_by_worker):
            failures.append(f"a worker did nothing: emails {emails_by_worker}, PDFs {renders}")
        for name, process in stack.processes.items():
            if process.poll() is not None:
                failures.append(f"{name} exited early ({process.returncode}); see {stack.var / name}.log")
    finally:
        stack.down()
    if failures:
        print("== FAILED\n- " + "\n- ".join(failures))
        return 1
    print("== OK: nothing delivered twice, nothing lost")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
