"""Events of the lower apps, heard through their signals, turned into robot messages and webhook
documents (services.publish). The webhook documents' schema is docs/integrations.md's; change it
only by adding fields."""

import datetime
import re
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Activity
from customers.signals import activity_created
from integrations import services
from integrations.models import Robot, Subscription
from integrations.platforms import Message
from periodsummaries.models import PeriodSummary
from periodsummaries.signals import summary_returned, summary_reviewed, summary_submitted
from planning.signals import pace_alert
from reminders.models import Reminder
from reminders.signals import reminders_delivered
from reports.models import KPI, WeeklyReport
from reports.roster import State, roster_of
from reports.signals import report_returned, report_reviewed, report_submitted
from reviews.models import Comment
from reviews.signals import comment_created
from summaries.models import Document
from summaries.signals import document_ready
from teams.models import Team, User

MOBILE = re.compile(r"^\+?\d{7,15}$")


def connect() -> None:
    report_submitted.connect(on_report_submitted, dispatch_uid="integrations.submitted")
    report_returned.connect(on_report_returned, dispatch_uid="integrations.returned")
    report_reviewed.connect(on_report_reviewed, dispatch_uid="integrations.reviewed")
    comment_created.connect(on_comment_created, dispatch_uid="integrations.comment")
    activity_created.connect(on_activity_created, dispatch_uid="integrations.activity")
    document_ready.connect(on_document_ready, dispatch_uid="integrations.document")
    reminders_delivered.connect(on_reminders_delivered, dispatch_uid="integrations.reminders")
    pace_alert.connect(on_pace_alert, dispatch_uid="integrations.pace")
    summary_submitted.connect(on_summary_submitted, dispatch_uid="integrations.summary_submitted")
    summary_returned.connect(on_summary_returned, dispatch_uid="integrations.summary_returned")
    summary_reviewed.connect(on_summary_reviewed, dispatch_uid="integrations.summary_reviewed")


# The webhook documents' parts --------------------------------------------------------------------


def person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "username": user.username, "name": str(user)}


def team_data(team: Team) -> dict:
    return {"id": team.pk, "name": team.name}


