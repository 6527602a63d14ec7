"""Two-factor login: enrolling an authenticator app, backup codes, the admins' policy, and whether
a signed-in person still has to answer for a code. Also password reset requests: throttled, and
sent through their outbox row by a worker.

Whether someone has two-factor login on, and the policy, are read on every request, so both are
kept in the cache (cleared when they change, and refreshed at every login). When the cache server
is down the database answers instead: a Redis outage never locks anyone out or lets anyone by.
"""

import base64
import datetime
import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from security.models import PasswordResetRequest, TwoFactorPolicy
from teams import access
from teams.models import User

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
CACHE_SECONDS = 60  # other processes' caches (no Redis) catch up within this
POLICY_KEY = "security:two-factor-policy"
POLICY_FIELDS = ["is_required_for_admins", "is_required_for_managers"]
# Set by a single sign-on through a provider the admins trust to ask for a second factor itself:
# this session is not asked for (or made to set up) one here again.
PROVIDER_MFA_SESSION_KEY = "security:mfa-by-provider"


def _device_key(user_id: int) -> str:
    return f"security:two-factor-device:{user_id}"


@dataclass(frozen=True)
class TwoFactorStatus:
    is_enabled: bool  # the person has a confirmed authenticator
    is_required: bool  # the admins' policy asks it of them


# Reading ----------------------------------------------------------------------------------------


def get_policy() -> TwoFactorPolicy:
    """The policy (not saved until an admin first changes it: nobody is required by default)."""
    return TwoFactorPolicy.objects.filter(pk=1).first() or TwoFactorPolicy(pk=1)


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # the cache server is down: the database answers
        return {}


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:  # nosec B110 # a cache that cannot be written only costs a query next time
        pass


def _forget(*keys: str) -> None:
    def delete() -> None:
        try:
            cache.delete_many(list(keys))
        except Exception:  # nosec B110 # entries expire by themselves after CACHE_SECONDS
            pass

    transaction.on_commit(delete)


