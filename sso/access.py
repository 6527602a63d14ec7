"""Who may see and remove linked identities: built on teams.access (a member's page, an admin's
changes)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sso.models import Identity
from teams import access


def identity_for_unlink(user, pk: int) -> Identity:
    """A linked identity an admin may remove. 404 when its member is out of the user's reach (or it
    does not exist); 403 when the user sees the member but is not an admin."""
    identity = Identity.objects.select_related("user").filter(pk=pk).first()
    if identity is None:
        raise Http404
    member = access.member_for_edit(user, identity.user_id)
    identity.user = member
    return identity


def require_policy_admin(user) -> None:
    """The single sign-on policy is the admins' call, like the two-factor policy."""
    if not access.can_set_security_policy(user):
        raise PermissionDenied
