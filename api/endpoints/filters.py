"""The filters the list endpoints share: team, member, week and period, each checked against the
access policy (a team or member out of reach answers 404, as on the pages)."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Schema

from teams import access
from teams.models import User


class ListFilters(Schema):
    """team and member: ids in your reach; week: a reporting week's first day; start, end: a period."""

    team: int | None = None
    member: int | None = None
    week: datetime.date | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


def narrow(user: User, filters: ListFilters, *, team_field: str, member_field: str, day_field: str, week: bool):
    """The Q that the filters ask for. `week` is a reporting week's first day; `week` (the flag)
    says whether `day_field` holds week starts (reports, targets) or days (activities, which
    then match the seven days from it)."""
    condition = Q()
    if filters.team is not None:
        team = access.team_for_view(user, filters.team)
        condition &= Q(**{f"{team_field}__path__startswith": team.path})
    if filters.member is not None:
        condition &= Q(**{member_field: access.member_for_view(user, filters.member).pk})
    if filters.start and filters.end and filters.start > filters.end:
        raise ValidationError({"end": _("The last day is before the first.")})
    if filters.week is not None:
        if week:
            condition &= Q(**{day_field: filters.week})
        else:
            condition &= Q(**{f"{day_field}__range": (filters.week, filters.week + datetime.timedelta(days=6))})
    if filters.start is not None:
        condition &= Q(**{f"{day_field}__gte": filters.start})
    if filters.end is not None:
        condition &= Q(**{f"{day_field}__lte": filters.end})
    return condition
