"""Linking sign-ins to members, unlinking, and the admins' single sign-on policy.

A sign-in never guesses: it finds the member by an identity linked before, or by the one attribute
the admins chose (verified email, employee id, mobile). Someone who matches nobody gets no account
unless admins turned on creation, and then one with no team and so no access. Every link, unlink
and refused sign-in that an admin should know of is in the audit trail.
"""

import re

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from sso.models import Identity, Provider, SsoPolicy
from sso.providers import Claims, browser_providers, ldap_configured
from teams.models import User

POLICY_FIELDS = [
    "match_by",
    "is_jit_enabled",
    "is_sso_required",
    "is_password_login_enabled",
    "mfa_providers",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_name",
]
LOCAL_PASSWORD_BACKENDS = {"teams.backends.EmailOrUsernameBackend"}


class SignInRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def get_policy() -> SsoPolicy:
    """The policy (not saved until an admin first changes it: match by verified email, no creation,
    passwords allowed)."""
    return SsoPolicy.objects.filter(pk=1).first() or SsoPolicy(pk=1)


def _policy_row() -> SsoPolicy:
    return SsoPolicy.objects.get_or_create(pk=1)[0]


def _refuse(message: str, *, note: str, target=None) -> SignInRefused:
    """Audit a refused sign-in (on the member concerned, else on the policy) and build the error."""
    record(actor=None, action=AuditEntry.Action.UPDATED, target=target or _policy_row(), note=note)
    return SignInRefused(message)


def record_provider_failure(*, provider: str, detail: str) -> None:
    """A provider was down or answered nonsense: admins see it in the audit trail."""
    record(actor=None, action=AuditEntry.Action.UPDATED, target=_policy_row(), note=f"{provider} failed: {detail}")


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    # +86 138… and 138… are the same mainland number.
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _candidates(claims: Claims, policy: SsoPolicy) -> list[User]:
    match policy.match_by:
        case SsoPolicy.MatchBy.EMAIL:
            if not claims.email:
                return []
            if not claims.email_verified:
                raise _refuse(
                    _("Your provider has not verified the email address %(email)s, so it cannot find your account.")
                    % {"email": claims.email},
                    note=f"{claims.provider} sign-in refused: unverified email {claims.email}",
                )
            return list(User.objects.filter(email__iexact=claims.email)[:2])
        case SsoPolicy.MatchBy.EMPLOYEE_ID:
            return list(User.objects.filter(username__iexact=claims.employee_id)[:2]) if claims.employee_id else []
        case SsoPolicy.MatchBy.MOBILE:
            mobile = _digits(claims.mobile)
            if len(mobile) < 6:
                return []
            near = User.objects.exclude(phone="").filter(phone__contains=mobile[-4:])
            return [user for user in near if _digits(user.phone) == mobile][:2]
    return []


def sign_in(*, claims: Claims) -> User:
    """The member this provider identity signs in as, linking it on the first sign-in.

    Raises SignInRefused (audited) when the identity matches nobody and creation is off, when the
    provider did not verify the email used for matching, when the member already has another
    identity at this provider, or when the member left or is deactivated. Creates nothing then.
    """
    if not claims.subject:
        raise SignInRefused(_("The provider did not say who you are."))
    identity = Identity.objects.select_related("user").filter(provider=claims.provider, subject=claims.subject).first()
    policy = get_policy()
    if identity is None:
        found = _candidates(claims, policy)
        if len(found) > 1:
            raise _refuse(
                _("More than one member matches your account. Ask an admin to link it."),
                note=f"{claims.provider} sign-in refused: {len(found)} members match {claims.subject}",
            )
        if found:
            identity = _link(user=found[0], claims=claims)
        elif policy.is_jit_enabled:
            identity = _create_member(claims=claims)
        else:
            raise _refuse(
                _("No member of this site matches your account. Ask an admin to add you first."),
                note=f"{claims.provider} sign-in refused: matches nobody ({claims.email or claims.subject})",
            )
    user = identity.user
    if not user.is_active or user.status == User.Status.LEFT:
        raise _refuse(
            _("This account is closed. Ask an admin if you think that is wrong."),
            note=f"{claims.provider} sign-in refused: the member has left or is deactivated",
            target=user,
        )
    Identity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
    return user


