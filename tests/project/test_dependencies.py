"""The lock files pin exactly what requirements*.txt ask for, with a hash for every package."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s\\;]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {re.sub(r"\[.*\]", "", n).lower().replace("_", "-"): v for n, v in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("wanted", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_pins_what_the_requirements_ask_for(wanted, lock):
    asked = pins(ROOT / wanted)
    if wanted == "requirements-dev.txt":
        asked |= pins(ROOT / "requirements.txt")
    locked = pins(ROOT / lock)
    assert {name: locked.get(name) for name in asked} == asked, f"run `make lock` after editing {wanted}"


def test_every_locked_package_has_a_hash_and_both_locks_agree():
    runtime, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime
    for lock in ("requirements.lock", "requirements-dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
        unhashed = [e.split("==")[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
        assert unhashed == [], f"{lock}: {unhashed}"
