"""Errors go to Sentry only when SENTRY_DSN is set: a stand-in Sentry server on loopback receives the
event; without the variable the SDK is not even switched on. Settings are read once per process, so
each case runs in a second one (about two seconds)."""

import gzip
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from django.conf import settings

PROBE = (
    "import sentry_sdk; client = sentry_sdk.get_client(); print('active' if client.is_active() else 'inactive'); "
    "sentry_sdk.capture_message('probe from the settings test'); sentry_sdk.flush(timeout=10)"
)


def run_probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()[-1]


@pytest.fixture
def sentry_server():
    """Records the bodies of the envelopes POSTed to it, as Sentry's ingest endpoint would."""
    received: list[bytes] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding", "")
            received.append(
                brotli.decompress(body) if encoding == "br" else gzip.decompress(body) if encoding else body
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def test_with_a_dsn_errors_reach_the_sentry_server(sentry_server):
    port, received = sentry_server
    assert run_probe(SENTRY_DSN=f"http://public@127.0.0.1:{port}/1") == "active"
    assert any(b"probe from the settings test" in body for body in received), received


def test_without_a_dsn_nothing_is_sent(sentry_server):
    _, received = sentry_server
    assert run_probe() == "inactive"
    assert received == []
