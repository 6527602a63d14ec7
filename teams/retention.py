"""What may be deleted, and what never is: a team or a person with history stays.

People who leave are marked as left (their reports, reviews and comments are kept and stay
readable by their managers); teams that are no longer used are deactivated. Only a team or an
account that never held anything, such as one created by mistake, can be deleted. The database
backs this up: reports PROTECT their author and team, and memberships their person and team.

Higher apps whose rows keep a team or a person add their reasons to TEAM_BLOCKERS and
PERSON_BLOCKERS in their AppConfig.ready() (reports does: the reports written in a team or by a
person), so this module names them without importing upward.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from audit.services import record
from teams.models import Membership, Team, User

# Each returns the sentences saying why the team (or person) is kept; empty when nothing holds it.
TEAM_BLOCKERS: list[Callable[[Team], list[str]]] = []
PERSON_BLOCKERS: list[Callable[[User], list[str]]] = []


def team_deletion_blockers(team: Team) -> list[str]:
    """Why the team cannot be deleted, one sentence per reason; empty when it can be."""
    reasons = []
    members = Membership.objects.filter(team=team).values("user").distinct().count()
    if members:
        reasons.append(
            ngettext("%(count)d person has been a member of it.", "%(count)d people have been members of it.", members)
            % {"count": members}
        )
    for blockers in TEAM_BLOCKERS:
        reasons.extend(blockers(team))
    children = Team.objects.filter(parent=team).count()
    if children:
        reasons.append(
            ngettext("%(count)d team lies below it.", "%(count)d teams lie below it.", children) % {"count": children}
        )
    return reasons


def person_deletion_blockers(person: User) -> list[str]:
    """Why the account cannot be deleted; empty when it never belonged to a team or wrote anything."""
    reasons = []
    if Membership.objects.filter(user=person).exists():
        reasons.append(_("They have been a member of a team."))
    for blockers in PERSON_BLOCKERS:
        reasons.extend(blockers(person))
    return reasons


@transaction.atomic
def delete_team(*, actor: User | None, team: Team) -> None:
    """Delete a team that never held anyone or anything; recorded in the audit trail.

    Raises ValidationError, saying why, when it has (or had) members, reports or teams below it.
    """
    team = Team.objects.select_for_update().get(pk=team.pk)
    reasons = team_deletion_blockers(team)
    if reasons:
        raise ValidationError(
            _("“%(team)s” cannot be deleted: %(reasons)s Deactivate it instead; its history is kept.")
            % {"team": team.name, "reasons": " ".join(reasons)}
        )
    record(actor=actor, action=AuditEntry.Action.DELETED, target=team, note="deleted")
    team.delete()


@transaction.atomic
def delete_person(*, actor: User | None, person: User) -> None:
    """Delete an account created by mistake; recorded in the audit trail.

    Raises ValidationError, saying why, for anyone who was in a team or wrote a report: people who
    leave are marked as left instead, so their history stays.
    """
    reasons = person_deletion_blockers(person)
    if reasons:
        raise ValidationError(
            _("%(person)s cannot be deleted: %(reasons)s Mark them as left instead; their history is kept.")
            % {"person": person, "reasons": " ".join(reasons)}
        )
    record(actor=actor, action=AuditEntry.Action.DELETED, target=person, note="deleted")
    person.delete()
