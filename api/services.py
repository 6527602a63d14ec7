"""Personal access tokens: creating one (shown once), checking one on each API request,
recording its last use without a write per request, and revoking it."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from audit.models import AuditEntry
from audit.services import record
from teams.models import User

TOKEN_START = "swr_"  # nosec B105 # the public prefix that marks our tokens, not a secret
PREFIX_LENGTH = len(TOKEN_START) + 8
LAST_USED_EVERY = datetime.timedelta(minutes=1)
LIFETIMES = (7, 30, 90, 365)  # days a token may live
MAX_TOKENS_PER_USER = 20


def hash_token(token: str) -> str:
    """SHA-256 is enough here: the token has 256 bits of randomness, nothing to guess."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown to its owner once and never stored


@transaction.atomic
def create_token(*, user: User, name: str, days: int, can_write: bool) -> NewToken:
    """Make a token for `user` that expires after `days` days.

    Raises ValidationError (by field) for an empty name, a lifetime not offered, or too many
    active tokens.
    """
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the system that uses it.")
    if days not in LIFETIMES:
        errors["days"] = _("Choose how long the token is valid.")
    if ApiToken.objects.filter(user=user).usable().count() >= MAX_TOKENS_PER_USER:
        errors["name"] = _("You have %(max)d active tokens; revoke one first.") % {"max": MAX_TOKENS_PER_USER}
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_token(secret),
        can_write=can_write,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record(actor=user, action=AuditEntry.Action.CREATED, target=token, changes={"name": [None, token.name]})
    return NewToken(token=token, secret=secret)


def token_for(secret: str) -> ApiToken | None:
    """The usable token (not revoked, not expired, its owner active) that `secret` is, or None.

    Looked up by its prefix and compared in constant time, so the answer time says nothing about
    how much of a guess was right."""
    if not secret.startswith(TOKEN_START) or len(secret) > 100:
        return None
    digest = hash_token(secret)
    candidates = ApiToken.objects.usable().filter(prefix=secret[:PREFIX_LENGTH]).select_related("user")
    for token in candidates:
        if hmac.compare_digest(token.key_hash, digest):
            return token
    return None


def record_use(token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Note that the token was used: written at most once a LAST_USED_EVERY per token."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(actor=by, action=AuditEntry.Action.UPDATED, target=token, changes={"revoked": [False, True]})
    return token