def report_data(report: WeeklyReport) -> dict:
    return {
        "id": report.pk,
        "url": services.absolute(report.get_absolute_url()),
        "author": person(report.author),
        "team": team_data(report.team),
        "week_start": report.week_start.isoformat(),
        "status": report.status,
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "late_by_minutes": int(report.late_by.total_seconds() // 60) if report.late_by else None,
        "version": report.version,
    }


# Reports, comments, activities -------------------------------------------------------------------


def _report_message(report: WeeklyReport, text: str) -> Message:
    link = services.absolute(report.get_absolute_url())
    return Message(title=text, lines=[f"**{report.team.name}**: {text}"], link=link)


def on_report_submitted(sender, report: WeeklyReport, first: bool, **kwargs) -> None:
    def message() -> Message:
        text = _("%(author)s submitted the weekly report of the week of %(week)s") % {
            "author": report.author,
            "week": f"{report.week_start:%Y-%m-%d}",
        }
        return _report_message(report, text)

    services.publish(
        key=f"report.submitted:{report.pk}:{report.version}",
        team=report.team,
        webhook_event=Subscription.Event.REPORT_SUBMITTED,
        data={"report": report_data(report), "is_resubmission": not first},
        robot_event=Robot.Event.SUBMITTED,
        message=message,
    )


def on_report_returned(sender, report: WeeklyReport, reviewer: User, reason: str, **kwargs) -> None:
    services.publish(
        key=f"report.returned:{report.pk}:{report.version}",
        team=report.team,
        webhook_event=Subscription.Event.REPORT_RETURNED,
        data={"report": report_data(report), "reviewer": person(reviewer), "reason": reason},
    )


def on_report_reviewed(sender, report: WeeklyReport, reviewer: User, feedback, **kwargs) -> None:
    def message() -> Message:
        text = _("%(reviewer)s reviewed the weekly report of %(author)s (week of %(week)s)") % {
            "reviewer": reviewer,
            "author": report.author,
            "week": f"{report.week_start:%Y-%m-%d}",
        }
        return _report_message(report, text)

    services.publish(
        key=f"report.reviewed:{report.pk}:{report.version}",
        team=report.team,
        webhook_event=Subscription.Event.REPORT_REVIEWED,
        data={
            "report": report_data(report),
            "reviewer": person(reviewer),
            "feedback": {"id": feedback.pk, "rating": feedback.rating},
        },
        robot_event=Robot.Event.REVIEWED,
        message=message,
    )


def on_comment_created(sender, comment: Comment, **kwargs) -> None:
    services.publish(
        key=f"comment.created:{comment.pk}",
        team=comment.report.team,
        webhook_event=Subscription.Event.COMMENT_CREATED,
        data={
            "comment": {
                "id": comment.pk,
                "author": person(comment.author),
                "body": comment.body,
                "parent_id": comment.parent_id,
                "created_at": comment.created_at.isoformat(),
            },
            "report": report_data(comment.report),
        },
    )


def on_activity_created(sender, activity: Activity, **kwargs) -> None:
    services.publish(
        key=f"activity.created:{activity.pk}",
        team=activity.team,
        webhook_event=Subscription.Event.ACTIVITY_CREATED,
        data={
            "activity": {
                "id": activity.pk,
                "kind": activity.kind,
                "occurred_on": activity.occurred_on.isoformat(),
                "outcome": activity.outcome,
                "amount": None if activity.amount is None else str(activity.amount),
                "next_step": activity.next_step,
                "next_step_on": activity.next_step_on.isoformat() if activity.next_step_on else None,
                "customer": {"id": activity.customer_id, "name": activity.customer.name},
                "author": person(activity.author),
                "team": team_data(activity.team),
            }
        },
    )


# Written monthly, quarterly and yearly summaries: heard like weekly reports --------------------------


def period_summary_data(summary: PeriodSummary) -> dict:
    return {
        "id": summary.pk,
        "url": services.absolute(summary.get_absolute_url()),
        "author": person(summary.author),
        "team": team_data(summary.team),
        "level": summary.level,
        "period": summary.period,
        "start": summary.start.isoformat(),
        "end": summary.end.isoformat(),
        "status": summary.status,
        "submitted_at": summary.submitted_at.isoformat() if summary.submitted_at else None,
        "version": summary.version,
    }


def _summary_message(summary: PeriodSummary, text: str) -> Message:
    link = services.absolute(summary.get_absolute_url())
    return Message(title=text, lines=[f"**{summary.team.name}**: {text}"], link=link)


def on_summary_submitted(sender, summary: PeriodSummary, first: bool, **kwargs) -> None:
    def message() -> Message:
        text = _("%(author)s submitted the summary %(period)s") % {"author": summary.author, "period": summary.title}
        return _summary_message(summary, text)

    services.publish(
        key=f"period_summary.submitted:{summary.pk}:{summary.version}",
        team=summary.team,
        webhook_event=Subscription.Event.PERIOD_SUMMARY_SUBMITTED,
        data={"summary": period_summary_data(summary), "is_resubmission": not first},
        robot_event=Robot.Event.SUBMITTED,
        message=message,
    )


def on_summary_returned(sender, summary: PeriodSummary, reviewer: User, reason: str, **kwargs) -> None:
    services.publish(
        key=f"period_summary.returned:{summary.pk}:{summary.version}",
        team=summary.team,
        webhook_event=Subscription.Event.PERIOD_SUMMARY_RETURNED,
        data={"summary": period_summary_data(summary), "reviewer": person(reviewer), "reason": reason},
    )


def on_summary_reviewed(sender, summary: PeriodSummary, reviewer: User, feedback, **kwargs) -> None:
    def message() -> Message:
        text = _("%(reviewer)s reviewed the summary %(period)s of %(author)s") % {
            "reviewer": reviewer,
            "author": summary.author,
            "period": summary.title,
        }
        return _summary_message(summary, text)

    services.publish(
        key=f"period_summary.reviewed:{summary.pk}:{summary.version}",
        team=summary.team,
        webhook_event=Subscription.Event.PERIOD_SUMMARY_REVIEWED,
        data={
            "summary": period_summary_data(summary),
            "reviewer": person(reviewer),
            "feedback": {"id": feedback.pk, "rating": feedback.rating},
        },
        robot_event=Robot.Event.REVIEWED,
        message=message,
    )


# Documents -------------------------------------------------------------------------------------


def on_document_ready(sender, document: Document, **kwargs) -> None:
    """A team's weekly summary is ready: its page and PDF, once per team and week."""
    if document.kind != Document.Kind.TEAM_WEEK or document.team is None or document.period_start is None:
        return
    team, week = document.team, document.period_start
    page = services.absolute(f"{reverse('summaries:team_week', args=[team.pk])}?week={week.isoformat()}")
    pdf = services.absolute(reverse("summaries:download", args=[document.pk]))

    def message() -> Message:
        title = _("The weekly summary of %(team)s for the week of %(week)s is ready") % {
            "team": team.name,
            "week": f"{week:%Y-%m-%d}",
        }
        label = _("Download the PDF")
        return Message(title=title, lines=[f"[{label}]({pdf})"], link=page)

    services.publish(
        key=f"summary.ready:{team.pk}:{week.isoformat()}",
        team=team,
        webhook_event=Subscription.Event.SUMMARY_READY,
        data={"team": team_data(team), "week_start": week.isoformat(), "page_url": page, "pdf_url": pdf},
        robot_event=Robot.Event.SUMMARY,
        message=message,
    )


# Pace alerts: one message per team and alert ------------------------------------------------------


def on_pace_alert(
    sender,
    team: Team,
    kpi: KPI,
    start: datetime.date,
    end: datetime.date,
    threshold: int,
    label: str,
    behind: list,
    **kwargs,
) -> None:
    """The members of a team behind pace on a KPI, as its managers hear it in the app: once per
    team, KPI, period and threshold (planning claims the alert; the key keeps a retry quiet)."""
    link = services.absolute(reverse("insights:dashboard", args=[team.pk]))

    def message() -> Message:
        values = {"team": team.name, "count": len(behind), "kpi": kpi.name, "threshold": threshold, "period": label}
        title = _("%(team)s: %(count)s behind pace on %(kpi)s (%(threshold)s%% of %(period)s elapsed)") % values
        lines = [
            _("- %(member)s: %(actual)s of %(expected)s expected by now (target %(target)s)")
            % {"member": b.member, "actual": b.actual, "expected": b.expected, "target": b.target}
            for b in behind
        ]
        return Message(title=title, lines=lines, link=link)

    services.publish(
        key=f"pace.alert:{team.pk}:{kpi.pk}:{start.isoformat()}:{end.isoformat()}:{threshold}",
        team=team,
        webhook_event=Subscription.Event.PACE_ALERT,
        data={
            "team": team_data(team),
            "kpi": {"id": kpi.pk, "code": kpi.code, "name_zh": kpi.name_zh, "name_en": kpi.name_en},
            "period": {"start": start.isoformat(), "end": end.isoformat(), "label": label},
            "threshold": threshold,
            "dashboard_url": link,
            "behind": [
                {
                    "member": person(b.member),
                    "target": str(b.target),
                    "expected": str(b.expected),
                    "actual": str(b.actual),
                }
                for b in behind
            ],
        },
        robot_event=Robot.Event.PACE,
        message=message,
    )


# Reminder ticks: one digest per team and event ----------------------------------------------------

ROBOT_EVENTS = {"overdue": Robot.Event.OVERDUE, "digest": Robot.Event.DIGEST}


def robot_event_of(kind: str) -> str | None:
    return Robot.Event.DEADLINE if kind.startswith("due:") else ROBOT_EVENTS.get(kind)


def on_reminders_delivered(sender, reminders: list[Reminder], now: datetime.datetime, **kwargs) -> None:
    """Group the tick's reminders by team, event and week: each group is one message. The tick has
    already applied the working calendar and leave, so a team on a day off hears nothing."""
    groups: dict[tuple, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        event = robot_event_of(reminder.kind)
        if event is not None and reminder.team is not None:
            groups[(reminder.team_id, event, reminder.kind, reminder.period_start)].append(reminder)
    for (team_id, event, kind, week), claims in groups.items():
        team = claims[0].team
        if not services.robots_for(team, event):
            continue  # no robot wants it: spare the roster
        if event == Robot.Event.DIGEST:
            message = _digest(team, week, claims[0])
        else:
            message = _missing(team, week, event, claims[0].data.get("deadline", ""), now)
        services.publish(
            key=f"{kind}:{team_id}:{week.isoformat()}", team=team, robot_event=event, message=message, now=now
        )


def _missing(team: Team, week: datetime.date, event: str, deadline: str, now: datetime.datetime):
    """Who in the team has not submitted, from the roster (on leave and not expected left out);
    DingTalk and WeCom @ those with a mobile number in their profile."""
    entries = [
        e
        for e in roster_of(team, [week], now).select(week=week, team_id=team.pk)
        if e.state in (State.NOT_YET_DUE, State.MISSING)
    ]
    link = services.absolute(reverse("reports:this_week"))

    def message() -> Message | None:
        if not entries:
            return None
        values = {"team": team.name, "count": len(entries), "deadline": deadline, "week": f"{week:%Y-%m-%d}"}
        if event == Robot.Event.OVERDUE:
            title = _("%(team)s: %(count)s weekly reports overdue (deadline was %(deadline)s)") % values
        else:
            title = _("%(team)s: %(count)s weekly reports still missing, deadline %(deadline)s") % values
        mobiles = [e.member.phone.replace(" ", "") for e in entries]
        return Message(
            title=title,
            lines=[f"- {e.member}" for e in entries],
            link=link,
            mobiles=[m for m in mobiles if MOBILE.match(m)],
        )

    return message


def _digest(team: Team, week: datetime.date, claim: Reminder):
    """The managers' review-day digest, with the counts the reminder tick took from the roster."""
    counts = claim.data

    def message() -> Message:
        values = {"team": team.name, "week": f"{week:%Y-%m-%d}"}
        return Message(
            title=_("%(team)s: review day for the week of %(week)s") % values,
            lines=[
                _("- Waiting for review: %(count)s") % {"count": counts.get("awaiting", 0)},
                _("- Submitted late: %(count)s") % {"count": counts.get("late", 0)},
                _("- Missing: %(count)s") % {"count": counts.get("missing", 0)},
                _("- Reviews due: %(due)s") % {"due": counts.get("due", "")},
            ],
            link=services.absolute(claim.url),
        )

    return message
