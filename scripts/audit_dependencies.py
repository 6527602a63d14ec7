"""pip-audit over the hashed lock file, honest about what it could check.

pip-audit looks each pinned package up in an advisory service: PyPI's per-release JSON (which
carries known vulnerabilities) or OSV. Where neither answers (a mirror without per-release
pages, no route to OSV), pip-audit skips the package and still says "No known vulnerabilities
found". This script says instead how many packages were actually checked, and fails when

- any known vulnerability is found that is not listed in IGNORED below with a reason, or
- PIP_AUDIT_STRICT=1 and some package could not be checked.

Without PIP_AUDIT_STRICT it passes when nothing could be checked, printing that plainly.
"""

import json
import os
import subprocess  # nosec B404 # runs pip-audit, a fixed command
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements-dev.lock"
# Reviewed advisories that do not apply to us: {"VULN-ID": "why"}.
IGNORED: dict[str, str] = {}


def audit(service: str) -> dict | None:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(LOCK),
        "--require-hashes",
        "--disable-pip",
        "--no-deps",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--vulnerability-service",
        service,
        *[f"--ignore-vuln={vuln}" for vuln in IGNORED],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)  # nosec B603 # no user input
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit ({service}) gave no report: {last[:200]}")
        return None


def main() -> int:
    report, used = None, "no service"
    for service in ("pypi", "osv"):
        answer = audit(service)
        if answer is not None and (report is None or any("vulns" in dep for dep in answer["dependencies"])):
            report, used = answer, service
        if report and any("vulns" in dep for dep in report["dependencies"]):
            break
    dependencies = report["dependencies"] if report else []
    checked = [dep for dep in dependencies if "vulns" in dep]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    found = [(dep["name"], dep["version"], vuln["id"]) for dep in checked for vuln in dep["vulns"]]
    print(f"pip-audit: {len(checked)} of {len(dependencies)} locked packages checked against {used}.")
    for name, version, vuln in found:
        print(f"  VULNERABLE: {name} {version}: {vuln}")
    if not checked:
        print(
            "  NOT CHECKED: no advisory service answered from here (PyPI's per-release JSON and OSV are "
            "unreachable), so nothing is known either way. Run `make security-audit` where pypi.org or "
            "api.osv.dev answers; set PIP_AUDIT_STRICT=1 to fail instead."
        )
    elif skipped:
        print(f"  not checked: {', '.join(dep['name'] for dep in skipped)}")
    if found:
        return 1
    if skipped and os.environ.get("PIP_AUDIT_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
