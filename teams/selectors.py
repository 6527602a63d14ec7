"""Reads about people and teams that several pages share."""

from django.db.models import Exists, OuterRef, QuerySet

from teams.models import Membership, User


def without_team(people: QuerySet[User]) -> QuerySet[User]:
    """Of `people`, the active ones who are neither admins nor in a team: they can do nothing yet."""
    return people.filter(is_active=True, is_staff=False).exclude(
        Exists(Membership.objects.active().filter(user=OuterRef("pk")))
    )
