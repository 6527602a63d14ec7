"""Real providers on loopback: a django-oauth-toolkit OpenID Connect provider in a subprocess,
a throwaway slapd, and stand-ins of DingTalk's, Feishu's and WeCom's documented HTTP APIs."""

import json
import os
import re
import socket
import subprocess  # nosec B404 # starts the test providers
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
OIDC_CLIENT = {"client_id": "sales-weekly-reports", "client_secret": "provider-test-secret-0123456789"}
CALLBACK = "/accounts/sso/oidc/callback/"
PROVIDER_PEOPLE = [
    {"username": "wang", "password": "wang-pass-2026", "email": "wang@example.com", "first_name": "王芳"},
    {"username": "ghost", "password": "ghost-pass-2026", "email": "ghost@example.com", "first_name": "Ghost"},
    {
        "username": "sly",
        "password": "sly-pass-2026",
        "email": "sly@example.com",
        "first_name": "Sly",
        "last_name": "unverified",
    },
]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Messages are asserted in English; a test that wants Chinese asks for it in its request."""
    settings.LANGUAGE_CODE = "en"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    """Wait for a started server (generous: on a busy 2-core machine migrating takes a while)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test OpenID Connect provider, started once per test run (migrating its own SQLite
    database and generating its signing key take about two seconds)."""
    port = free_port()
    root = tmp_path_factory.mktemp("provider")
    log = root / "provider.log"
    setup = {
        **OIDC_CLIENT,
        "people": PROVIDER_PEOPLE,
        "redirect_uris": [
            f"http://testserver{CALLBACK}",
            f"http://127.0.0.1{CALLBACK}",
            "http://testserver/accounts/login/",
            "http://127.0.0.1/accounts/login/",
        ],
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
        "PROVIDER_DB": str(root / "provider.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    with log.open("w") as output:  # a file, not a pipe nobody reads, which would fill and block it
        process = subprocess.Popen(  # nosec B603 # our own interpreter and script
            [sys.executable, "-m", "tests.sso.provider.serve", str(port), json.dumps(setup)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/o"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc(oidc_provider, settings):
    """This site configured for the test provider; returns its issuer URL."""
    settings.SSO_OIDC_ISSUER = oidc_provider
    settings.SSO_OIDC_CLIENT_ID = OIDC_CLIENT["client_id"]
    settings.SSO_OIDC_CLIENT_SECRET = OIDC_CLIENT["client_secret"]
    settings.SSO_OIDC_NAME = "Keycloak"
    return oidc_provider


def log_in_at_provider(authorize_url: str, username: str, password: str) -> str:
    """Follow the provider's pages as a browser would (its login form, then the authorization);
    return where the provider sends the browser back to (our callback, with code and state)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (301, 302):
            url = urljoin(url, response.headers["Location"])
            if not url.startswith("http://127.0.0.1"):
                return url
            continue
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
        next_url = parse_qs(urlparse(url).query).get("next", [""])[0]
        response = browser.post(
            url,
            data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": next_url},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, "the provider refused the password"
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def sign_in_through_provider(client, username: str, password: str, next_url: str = ""):
    """Start at our login button, sign in at the provider, come back: the callback's response."""
    start = client.get("/accounts/sso/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    back = log_in_at_provider(start["Location"], username, password)
    assert back.startswith(f"http://testserver{CALLBACK}"), back
    return client.get(back.removeprefix("http://testserver"))


@pytest.fixture
def platforms(settings):
    """DingTalk, Feishu and WeCom configured, their APIs answered by local stand-ins."""
    from tests.sso import standins

    server, platforms = standins.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SSO_DINGTALK_CLIENT_ID, settings.SSO_DINGTALK_CLIENT_SECRET = "ding-app", "ding-secret"
    settings.SSO_FEISHU_APP_ID, settings.SSO_FEISHU_APP_SECRET = "cli_feishu", "feishu-secret"
    settings.SSO_WECOM_CORP_ID, settings.SSO_WECOM_AGENT_ID, settings.SSO_WECOM_SECRET = (
        "ww-corp",
        "1000002",
        "wecom-secret",
    )
    for name in ("DINGTALK", "FEISHU", "WECOM"):
        setattr(settings, f"SSO_{name}_LOGIN_URL", base)
        setattr(settings, f"SSO_{name}_API_URL", base)
    yield platforms
    server.shutdown()
    server.server_close()


SLAPD = Path("/usr/sbin/slapd")
LDAP_BASE = "dc=example,dc=com"
LDAP_ADMINS = f"cn=sales-admins,ou=groups,{LDAP_BASE}"
LDAP_PEOPLE = {
    # uid: (password, mail, employeeNumber, mobile, in the admins' group)
    "zhangwei": ("ldap-pass-1", "rep@example.com", "rep", "13800138000", False),
    "chief": ("ldap-pass-2", "boss@example.com", "admin", "13900139000", True),
    "stranger": ("ldap-pass-3", "stranger@example.com", "E999", "13700137000", False),
}


def _ldif() -> str:
    entries = [
        f"dn: {LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n",
        f"dn: ou=people,{LDAP_BASE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{LDAP_BASE}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid, (password, mail, number, mobile, _) in LDAP_PEOPLE.items():
        entries.append(
            f"dn: uid={uid},ou=people,{LDAP_BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
            f"mail: {mail}\nemployeeNumber: {number}\nmobile: {mobile}\nuserPassword: {password}\n"
        )
    admins = "".join(f"member: uid={uid},ou=people,{LDAP_BASE}\n" for uid, p in LDAP_PEOPLE.items() if p[4])
    entries.append(f"dn: {LDAP_ADMINS}\nobjectClass: groupOfNames\ncn: sales-admins\n{admins}")
    return "\n".join(entries)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """A throwaway OpenLDAP server (Debian's slapd) with three people and an admins' group."""
    if not SLAPD.exists():
        pytest.skip("slapd is missing (apt-get install slapd ldap-utils)")
    root = tmp_path_factory.mktemp("slapd")
    (root / "db").mkdir()
    config = root / "slapd.conf"
    config.write_text(
        "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        f"pidfile {root}/slapd.pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'database mdb\nsuffix "{LDAP_BASE}"\nrootdn "cn=admin,{LDAP_BASE}"\nrootpw admin-secret\n'
        f"directory {root}/db\nmaxsize 10485760\n"
    )
    (root / "people.ldif").write_text(_ldif())
    subprocess.run(  # nosec B603 # Debian's slapadd on our temp files
        ["/usr/sbin/slapadd", "-f", str(config), "-l", str(root / "people.ldif")], check=True, capture_output=True
    )
    port = free_port()
    log = root / "slapd.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # nosec B603 # Debian's slapd on loopback
            [str(SLAPD), "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield f"ldap://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def ldap_directory(slapd, settings):
    """This site logging people in against the throwaway slapd, its group mapped to admins."""
    settings.LDAP_SERVER_URI = slapd
    settings.LDAP_BIND_DN = f"cn=admin,{LDAP_BASE}"
    settings.LDAP_BIND_PASSWORD = "admin-secret"  # nosec B105 # the throwaway server's
    settings.LDAP_USER_SEARCH_BASE = f"ou=people,{LDAP_BASE}"
    settings.LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.LDAP_ADMIN_GROUP = LDAP_ADMINS
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "sso.backends.DirectoryBackend"]
    return slapd
