"""Who a login attempt is for, and where it comes from: the keys of the login lockout.

django-axes counts failed logins per (account, client address) and locks that pair after
AXES_FAILURE_LIMIT failures for AXES_COOLOFF_TIME, measured from the failure that caused the lock
(failures during a lock do not extend it). See docs/login-security.md for why.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from teams.backends import find_account


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a login attempt is for: its username however it was typed (another case, or
    the email address); for a login that names no account, the typed text in one case."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username", "")
    account = find_account(typed)
    if account is not None:
        return account.get_username()
    return " ".join(str(typed).split()).casefold()


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client: the socket's peer, or behind the TLS proxy (BEHIND_TLS_PROXY)
    the address the proxy appended last to X-Forwarded-For. Anything to its left was sent by the
    client and proves nothing, and without the setting the header is not trusted at all."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
