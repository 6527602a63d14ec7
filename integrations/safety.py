"""Outgoing URLs may not reach inside our own network (SSRF): only http(s), and no host that
resolves to a loopback, private, link-local, multicast or reserved address, unless the admins'
setting INTEGRATIONS_ALLOW_PRIVATE_URLS allows it (development, the tests' local receiver).
Checked when a URL is saved and again before each send, since DNS answers can change."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


def check_url(url: str) -> None:
    """Raise ValidationError unless `url` is http(s) and, unless allowed, every address its host
    resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Only http:// and https:// addresses can be used."))
    if settings.INTEGRATIONS_ALLOW_PRIVATE_URLS:
        return
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(_("The host %(host)s cannot be found.") % {"host": parts.hostname}) from exc
    if not all(_is_public(info[4][0]) for info in found):
        raise ValidationError(
            _("%(host)s points into a private network; only public addresses are allowed.") % {"host": parts.hostname}
        )
