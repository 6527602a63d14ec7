"""Starting a real Celery worker process for the tests that need one."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_worker(queues: str = "celery", **env: str) -> subprocess.Popen:
    """A solo worker on the project's broker (Redis when REDIS_URL is set, else the file broker),
    with the given environment on top of this process's."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salesreports",
            "worker",
            "-Q",
            queues,
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