def status_for(user: User, *, fresh: bool = False) -> TwoFactorStatus:
    """Whether the person has two-factor login and whether the policy requires it of them.

    From the cache unless `fresh`; never more than two queries.
    """
    cached = {} if fresh else _cache_get_many([POLICY_KEY, _device_key(user.pk)])
    flags = cached.get(POLICY_KEY)
    if flags is None:
        policy = get_policy()
        flags = (policy.is_required_for_admins, policy.is_required_for_managers)
        _cache_set(POLICY_KEY, flags)
    enabled = cached.get(_device_key(user.pk))
    if enabled is None:
        enabled = has_two_factor(user)
        _cache_set(_device_key(user.pk), enabled)
    required = access.two_factor_required(user, for_admins=flags[0], for_managers=flags[1])
    return TwoFactorStatus(is_enabled=enabled, is_required=required)


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def manual_key(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app: base32 in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


# Changing ---------------------------------------------------------------------------------------


def pending_authenticator(*, user: User) -> TOTPDevice:
    """The not yet confirmed authenticator whose secret the setup page shows; it counts for nothing
    until a code from it is entered. Reused while the person is setting up."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_authenticator(*, device: TOTPDevice, token: str) -> list[str]:
    """Turn two-factor login on once the app shows the right code; returns fresh backup codes.

    Raises ValidationError when the code is wrong (or too many wrong codes came too fast).
    """
    if device.confirmed or not device.verify_token(_clean(token)):
        raise ValidationError(_("That code is not right. Check the time on your phone and try the newest code."))
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=user, action=AuditEntry.Action.UPDATED, target=user, note="two-factor login turned on")
    _forget(_device_key(user.pk))
    return _replace_backup_codes(user)


@transaction.atomic
def new_backup_codes(*, user: User) -> list[str]:
    """Replace the person's backup codes (the old ones stop working). Raises ValidationError when
    two-factor login is off."""
    if not has_two_factor(user):
        raise ValidationError(_("Turn on two-factor login first."))
    record(actor=user, action=AuditEntry.Action.UPDATED, target=user, note="new two-factor backup codes")
    return _replace_backup_codes(user)


def _replace_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, user: User, token: str) -> Device | None:
    """The person's confirmed device that accepts the code (an authenticator code, or a backup code,
    which is then used up); None when none does. Each wrong code doubles the wait before the device
    accepts the next one (django-otp's throttling), so codes cannot be guessed."""
    token = _clean(token)
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def turn_off(*, user: User, actor: User) -> None:
    """Remove the person's authenticator and backup codes.

    People may turn off their own unless the policy requires it of them; an admin may always reset
    someone's (a lost phone), and the policy then asks them to set it up again at their next login.
    Raises ValidationError otherwise.
    """
    if actor.pk == user.pk and status_for(user, fresh=True).is_required:
        raise ValidationError(_("Two-factor login is required for your role, so it cannot be turned off."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    if removed:
        note = "two-factor login turned off" if actor.pk == user.pk else "two-factor login reset by an admin"
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=user, note=note)
    _forget(_device_key(user.pk))


@transaction.atomic
def set_policy(*, actor: User, is_required_for_admins: bool, is_required_for_managers: bool) -> TwoFactorPolicy:
    """Change who must use two-factor login; recorded in the audit trail."""
    policy = TwoFactorPolicy.objects.select_for_update().filter(pk=1).first() or TwoFactorPolicy(pk=1)
    before = snapshot(policy, POLICY_FIELDS)
    policy.is_required_for_admins = is_required_for_admins
    policy.is_required_for_managers = is_required_for_managers
    policy.updated_by = actor
    policy.save()
    changes = diff(policy, before, POLICY_FIELDS)
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=policy, changes=changes)
    _forget(POLICY_KEY)
    return policy


def remember_at_login(user: User) -> None:
    """Refresh the cached status when someone logs in, so a new session never starts from a stale
    answer (and their first page costs no extra query)."""
    status_for(user, fresh=True)


def _clean(token: str) -> str:
    """ "123 456" → "123456"; backup codes are lower case, whatever was typed."""
    return "".join((token or "").split())[:16].lower()


# Password reset ---------------------------------------------------------------------------------

RESET_WINDOW = datetime.timedelta(hours=1)
# A claim older than this belongs to a worker that died mid-send; a request older than this is not
# sent any more (whoever asked has asked again or given up).
RESET_CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
RESET_SEND_WITHIN = datetime.timedelta(hours=1)
RESET_MAX_ATTEMPTS = 5


@transaction.atomic
def request_password_reset(*, email: str, ip_address: str | None) -> PasswordResetRequest:
    """Record a request for a reset link and queue its email after commit.

    Does the same whether or not an account uses the address. Raises ValidationError when the
    address, or the client address, has asked PASSWORD_RESET_PER_ADDRESS (or _PER_IP) times
    within the last hour.
    """
    email = email.strip().lower()
    since = timezone.now() - RESET_WINDOW
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    if recent.filter(email=email).count() >= settings.PASSWORD_RESET_PER_ADDRESS:
        raise ValidationError(
            {
                "email": _(
                    "Too many reset links were asked for this address. Use the newest one, or try again in an hour."
                )
            }
        )
    if ip_address and recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_PER_IP:
        raise ValidationError(_("Too many reset links were asked from your network. Try again in an hour."))
    reset = PasswordResetRequest.objects.create(email=email, ip_address=ip_address)
    transaction.on_commit(lambda: _queue_reset(reset.pk))
    return reset


def _queue_reset(request_id: int) -> None:
    """Hand the email to a worker; with the broker down the row stays pending for the sweep."""
    from security import tasks

    try:
        tasks.send_password_reset.delay(request_id)
    except Exception:
        logger.warning("Could not queue password reset %s; the sweep will send it", request_id)


def _claim_reset(request_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=PasswordResetRequest.Status.PENDING) | Q(
        status=PasswordResetRequest.Status.SENDING, claimed_at__lt=now - RESET_CLAIM_TIMEOUT
    )
    return bool(
        PasswordResetRequest.objects.filter(claimable, pk=request_id, created_at__gte=now - RESET_SEND_WITHIN).update(
            status=PasswordResetRequest.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def deliver_password_reset(*, request_id: int) -> bool:
    """Email the reset link to the accounts that use the request's address (active, with a
    password), each in their own language; records the outcome on the row. Returns True when
    something was sent. Claims the row first, so it is sent once however often this runs; an
    SMTP failure puts it back for a retry and re-raises."""
    if not _claim_reset(request_id):
        return False
    reset = PasswordResetRequest.objects.get(pk=request_id)
    form = PasswordResetForm()
    people = list(form.get_users(reset.email))
    site = urlsplit(settings.SITE_URL)
    try:
        for person in people:
            with translation.override(person.language):
                context = {
                    "email": person.email,
                    "domain": site.netloc,
                    "site_name": site.netloc,
                    "uid": urlsafe_base64_encode(force_bytes(person.pk)),
                    "user": person,
                    "token": default_token_generator.make_token(person),
                    "protocol": site.scheme or "https",
                }
                form.send_mail(
                    "registration/password_reset_subject.txt",
                    "registration/password_reset_email.html",
                    context,
                    None,
                    person.email,
                )
    except (smtplib.SMTPException, OSError):
        failed = reset.attempts >= RESET_MAX_ATTEMPTS
        status = PasswordResetRequest.Status.FAILED if failed else PasswordResetRequest.Status.PENDING
        PasswordResetRequest.objects.filter(pk=reset.pk).update(status=status, claimed_at=None)
        raise
    status = PasswordResetRequest.Status.SENT if people else PasswordResetRequest.Status.NO_ACCOUNT
    PasswordResetRequest.objects.filter(pk=reset.pk).update(status=status)
    return bool(people)


def retry_pending_password_resets() -> int:
    """Send the reset emails of the last hour whose task never reached a worker, or whose worker
    died mid-send. Returns how many were sent."""
    now = timezone.now()
    due = PasswordResetRequest.objects.filter(
        Q(status=PasswordResetRequest.Status.PENDING)
        | Q(status=PasswordResetRequest.Status.SENDING, claimed_at__lt=now - RESET_CLAIM_TIMEOUT),
        created_at__gte=now - RESET_SEND_WITHIN,
    ).order_by("created_at")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:200]):
        try:
            sent += deliver_password_reset(request_id=pk)
        except (smtplib.SMTPException, OSError):
            continue  # back to pending; the next sweep tries again
    return sent
