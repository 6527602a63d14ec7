"""Pace alerts: at 50 %, 90 % and 100 % of a month, quarter or year elapsed, the managers of each
team hear which of its salespeople are behind pace on a KPI that has an approved plan (their
actual so far below the period's target times the share of the period elapsed)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.models import Notification
from notifications.services import Draft, notify_many
from planning.decompose import month_bounds, quarter_bounds
from planning.models import PaceAlert, Plan
from planning.signals import pace_alert
from reports import roster
from reports.models import KPI
from summaries.rollups import combine, kpi_series
from teams import access
from teams.models import Team, User

THRESHOLDS = (50, 90, 100)
# A period's 100 % alert is still sent this long after it ended (a beat that was down for a day).
LATE_GRACE = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Behind:
    member: User
    target: Decimal
    expected: Decimal
    actual: Decimal


def periods_around(today: datetime.date) -> list[tuple[datetime.date, datetime.date, str]]:
    """The months, quarters and years that contain `today` or ended within LATE_GRACE."""
    found = []
    for day in (today, today - LATE_GRACE):
        quarter = (day.month - 1) // 3 + 1
        for start, end, label in (
            (*month_bounds(day.year, day.month), f"{day:%Y-%m}"),
            (*quarter_bounds(day.year, quarter), f"{day.year} Q{quarter}"),
            (datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), str(day.year)),
        ):
            if (start, end, label) not in found:
                found.append((start, end, label))
    return found


def elapsed_threshold(start: datetime.date, end: datetime.date, today: datetime.date) -> int | None:
    """The highest threshold reached: the share of the period's days before `today`."""
    if today > end + LATE_GRACE:
        return None
    share = Decimal((today - start).days) / Decimal((end - start).days + 1) * 100
    reached = [threshold for threshold in THRESHOLDS if share >= threshold]
    return reached[-1] if reached else None


def behind_pace(team: Team, kpi: KPI, start: datetime.date, end: datetime.date, today: datetime.date) -> list[Behind]:
    """The team's current salespeople whose actual so far is below their target's pace. Targets
    are reports.roster's (as the dashboards read them), actuals the summaries' roll-up."""
    elapsed = min(Decimal(1), Decimal((today - start).days) / Decimal((end - start).days + 1))
    targets = roster.member_targets(paths=(team.path,), start=start, end=end, kpi_ids=[kpi.pk])
    found = []
    for membership in access.current_salespeople([team.path]):
        mine: list[Decimal | None] = [t.value for t in targets if t.member_id == membership.user_id]
        target = combine(kpi, mine)
        if not target:
            continue
        series = kpi_series(start=start, end=end, member=membership.user)
        actual = (combine(kpi, series.actuals(kpi)) if kpi in series.kpis else None) or Decimal(0)
        expected = target * elapsed if kpi.aggregation == KPI.Aggregation.SUM else target
        below = actual < expected if kpi.is_higher_better else actual > expected
        if below:
            found.append(Behind(membership.user, target, expected.quantize(Decimal("0.01")), actual))
    return found


def send_pace_alerts(*, today: datetime.date) -> int:
    """Tell each team's managers who is behind pace, once per team, KPI, period and threshold
    (a claim row is taken first; a failure releases it). Returns how many alerts were sent."""
    sent = 0
    plans = Plan.objects.filter(status=Plan.Status.APPROVED, year__in={today.year, (today - LATE_GRACE).year})
    kpis = KPI.objects.filter(pk__in=plans.values("kpi_id"))
    roots = tuple(Team.objects.filter(pk__in=plans.values("team_id")).values_list("path", flat=True))
    teams = Team.objects.active().filter(access.in_subtrees(roots, prefix=""))
    for team in teams:
        managers = list(access.managers_of(team).filter(memberships__team=team, memberships__ended_on__isnull=True))
        if not managers:
            continue
        for kpi in kpis:
            for start, end, label in periods_around(today):
                threshold = elapsed_threshold(start, end, today)
                if threshold is not None and _alert(team, kpi, start, end, label, threshold, today, managers):
                    sent += 1
    return sent


def _alert(team, kpi, start, end, label, threshold, today, managers) -> bool:
    try:
        with transaction.atomic():
            claim = PaceAlert.objects.create(team=team, kpi=kpi, starts_on=start, ends_on=end, threshold=threshold)
            behind = behind_pace(team, kpi, start, end, today)
            claim.behind = len(behind)
            claim.save(update_fields=["behind"])
            if behind:
                url = reverse("insights:dashboard", args=[team.pk])
                names = ", ".join(str(b.member) for b in behind)
                notify_many(
                    [
                        Draft(
                            recipient=manager,
                            kind=Notification.Kind.PACE,
                            event=f"pace:{claim.pk}",
                            url=url,
                            data={
                                "count": len(behind),
                                "team": team.name,
                                "kpi": kpi.name,
                                "threshold": threshold,
                                "period": label,
                                "names": names,
                            },
                        )
                        for manager in managers
                    ]
                )
                pace_alert.send(
                    sender=PaceAlert,
                    team=team,
                    kpi=kpi,
                    start=start,
                    end=end,
                    threshold=threshold,
                    label=label,
                    behind=behind,
                    managers=managers,
                )
    except IntegrityError:  # claimed already: sent before, or by another worker now
        return False
    return bool(behind)
