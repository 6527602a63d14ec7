"""Gunicorn settings for the web process (the Dockerfile, docker-compose and `make load` use them).

Each can be changed with an environment variable, so one image fits small and large machines:

- WEB_CONCURRENCY (default 2 × cores + 1): sync worker processes. Requests are short and mostly
  Python (templates, ORM) with some waiting on PostgreSQL, so a worker per core plus as many
  again to cover the waits; each worker holds about 100 MB and one database connection
  (persistent, CONN_MAX_AGE), so PostgreSQL's max_connections must exceed workers × web
  containers + Celery workers.
- GUNICORN_TIMEOUT (30 s): a request slower than this is killed. Nothing slow runs in a request:
  PDFs and exports go to Celery.
- GUNICORN_MAX_REQUESTS (2000, with jitter): a worker is replaced after that many requests, so
  memory that creeps up never piles up, and not all workers restart at once.
- GUNICORN_BIND (0.0.0.0:8000) and GUNICORN_KEEPALIVE (5 s, for a proxy in front that reuses
  connections).

The application is loaded and warmed up (when_ready, below) before the workers fork
(preload_app), so they share its memory and a new worker is as fast as an old one; no database
connection is opened at import or warm-up, so none is shared between processes.
"""

import multiprocessing
import os


def _setting(name: str, default):
    """The environment's value, or the default when unset or empty (as in a copied .env.example)."""
    return type(default)(os.environ.get(name) or default)


bind = _setting("GUNICORN_BIND", "0.0.0.0:8000")
workers = _setting("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _setting("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = _setting("GUNICORN_KEEPALIVE", 5)
max_requests = _setting("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
preload_app = True
# Heartbeat files on a RAM disk where there is one (Docker's /tmp may be an overlay on disk).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # nosec B108 # gunicorn's worker heartbeat files
accesslog = _setting("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Trust X-Forwarded-* only from the proxy in front (BEHIND_TLS_PROXY in the settings).
forwarded_allow_ips = _setting("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, once the app is loaded and before any worker forks: do what each worker
    would otherwise do on its first requests (import the views and the cache client, build the
    URL resolvers and load the translations for each language, compile every template of ours),
    so that a new worker, at start and each time one is replaced (max_requests), answers its first
    requests as fast as its later ones instead of taking seconds over them. Then freeze what is
    loaded so far out of the garbage collector's way: full collections in the workers scan only
    what requests create, and do not copy the shared memory."""
    import gc
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth import get_backends
    from django.core.cache import cache
    from django.db import connections
    from django.template import engines
    from django.urls import reverse
    from django.utils import translation

    get_backends()
    getattr(cache, "_cache", None)  # the client object (Redis: imports redis-py; connects on first use)
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            reverse("home")
    engine = engines["django"]
    engine.engine.template_context_processors  # noqa: B018 # imports them
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            engine.get_template(path.relative_to(directory).as_posix())
    connections.close_all()  # none may be shared with the workers
    gc.freeze()
