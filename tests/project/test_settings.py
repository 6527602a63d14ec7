"""Production mode: refuses to start without a secret key and passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests and rightly fails the deploy checks.
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ENV", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_settings_pass_the_deploy_checks_without_warnings():
    # One subprocess (about a second): settings are read once per process, so this cannot run in-process.
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="x7!kq-" + "a9Zr2mP4vL8sT1wY6uE3" * 3,
        ALLOWED_HOSTS="reports.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_need_no_environment():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr


def test_production_keeps_connections_templates_and_compressed_static_files():
    # One subprocess (about a second): production settings are read once per process.
    script = (
        "from django.conf import settings as s; from django.template import engines; "
        "db = s.DATABASES['default']; loader = engines['django'].engine.template_loaders[0]; "
        "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], s.STORAGES['staticfiles']['BACKEND'], "
        "type(getattr(loader, 'loaders', [loader])[0]).__module__, s.WHITENOISE_MAX_AGE)"
    )
    result = run_manage(
        "shell", "-c", script, DJANGO_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="reports.example.com"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "60",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.template.loaders.cached",
        "3600",
    ]


def test_gunicorn_takes_its_workers_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 2 and config["worker_class"] == "sync" and config["preload_app"]
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 2 * os.cpu_count() + 1
