"""`manage.py verify_restore`: counts and checksums of reports and their history, written before a
backup and compared after a restore; and the documented pg_dump / pg_restore round trip, for real."""

import json
import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports.models import WeeklyReport
from reviews.services import add_comment
from tests.project.test_settings import ROOT
from tests.reviews.test_pages import submitted


@pytest.fixture
def history(rep, lead, other_rep):
    report = submitted(rep)
    add_comment(report=report, author=lead, body="客户名单请补全 <script>alert(1)</script>")
    submitted(other_rep)
    return report


def test_the_manifest_of_an_unchanged_database_compares_equal(history, tmp_path, capsys):
    manifest = tmp_path / "manifest.json"
    call_command("verify_restore", write=str(manifest))
    out = capsys.readouterr().out
    assert "reports                    2" in out and "submitted 2" in out
    written = json.loads(manifest.read_text())
    assert written["tables"]["reports"]["count"] == 2 and written["tables"]["comments"]["count"] == 1
    call_command("verify_restore", compare=str(manifest))
    assert "OK: identical to the manifest." in capsys.readouterr().out


def test_a_changed_report_text_or_a_lost_revision_is_named(history, tmp_path, capsys):
    manifest = tmp_path / "manifest.json"
    call_command("verify_restore", write=str(manifest))
    WeeklyReport.objects.filter(pk=history.pk).update(summary=history.summary + " ")
    history.revisions.first().delete()
    with pytest.raises(CommandError, match="2 difference"):
        call_command("verify_restore", compare=str(manifest))
    err = capsys.readouterr().err
    assert "reports: expected 2 rows" in err and "report revisions: expected 2 rows" in err


def test_missing_attachment_files_are_reported(objects, tmp_path, capsys, settings):
    from reports.models import Attachment

    attachment = Attachment.objects.get(pk=objects["attachment"])
    os.remove(os.path.join(settings.MEDIA_ROOT, attachment.file.name))
    with pytest.raises(CommandError):
        call_command("verify_restore", check_files=True)
    assert f"attachment file missing: {attachment.file.name}" in capsys.readouterr().err


def _url_for(database: str) -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + database))


def _libpq_env() -> dict:
    s = connection.settings_dict
    env = {**os.environ, "PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432), "PGUSER": s["USER"]}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


@pytest.mark.faults
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the documented procedure is pg_dump/pg_restore")
@pytest.mark.skipif(
    shutil.which("pg_dump") is None, reason="pg_dump is not installed (apt-get install postgresql-client)"
)
def test_pg_dump_and_pg_restore_give_a_database_that_verifies(migration_data, history, tmp_path):
    # A real dump and restore into a second database, then the command against it: a few seconds.
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restore"
    env = _libpq_env()
    manifest, dump = tmp_path / "manifest.json", tmp_path / "backup.dump"
    call_command("verify_restore", write=str(manifest))
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], env=env, check=True, timeout=120)
    subprocess.run(["dropdb", "--if-exists", restored], env=env, check=True, timeout=60)
    subprocess.run(["createdb", restored], env=env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            env=env,
            check=True,
            timeout=120,
        )
        verify = [sys.executable, "manage.py", "verify_restore", "--compare", str(manifest)]
        run_env = {**env, "DATABASE_URL": _url_for(restored)}
        result = subprocess.run(verify, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "OK: identical to the manifest." in result.stdout

        # A restore that lost a comment is caught.
        subprocess.run(["psql", "-q", "-d", restored, "-c", "DELETE FROM reviews_comment"], env=env, check=True)
        result = subprocess.run(verify, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and "comments: expected 1 rows" in result.stderr
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=env, timeout=60)
