"""Who reaches which token: each person their own; admins everyone's (to revoke a leaked one).
Anyone else's token answers 404, as if it did not exist."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from api.models import ApiToken
from teams import access
from teams.models import User


def visible_tokens(user: User) -> QuerySet[ApiToken]:
    if access.is_admin(user):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)


def token_for_revoke(user: User, pk: int) -> ApiToken:
    """The token for its owner or an admin to revoke; Http404 for anyone else."""
    token = visible_tokens(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def require_token_admin(user: User) -> None:
    """The page of everyone's tokens is the admins'."""
    if not access.is_admin(user):
        raise PermissionDenied
