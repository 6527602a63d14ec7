"""The LDAP / Active Directory client (pure-Python ldap3, no compiled OpenLDAP library).

A login is: bind as the service account (or anonymously), search for the person under the base
with the configured filter, then bind as the entry found with the password they typed. Optionally,
whether that entry is a member of the admins' group. Nothing here touches our database.
"""

import ssl
from dataclasses import dataclass

from django.conf import settings
from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars


class DirectoryUnavailable(Exception):
    """The directory cannot be reached, timed out, refused TLS or our service account."""


@dataclass(frozen=True)
class Person:
    dn: str
    attributes: dict[str, str]
    is_admin: bool | None  # None: no admins' group is configured


def _server() -> Server:
    # ldaps:// in the URI means TLS from the start; certificates are always checked (against the
    # system's CAs, or LDAP_CA_CERT_FILE for a company CA).
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.LDAP_CA_CERT_FILE or None)
    return Server(settings.LDAP_SERVER_URI, get_info=NONE, tls=tls, connect_timeout=settings.LDAP_TIMEOUT)


def _bind(server: Server, dn: str | None, password: str | None) -> tuple[Connection, bool]:
    """An open connection (StartTLS first when configured) and whether the bind succeeded."""
    connection = Connection(
        server,
        user=dn,
        password=password,
        auto_bind=False,
        auto_referrals=False,  # AD's referrals point at other hosts; the search base is enough
        read_only=True,
        receive_timeout=settings.LDAP_TIMEOUT,
    )
    try:
        connection.open()
        if settings.LDAP_START_TLS and not connection.start_tls():
            raise DirectoryUnavailable("StartTLS refused")
        return connection, connection.bind()
    except Exception:
        connection.unbind()
        raise


def _first(entry: dict, attribute: str) -> str:
    lowered = {name.lower(): values for name, values in entry.items()}
    values = lowered.get(attribute.lower()) or [""]
    return str(values[0] if isinstance(values, list) else values)


def authenticate(username: str, password: str, attributes: list[str]) -> Person | None:
    """The directory entry whose password this is, with the first value of each of `attributes`;
    None for a wrong password or someone the search does not find exactly once.
    Raises DirectoryUnavailable when the directory cannot answer."""
    if not username or not password:  # an empty password would be an "unauthenticated bind"
        return None
    service = None
    try:
        try:
            user_filter = settings.LDAP_USER_FILTER % {"user": escape_filter_chars(username)}
        except (KeyError, TypeError, ValueError) as exc:
            raise DirectoryUnavailable("LDAP_USER_FILTER needs one %(user)s") from exc
        server = _server()
        service, bound = _bind(server, settings.LDAP_BIND_DN or None, settings.LDAP_BIND_PASSWORD or None)
        if not bound:
            raise DirectoryUnavailable(f"service account bind refused: {service.result.get('description')}")
        if not service.search(
            settings.LDAP_USER_SEARCH_BASE, user_filter, SUBTREE, attributes=attributes, size_limit=2
        ) and service.result.get("description") not in ("success", "sizeLimitExceeded"):
            raise DirectoryUnavailable(f"search failed: {service.result.get('description')}")
        found = [entry for entry in service.response or [] if entry.get("type") == "searchResEntry"]
        if len(found) != 1:
            return None
        dn = found[0]["dn"]
        person, bound = _bind(server, dn, password)
        person.unbind()  # only the answer to the bind was wanted
        if not bound:
            return None
        is_admin = None
        if settings.LDAP_ADMIN_GROUP:
            member = escape_filter_chars(dn)
            service.search(
                settings.LDAP_ADMIN_GROUP, f"(|(member={member})(uniqueMember={member}))", BASE, attributes=["1.1"]
            )
            if service.result.get("description") != "success":
                # A misspelt or unreadable group must not quietly take the admins' rights away.
                raise DirectoryUnavailable(f"admins' group not readable: {service.result.get('description')}")
            is_admin = any(entry.get("type") == "searchResEntry" for entry in service.response or [])
        return Person(
            dn=dn,
            attributes={name: _first(found[0].get("attributes") or {}, name) for name in attributes},
            is_admin=is_admin,
        )
    except LDAPException as exc:  # refused connection, timeout, TLS failure, a broken answer
        raise DirectoryUnavailable(type(exc).__name__) from exc
    finally:
        if service is not None and not service.closed:
            service.unbind()
