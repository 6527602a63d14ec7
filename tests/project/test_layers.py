"""The apps' floors (pyproject.toml's import contract) hold, and the demo data is no part of a
production install unless asked for."""

import subprocess
import sys
from pathlib import Path

from tests.project.test_settings import run_manage

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "reports.example.com"}


def test_every_app_imports_only_from_the_floors_below_it():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_seed_demo_exists_in_development_but_not_in_production_unless_asked():
    assert "seed_demo" in run_manage("help", "--commands").stdout
    assert "seed_demo" not in run_manage("help", "--commands", **PRODUCTION).stdout
    assert "seed_demo" in run_manage("help", "--commands", **PRODUCTION, DEMO_DATA="true").stdout