def _link(*, user: User, claims: Claims, actor: User | None = None) -> Identity:
    if Identity.objects.filter(user=user, provider=claims.provider).exists():
        raise _refuse(
            _("This member is already linked to another %(provider)s account. Ask an admin to unlink it first.")
            % {"provider": Provider(claims.provider).label},
            note=f"{claims.provider} sign-in refused: {user.username} is linked to another account",
            target=user,
        )
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                user=user, provider=claims.provider, subject=claims.subject, email=claims.email, name=claims.name
            )
            record(actor=actor or user, action=AuditEntry.Action.CREATED, target=identity, note=f"linked to {user}")
    except IntegrityError as exc:  # the same identity linked at the same moment by another request
        raise SignInRefused(_("This account was linked a moment ago. Try again.")) from exc
    return identity


def _create_member(*, claims: Claims) -> Identity:
    """A new person with no team (no access until an admin places them), linked to the identity."""
    base = slugify(f"{claims.provider}-{claims.employee_id or claims.subject}")[:140] or claims.provider
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    email = claims.email if claims.email_verified else ""
    if email and User.objects.filter(email__iexact=email).exists():
        email = ""
    with transaction.atomic():
        user = User(username=username, email=email, display_name=(claims.name or username)[:100])
        user.set_unusable_password()
        user.save()
        record(actor=None, action=AuditEntry.Action.CREATED, target=user, note=f"created at {claims.provider} sign-in")
        return _link(user=user, claims=claims)


@transaction.atomic
def set_admin_from_directory(*, user: User, is_admin: bool) -> User:
    """The directory's admins' group decides who is an admin here (LDAP_ADMIN_GROUP): members
    become admins, everyone else signing in through the directory stops being one. Audited."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff != is_admin:
        before = snapshot(user, ["is_staff"])
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])
        record(
            actor=None,
            action=AuditEntry.Action.UPDATED,
            target=user,
            changes=diff(user, before, ["is_staff"]),
            note="ldap admins' group: " + ("a member" if is_admin else "not a member"),
        )
    return user


@transaction.atomic
def unlink(*, identity: Identity, actor: User) -> None:
    """Remove a linked identity: the next sign-in with it links anew (or is refused)."""
    record(actor=actor, action=AuditEntry.Action.DELETED, target=identity, note=f"unlinked from {identity.user}")
    identity.delete()


def password_login_allowed(user: User) -> bool:
    """Whether the person may log in with this site's own password under the policy."""
    policy = get_policy()
    if not policy.is_password_login_enabled:
        return False
    if policy.is_sso_required:
        chosen = SsoPolicy.break_glass_admins.through.objects.filter(ssopolicy_id=1, user_id=user.pk)
        return user.is_staff and chosen.exists()
    return True


def login_page_options() -> dict:
    """The providers' buttons and whether the username and password form is shown (while passwords
    or LDAP can be used). When the database cannot be read the page still renders, with the
    form and the providers set by the server's variables, as it did before single sign-on."""
    try:
        policy = get_policy()
    except DatabaseError:
        policy = SsoPolicy(pk=1)
    buttons = browser_providers(policy)
    return {"providers": buttons, "password_form": policy.is_password_login_enabled or ldap_configured()}


def provider_enforces_mfa(provider: str) -> bool:
    return provider in get_policy().mfa_providers


@transaction.atomic
def set_policy(*, actor: User, data: dict) -> SsoPolicy:
    """Change the policy (already checked by PolicyForm not to lock everyone out); audited."""
    policy = SsoPolicy.objects.select_for_update().filter(pk=1).first() or SsoPolicy(pk=1)
    before = snapshot(policy, POLICY_FIELDS)
    before_admins = set(policy.break_glass_admins.values_list("pk", flat=True)) if policy.pk else set()
    for field in POLICY_FIELDS:
        setattr(policy, field, data.get(field, getattr(policy, field)))
    secret_changed = bool(data.get("oidc_client_secret")) and data["oidc_client_secret"] != policy.oidc_client_secret
    if secret_changed:
        policy.oidc_client_secret = data["oidc_client_secret"]
    policy.updated_by = actor
    policy.save()
    admins = list(data["break_glass_admins"])
    policy.break_glass_admins.set(admins)
    changes = diff(policy, before, POLICY_FIELDS)
    if secret_changed:
        changes["oidc_client_secret"] = ["…", "…"]  # that it changed, never the secret itself
    if {u.pk for u in admins} != before_admins:
        changes["break_glass_admins"] = [sorted(before_admins), sorted(u.pk for u in admins)]
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=policy, changes=changes)
    return policy
