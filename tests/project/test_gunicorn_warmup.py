"""gunicorn's master warms the app up before it forks (gunicorn.conf.py's when_ready), so that a new
worker, at start and whenever one is replaced, answers its first requests as fast as its later
ones: measured on the benchmark's pages, a fresh worker took up to eight times as long over its
first request of a page, and the requests queued behind it waited too (the p99 spikes)."""

import gc
import runpy
from pathlib import Path

from django.template.autoreload import reset_loaders
from django.template.loader import get_template
from django.template.loaders import filesystem

ROOT = Path(__file__).resolve().parents[2]


def _when_ready():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["when_ready"]


def test_the_master_compiles_the_page_templates_before_the_workers_fork(monkeypatch):
    reset_loaders()
    try:
        # Without the database: a connection opened here would be shared by every worker
        # (pytest-django refuses database access in this test).
        _when_ready()(None)
    finally:
        gc.unfreeze()

    def read_from_disk(self, origin):
        raise AssertionError(f"{origin.template_name} was compiled after the fork")

    monkeypatch.setattr(filesystem.Loader, "get_contents", read_from_disk)
    for name in (
        "base.html",
        "customers/customer_list.html",
        "insights/dashboard.html",
        "reports/edit.html",
        "reviews/review.html",
    ):
        get_template(name)


def test_what_the_master_loaded_is_kept_out_of_the_workers_garbage_collections():
    try:
        _when_ready()(None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
