"""Who manages team chat robots and webhooks (on teams.access.scope()).

- Robots: admins for every team; managers for the teams of their own subtree. Everyone else gets
  403 on the list and 404 on a robot; a manager gets 404 on a robot of another subtree.
- Webhooks (they carry any team's events): admins only; everyone else 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from integrations.models import Delivery, Robot, Subscription
from teams.access import in_subtrees, scope
from teams.models import Team, User


def can_manage_robots(user: User) -> bool:
    s = scope(user)
    return s.is_admin or s.is_manager


def require_robot_manager(user: User) -> None:
    if not can_manage_robots(user):
        raise PermissionDenied


def robot_teams(user: User) -> QuerySet[Team]:
    """The teams the user may attach robots to."""
    s = scope(user)
    return Team.objects.active().filter(in_subtrees(None if s.is_admin else s.managed_paths, prefix=""))


def visible_robots(user: User) -> QuerySet[Robot]:
    s = scope(user)
    return Robot.objects.filter(in_subtrees(None if s.is_admin else s.managed_paths)).select_related("team")


def robot_for_edit(user: User, pk: int) -> Robot:
    """The robot; 403 for people who manage no robots, 404 outside the user's subtree."""
    require_robot_manager(user)
    robot = visible_robots(user).filter(pk=pk).first()
    if robot is None:
        raise Http404
    return robot


def can_manage_webhooks(user: User) -> bool:
    return scope(user).is_admin


def require_webhook_admin(user: User) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied


def subscription_for_edit(user: User, pk: int) -> Subscription:
    require_webhook_admin(user)
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription is None:
        raise Http404
    return subscription


def delivery_for_redelivery(user: User, pk: int) -> Delivery:
    """A delivery of a robot or webhook the user manages; 403/404 as for its robot or webhook."""
    require_robot_manager(user)
    delivery = Delivery.objects.select_related("robot", "subscription").filter(pk=pk).first()
    if delivery is None:
        raise Http404
    if delivery.robot_id:
        robot_for_edit(user, delivery.robot_id)
    else:
        require_webhook_admin(user)
    return delivery
