"""State changes to the team tree and to members. Every change is audited in the same transaction."""

import logging
import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from teams import versions
from teams.models import PATH_MAX_LENGTH, PATH_SEGMENT_WIDTH, Membership, Team, User, name_key

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ["display_name", "email", "phone", "wechat", "position", "hired_on", "language"]


def _segment(team: Team) -> str:
    return f"{team.pk:0{PATH_SEGMENT_WIDTH}d}/"


def _check_depth(parent: Team | None, subtree_height: int = 0) -> None:
    depth = (parent.depth + 1 if parent else 0) + subtree_height
    if (depth + 1) * (PATH_SEGMENT_WIDTH + 1) > PATH_MAX_LENGTH:
        raise ValidationError({"parent": _("The team tree cannot be nested this deep.")})


def _check_sibling_name(*, name: str, parent: Team | None, exclude_pk: int | None = None) -> None:
    siblings = Team.objects.filter(parent=parent, name__iexact=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise ValidationError({"name": _("There is already a team with this name at this place in the tree.")})


@transaction.atomic
def create_team(*, actor: User | None, name: str, kind: str, parent: Team | None) -> Team:
    """Add a team under `parent` (or a new root). Raises ValidationError on a duplicate name."""
    versions.touch_all()  # a new or moved branch changes what the subtrees above it add up to
    _check_sibling_name(name=name, parent=parent)
    _check_depth(parent)
    # The path needs the new row's id, so insert with a unique placeholder first.
    team = Team.objects.create(name=name, kind=kind, parent=parent, path=f"new-{uuid.uuid4().hex}")
    team.path = (parent.path if parent else "") + _segment(team)
    team.depth = parent.depth + 1 if parent else 0
    team.save(update_fields=["path", "depth"])
    record(
        actor=actor,
        action=AuditEntry.Action.CREATED,
        target=team,
        changes={"name": [None, name], "parent": [None, str(parent) if parent else None]},
    )
    return team


@transaction.atomic
def update_team(*, actor: User | None, team: Team, name: str, kind: str, parent: Team | None) -> Team:
    """Rename a team, change its kind, or move it (with its whole subtree) under a new parent.

    Raises ValidationError when the move would put a team inside itself or a name clashes.
    """
    versions.touch_all()  # a new or moved branch changes what the subtrees above it add up to
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = snapshot(team, ["name", "kind", "parent"])
    if parent is not None and parent.path.startswith(team.path):
        raise ValidationError({"parent": _("A team cannot be moved inside itself or one of its sub-teams.")})
    _check_sibling_name(name=name, parent=parent, exclude_pk=team.pk)
    team.name, team.kind = name, kind
    team.save(update_fields=["name", "kind", "updated_at"])
    moved = team.parent_id != (parent.pk if parent else None)
    if moved:
        height = max(Team.objects.filter(path__startswith=team.path).values_list("depth", flat=True)) - team.depth
        _check_depth(parent, height)
        old_prefix = team.path
        new_prefix = (parent.path if parent else "") + _segment(team)
        depth_change = (parent.depth + 1 if parent else 0) - team.depth
        Team.objects.filter(path__startswith=old_prefix).update(
            path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
            depth=F("depth") + depth_change,
        )
        Team.objects.filter(pk=team.pk).update(parent=parent)
        team.refresh_from_db()
    changes = diff(team, before, ["name", "kind", "parent"])
    if changes:
        action = AuditEntry.Action.MOVED if moved else AuditEntry.Action.UPDATED
        record(actor=actor, action=action, target=team, changes=changes)
    return team


def _check_email_free(email: str, *, exclude_pk: int | None = None) -> None:
    if not email:
        return
    taken = User.objects.filter(email__iexact=email)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"email": _("Another person already uses this email address.")})


def check_name_free(display_name: str, *, exclude_pk: int | None = None) -> None:
    """Raises ValidationError on display_name when another person's name looks the same (in any
    case, width or spacing): names are unique within the company so nobody can pass for someone."""
    taken = User.objects.filter(name_key=name_key(display_name))
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"display_name": _("Another person already uses this name.")})


