"""What reports keep: a team reports were written in, and their author, are never deleted
(teams.retention asks these through its TEAM_BLOCKERS and PERSON_BLOCKERS; ReportsConfig.ready()
adds them)."""

from django.utils.translation import ngettext

from reports.models import WeeklyReport
from teams.models import Team, User


def team_blockers(team: Team) -> list[str]:
    reports = WeeklyReport.objects.filter(team=team).count()
    if not reports:
        return []
    return [
        ngettext("%(count)d report was written in it.", "%(count)d reports were written in it.", reports)
        % {"count": reports}
    ]


def person_blockers(person: User) -> list[str]:
    reports = WeeklyReport.objects.filter(author=person).count()
    if not reports:
        return []
    return [ngettext("They wrote %(count)d report.", "They wrote %(count)d reports.", reports) % {"count": reports}]
