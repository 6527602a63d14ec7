"""Working days: China's statutory holidays and make-up working days (调休/补班) from the
`holidays` package, plus days off that admins enter for the company or a team.

The package knows a year's make-up days only once the State Council has published that year's
schedule (usually in the autumn before). For a year it does not cover yet, the statutory holidays
the package computes (Spring Festival by the lunar calendar, National Day …) count as provisional
days off (`is_provisional`), and admins are asked to confirm them and enter the make-up working
days (reminders: the settings page, and a notification in the fourth quarter).
"""

import datetime
import logging
from dataclasses import dataclass, field
from functools import cache

import holidays
from django.db.models import Q
from holidays.countries.china import ChinaStaticHolidays

from reports.models import DayOff, TeamSettings
from teams import versions
from teams.models import Team

logger = logging.getLogger(__name__)


def covered_years() -> set[int]:
    """Years whose official schedule (holidays and make-up working days) the package ships."""
    return set(ChinaStaticHolidays.special_public_holidays)


@cache
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_covered(year: int) -> bool:
    return year in covered_years()


def is_provisional(day: datetime.date) -> bool:
    """A statutory holiday the package computed for a year whose official schedule it lacks."""
    return not is_covered(day.year) and day in _china(day.year)


def provisional_holidays(year: int) -> list[tuple[datetime.date, str]]:
    """The computed statutory holidays of a year not covered yet (none for a covered year)."""
    return [] if is_covered(year) else sorted(_china(year).items())


@dataclass
class WorkCalendar:
    """One team's working days: the official calendar with the admins' days off on top."""

    days_off: set[datetime.date] = field(default_factory=set)
    # Make-up working days (调休补班) entered by admins: they win over weekends and holidays.
    workdays: set[datetime.date] = field(default_factory=set)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        try:
            if is_covered(day.year):
                return _china(day.year).is_working_day(day)
            if is_provisional(day):
                return False
        except Exception:  # a package bug must not stop reminders; weekends still hold
            logger.exception("The holiday calendar failed for %s; using weekends", day)
        return day.weekday() < 5


def calendars_for(teams: list[Team]) -> dict[int, WorkCalendar]:
    """Each team's calendar: company-wide days off and those of the team or any team above it.
    One query whatever the number of teams."""
    chains = {team.pk: {*team.ancestor_ids, team.pk} for team in teams}
    ids = set().union(*chains.values()) if chains else set()
    company: dict[bool, set] = {False: set(), True: set()}
    by_team: dict[tuple[int, bool], set] = {}
    rows = DayOff.objects.filter(Q(team_id__in=ids) | Q(team__isnull=True)).values_list(
        "team_id", "on", "is_working_day"
    )
    for team_id, day, is_working in rows:
        if team_id is None:
            company[is_working].add(day)
        else:
            by_team.setdefault((team_id, is_working), set()).add(day)

    def days(team: Team, is_working: bool) -> set[datetime.date]:
        return company[is_working].union(*(by_team.get((pk, is_working), set()) for pk in chains[team.pk]))

    return {team.pk: WorkCalendar(days(team, False), days(team, True)) for team in teams}


def calendar_for(team: Team) -> WorkCalendar:
    return calendars_for([team])[team.pk]


def kept_calendar_for(team: Team) -> WorkCalendar:
    """calendar_for(team), kept under the data versions for the pages that show a deadline:
    entering, confirming or removing a day off replaces every version (reminders.services)."""
    return versions.cached(team, ("calendar",), lambda: calendar_for(team))


def is_week_off(team_settings: TeamSettings, week_start: datetime.date, calendar: WorkCalendar) -> bool:
    """A week with no working day at all (e.g. the Spring Festival week) expects no report."""
    return not any(calendar.is_working_day(week_start + datetime.timedelta(days=i)) for i in range(7))


def effective_deadline(
    team_settings: TeamSettings, week_start: datetime.date, calendar: WorkCalendar
) -> datetime.datetime | None:
    """The week's deadline, moved to the previous working day of the week when it falls on a day
    off (if the team wants that); None when the whole week is off and no report is expected."""
    if is_week_off(team_settings, week_start, calendar):
        return None
    deadline = team_settings.deadline_for(week_start)
    if not team_settings.is_deadline_moved_off_days_off:
        return deadline
    day = deadline.date()
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
        if day < week_start:
            return deadline  # no working day before it in the week: keep the usual deadline
    return deadline.replace(year=day.year, month=day.month, day=day.day)