@transaction.atomic
def add_member(
    *,
    actor: User | None,
    display_name: str,
    email: str,
    team: Team,
    role: str = Membership.Role.SALESPERSON,
    username: str = "",
    position: str = "",
    phone: str = "",
    wechat: str = "",
    hired_on: date | None = None,
    language: str = "zh-hans",
    send_invitation: bool = True,
) -> User:
    """Create a person with their first membership; an invitation to set a password follows by email.

    Raises ValidationError when the email or username is taken.
    """
    versions.touch([team])
    email = email.strip().lower()
    username = (username or email).strip()
    display_name = display_name.strip()
    _check_email_free(email)
    check_name_free(display_name or username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    member = User(
        username=username,
        email=email,
        display_name=display_name,
        position=position,
        phone=phone,
        wechat=wechat,
        hired_on=hired_on,
        language=language,
    )
    member.set_unusable_password()
    member.full_clean(exclude=["password"])
    member.save()
    Membership.objects.create(user=member, team=team, role=role, started_on=hired_on or timezone.localdate())
    record(
        actor=actor,
        action=AuditEntry.Action.CREATED,
        target=member,
        changes={"team": [None, str(team)], "role": [None, str(Membership.Role(role).label)]},
    )
    if send_invitation and email:
        queue_invitation(member)
    return member


def queue_invitation(member: User) -> None:
    """Send the set-your-password email after commit; a broker outage must not fail the request."""
    from teams import tasks

    def enqueue() -> None:
        try:
            tasks.send_invitation.delay(member.pk)
        except Exception:  # the broker is outside our control; the admin can resend
            logger.exception("Could not queue the invitation for user %s", member.pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def update_member(*, actor: User | None, member: User, data: dict) -> User:
    """Change a person's profile fields; records what changed."""
    fields = [f for f in PROFILE_FIELDS if f in data]
    if "email" in data:
        data["email"] = data["email"].strip().lower()
        _check_email_free(data["email"], exclude_pk=member.pk)
    if "display_name" in data:
        data["display_name"] = data["display_name"].strip()
        check_name_free(data["display_name"] or member.username, exclude_pk=member.pk)
    before = snapshot(member, fields)
    for field in fields:
        setattr(member, field, data[field])
    changes = diff(member, before, fields)
    if changes:
        member.save(update_fields=list(changes))
        if actor is None or actor.pk != member.pk or set(changes) - {"language"}:
            record(actor=actor, action=AuditEntry.Action.UPDATED, target=member, changes=changes)
    if "display_name" in changes:
        # Names are on cached pages of teams the person never belonged to (a report reviewed by
        # an admin, a director's reading list), so a new one replaces every version: it is rare.
        versions.touch_all()
    return member


def current_membership(member: User) -> Membership | None:
    return Membership.objects.active().filter(user=member).select_related("team").first()


@transaction.atomic
def move_member(*, actor: User | None, member: User, team: Team, role: str, on: date | None = None) -> Membership:
    """Put a person in `team` with `role` from day `on`, closing their current membership.

    History is kept: the old membership ends the day the new one starts. Raises ValidationError
    when nothing would change or the date is before the current membership began.
    """
    versions.touch_members([member.pk])
    on = on or timezone.localdate()
    User.objects.select_for_update().filter(pk=member.pk).first()  # one move at a time per person
    current = current_membership(member)
    if current and current.team_id == team.pk and current.role == role:
        raise ValidationError(
            _("%(name)s is already %(role)s in %(team)s.")
            % {"name": member, "role": Membership.Role(role).label, "team": team}
        )
    if current and on < current.started_on:
        raise ValidationError(
            {
                "on": _("The change cannot start before the current membership (%(day)s).")
                % {"day": current.started_on.isoformat()}
            }
        )
    if current:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    membership = Membership.objects.create(user=member, team=team, role=role, started_on=on)
    changes = {}
    if not current or current.team_id != team.pk:
        changes["team"] = [str(current.team) if current else None, str(team)]
    if not current or current.role != role:
        changes["role"] = [str(current.get_role_display()) if current else None, str(membership.get_role_display())]
    action = AuditEntry.Action.MOVED if "team" in changes else AuditEntry.Action.ROLE_CHANGED
    record(actor=actor, action=action, target=member, changes=changes, note=on.isoformat())
    return membership


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    member: User,
    status: str,
    on: date | None = None,
    team: Team | None = None,
    role: str = Membership.Role.SALESPERSON,
) -> User:
    """Mark a person active, on leave, or left.

    Leaving ends the current membership and blocks login, but keeps every record. Coming back
    after leaving needs the team to rejoin. Raises ValidationError otherwise.
    """
    versions.touch_members([member.pk])
    on = on or timezone.localdate()
    member = User.objects.select_for_update().get(pk=member.pk)
    old_status = member.status
    if status == old_status:
        raise ValidationError(
            {"status": _("The status is already %(status)s.") % {"status": member.get_status_display()}}
        )
    if status == User.Status.LEFT:
        current = current_membership(member)
        if current:
            if on < current.started_on:
                raise ValidationError({"on": _("The leaving date cannot be before the current membership began.")})
            current.ended_on = on
            current.save(update_fields=["ended_on"])
        member.left_on, member.is_active = on, False
    elif old_status == User.Status.LEFT:
        if team is None:
            raise ValidationError({"team": _("Choose the team the person rejoins.")})
        Membership.objects.create(user=member, team=team, role=role, started_on=on)
        member.left_on, member.is_active = None, True
    member.status = status
    member.save(update_fields=["status", "left_on", "is_active"])
    record(
        actor=actor,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=member,
        changes={"status": [str(User.Status(old_status).label), str(member.get_status_display())]},
        note=on.isoformat(),
    )
    return member


def send_invitation(*, member: User) -> None:
    """Email the person a link to set their password (the same link as a password reset)."""
    if not member.email or not member.is_active:
        return
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    link = settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])
    with translation.override(member.language):
        context = {"member": member, "link": link}
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, None, [member.email])
