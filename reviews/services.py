"""The manager's side of a report: mark it reviewed with feedback, or return it for revision; the
comment thread both sides write in; read receipts."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import record
from notifications.models import Notification
from notifications.services import mark_report_read, notify
from reports import access as report_access
from reports import signals as report_signals
from reports.models import PlanReview, ReportRevision, WeeklyReport
from reports.services import snapshot
from reports.signals import report_returned, report_reviewed, send_on_commit
from reviews import signals
from reviews.models import Comment, Feedback, FeedbackGoal, ReportRead, ReviewAction
from reviews.signals import comment_created
from teams import versions
from teams.models import User

MAX_GOALS = 10


def _locked(report: WeeklyReport) -> WeeklyReport:
    return WeeklyReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def mark_reviewed(
    *,
    report: WeeklyReport,
    reviewer: User,
    praise: str = "",
    problems: str = "",
    suggestions: str = "",
    goals: list[str] | None = None,
    rating: int | None = None,
) -> Feedback:
    """Give feedback and mark a submitted report reviewed.

    Goals become items the author's next report must answer (closed-loop feedback): added to that
    report at once if it is already open, or when it is opened. Raises ValidationError when the
    report is not waiting for review (a second click on the button included) or the feedback is
    empty.
    """
    report = _locked(report)
    if report.status != WeeklyReport.Status.SUBMITTED:
        raise ValidationError(
            _("This report is not waiting for review (it is %(status)s).") % {"status": report.get_status_display()}
        )
    goals = [goal.strip()[:500] for goal in (goals or []) if goal.strip()][:MAX_GOALS]
    if not any(text.strip() for text in (praise, problems, suggestions)) and not goals:
        raise ValidationError(_("Write at least one part of the feedback."))
    feedback = Feedback.objects.create(
        report=report, reviewer=reviewer, praise=praise, problems=problems, suggestions=suggestions, rating=rating
    )
    created = FeedbackGoal.objects.bulk_create(
        FeedbackGoal(feedback=feedback, position=i, text=text) for i, text in enumerate(goals)
    )
    _carry_goals_forward(report, created)
    signals.feedback_given.send(sender=Feedback, feedback=feedback)
    report.status = WeeklyReport.Status.REVIEWED
    report.reviewed_at = timezone.now()
    report.version += 1
    report.save(update_fields=["status", "reviewed_at", "version", "updated_at"])
    ReviewAction.objects.create(report=report, actor=reviewer, kind=ReviewAction.Kind.REVIEWED)
    versions.touch_about(report.author_id, report.team)  # what waits for review, overdue teams, the author's home
    notify(
        recipients=report_access.readers_among(report, [report.author]),
        kind=Notification.Kind.FEEDBACK,
        event=f"feedback:{feedback.pk}",
        actor=reviewer,
        report=report,
        excerpt=praise or problems or suggestions or "; ".join(goals),
    )
    send_on_commit(report_reviewed, WeeklyReport, report=report, reviewer=reviewer, feedback=feedback)
    return feedback


def _carry_goals_forward(report: WeeklyReport, goals: list[FeedbackGoal]) -> None:
    """Add new goals to the author's next report when it is already open for writing."""
    following = (
        WeeklyReport.objects.filter(author_id=report.author_id, week_start__gt=report.week_start)
        .order_by("week_start")
        .first()
    )
    if following is not None and following.is_editable_by_author:
        PlanReview.objects.bulk_create(PlanReview(report=following, goal=goal, item_text=goal.text) for goal in goals)
        versions.touch([following.team])  # its edit page asks for them (reports.views._form_fields)


@transaction.atomic
def return_for_revision(*, report: WeeklyReport, reviewer: User, reason: str) -> ReviewAction:
    """Send a submitted or reviewed report back to its author, who can edit and resubmit it.

    Raises ValidationError without a reason, or when the report is not submitted or reviewed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the author should change.")})
    report = _locked(report)
    if report.status not in (WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED):
        raise ValidationError(
            _("Only a submitted or reviewed report can be returned (this one is %(status)s).")
            % {"status": report.get_status_display()}
        )
    old_status = report.get_status_display()
    report.status = WeeklyReport.Status.RETURNED
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    action = ReviewAction.objects.create(
        report=report, actor=reviewer, kind=ReviewAction.Kind.RETURNED, reason=reason[:2000]
    )
    versions.touch_about(report.author_id, report.team)
    record(
        actor=reviewer,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=report,
        changes={"status": [str(old_status), str(report.get_status_display())]},
        note=reason[:200],
    )
    notify(
        recipients=report_access.readers_among(report, [report.author]),
        kind=Notification.Kind.RETURNED,
        event=f"returned:{action.pk}",
        actor=reviewer,
        report=report,
        excerpt=reason,
        url=reverse("reports:edit", args=[report.pk]),
    )
    send_on_commit(report_returned, WeeklyReport, report=report, reviewer=reviewer, reason=action.reason)
    return action


# Withdrawal -------------------------------------------------------------------------------------


def is_withdrawable(report: WeeklyReport) -> bool:
    """Submitted and untouched by its readers: nobody but the author has opened it, and it was
    never reviewed or returned. A manager must never find a report they read gone back to draft."""
    return (
        report.status == WeeklyReport.Status.SUBMITTED
        and not ReportRead.objects.filter(report=report).exclude(reader=report.author_id).exists()
        and not report.review_actions.exists()
    )


@transaction.atomic
def withdraw_report(*, report: WeeklyReport, by: User) -> WeeklyReport:
    """Take a submitted report back to draft (撤回), keeping what was sent as a revision. The next
    submission counts as the first one (its lateness is computed again).

    Raises ValidationError once a reader has opened it or it has been reviewed or returned.
    """
    report = _locked(report)
    if not is_withdrawable(report):
        raise ValidationError(_("This report can no longer be withdrawn: a manager has already opened it."))
    report.status = WeeklyReport.Status.DRAFT
    report.submitted_at = report.last_submitted_at = report.late_by = None
    report.version += 1
    report.save(update_fields=["status", "submitted_at", "last_submitted_at", "late_by", "version", "updated_at"])
    ReportRevision.objects.create(
        report=report,
        number=report.revisions.count() + 1,
        author=by,
        snapshot=snapshot(report),
        kind=ReportRevision.Kind.WITHDRAWN,
    )
    versions.touch_about(report.author_id, report.team)
    report_signals.report_written.send(sender=WeeklyReport, report=report)
    record(
        actor=by,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=report,
        changes={"status": [str(WeeklyReport.Status.SUBMITTED.label), str(WeeklyReport.Status.DRAFT.label)]},
    )
    return report


# Comments ---------------------------------------------------------------------------------------

COMMENT_MAX_LENGTH = 5000
# Long enough to fix a typo just posted, short enough that a reply never loses its context.
COMMENT_EDIT_WINDOW = datetime.timedelta(minutes=15)
MENTION = re.compile(r"@([\w.\-]+)")


@dataclass
class Mentions:
    """Who a comment mentions: people who can see the report, and the @names that matched none of
    them (unknown names, or people who cannot see the report: they are not notified)."""

    people: list[User]
    unmatched: list[str]


def find_mentions(report: WeeklyReport, body: str) -> Mentions:
    """Match each "@name" to the longest display name or username, among the people who can see
    the report, that the text continues with ("@张伟明" is 张伟明, not 张伟)."""
    audience = list(report_access.report_audience(report))
    names = sorted(
        ((name, person) for person in audience for name in {person.display_name, person.username} if name),
        key=lambda pair: -len(pair[0]),
    )
    people, unmatched = {}, []
    for match in MENTION.finditer(body):
        rest = body[match.start() + 1 :]
        person = next((person for name, person in names if rest.startswith(name)), None)
        if person is None:
            unmatched.append(match.group(1))
        else:
            people[person.pk] = person
    return Mentions(list(people.values()), list(dict.fromkeys(unmatched)))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": _("A comment can have at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    return body


def _thread_participants(report: WeeklyReport) -> list[User]:
    """The report's author, its managers, whoever reviewed it and everyone who has commented."""
    commenters = User.objects.filter(
        pk__in=Comment.objects.filter(report=report, deleted_at__isnull=True).values("author_id")
    )
    reviewers = User.objects.filter(pk__in=Feedback.objects.filter(report=report).values("reviewer_id"))
    return [report.author, *report_access.reviewers_of(report), *reviewers, *commenters]


def _notify_about_comment(comment: Comment, mentioned: list[User], *, only_mentions: bool = False) -> None:
    report = comment.report
    notify(
        recipients=report_access.readers_among(report, mentioned),
        kind=Notification.Kind.MENTION,
        event=f"mention:{comment.pk}",
        actor=comment.author,
        report=report,
        excerpt=comment.body,
        url=f"{report.get_absolute_url()}#comment-{comment.pk}",
    )
    if only_mentions:
        return
    mentioned_ids = {person.pk for person in mentioned}
    notify(
        recipients=report_access.readers_among(
            report, [person for person in _thread_participants(report) if person.pk not in mentioned_ids]
        ),
        kind=Notification.Kind.COMMENT,
        event=f"comment:{comment.pk}",
        actor=comment.author,
        report=report,
        excerpt=comment.body,
        url=f"{report.get_absolute_url()}#comment-{comment.pk}",
    )


def thread_token(report_id: int) -> str:
    """The token under which a report's comments are kept (selectors.thread_comments)."""
    return f"reviews:thread:{report_id}"


def _comment_written(comment: Comment) -> None:
    """A comment added, changed or removed: the thread kept for its report is stale once this
    commits, and search indexes it (the signal)."""
    versions.touch_keys([thread_token(comment.report_id)])
    signals.comment_written.send(sender=Comment, comment=comment)


@transaction.atomic
def add_comment(
    *, report: WeeklyReport, author: User, body: str, parent: Comment | None = None, client_token: str = ""
) -> tuple[Comment, Mentions]:
    """Post a comment, or a reply to one (a reply to a reply joins the same thread).

    The same form posted twice (same `client_token`) returns the first comment and notifies no
    one again. Mentioned people who can see the report get a "mention" notification, the other
    participants a "comment" one. Raises ValidationError for an empty or too long text, or a
    parent in another report or removed.
    """
    body = _clean_body(body)
    client_token = (client_token or "")[:40]
    if client_token:
        existing = Comment.objects.filter(author=author, client_token=client_token).first()
        if existing is not None:
            return existing, Mentions([], [])
    if parent is not None:
        if parent.report_id != report.pk:
            raise ValidationError(_("You can only reply to a comment on the same report."))
        if parent.is_deleted:
            raise ValidationError(_("This comment has been removed; it cannot be answered."))
        parent = parent.parent or parent
    mentions = find_mentions(report, body)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                report=report, author=author, parent=parent, body=body, client_token=client_token
            )
    except IntegrityError:  # the double click's twin got there first
        return Comment.objects.get(author=author, client_token=client_token), Mentions([], [])
    comment.mentions.set(mentions.people)
    _notify_about_comment(comment, mentions.people)
    send_on_commit(comment_created, Comment, comment=comment)
    _comment_written(comment)
    return comment, mentions


def can_still_edit(comment: Comment, now: datetime.datetime | None = None) -> bool:
    """Within the edit window after posting, and not removed."""
    return not comment.is_deleted and (now or timezone.now()) <= comment.created_at + COMMENT_EDIT_WINDOW


@transaction.atomic
def edit_comment(*, comment: Comment, editor: User, body: str) -> tuple[Comment, Mentions]:
    """Change one's own comment within the edit window; people newly mentioned are notified.

    Raises ValidationError when the window has passed, the comment was removed or the text is
    empty or too long.
    """
    comment = Comment.objects.select_for_update().select_related("report__team", "report__author").get(pk=comment.pk)
    if comment.author_id != editor.pk:
        raise ValidationError(_("Only its author can change a comment."))
    if not can_still_edit(comment):
        raise ValidationError(
            _("Comments can be edited for %(minutes)d minutes after posting; post a new one instead.")
            % {"minutes": COMMENT_EDIT_WINDOW.seconds // 60}
        )
    body = _clean_body(body)
    if body != comment.body:
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        _comment_written(comment)
    mentions = find_mentions(comment.report, body)
    comment.mentions.set(mentions.people)
    _notify_about_comment(comment, mentions.people, only_mentions=True)
    return comment, mentions


@transaction.atomic
def delete_comment(*, comment: Comment, by: User) -> Comment:
    """Remove one's own comment. It stays in the thread as "removed" so replies keep their place;
    removing it again changes nothing. Raises ValidationError for someone else's comment."""
    if comment.author_id != by.pk:
        raise ValidationError(_("Only its author can remove a comment."))
    Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    comment.refresh_from_db(fields=["deleted_at"])
    _comment_written(comment)
    return comment


# Read receipts ----------------------------------------------------------------------------------


def record_reading(*, report: WeeklyReport, reader: User, feedback: list[Feedback] | None = None) -> list[ReportRead]:
    """Note that someone opened a submitted report: the first time a reader other than the author
    opens it (the author's read receipt), or the author reading feedback given since their last
    visit (the manager's). Also marks the reader's notifications about the report read. Returns
    the report's read receipts, this reading's included, for the page to show. A page that has
    loaded the report's `feedback` passes it: only what the author had not read is then written,
    and the objects show the reading."""
    now = timezone.now()
    mark_report_read(user=reader, report=report)
    reads = list(ReportRead.objects.filter(report=report).select_related("reader"))
    if report.author_id == reader.pk:
        if feedback is None:
            feedback = list(Feedback.objects.filter(report=report, read_by_author_at__isnull=True))
        if unread := [item for item in feedback if item.read_by_author_at is None]:
            Feedback.objects.filter(pk__in=[item.pk for item in unread], read_by_author_at__isnull=True).update(
                read_by_author_at=now
            )
            for item in unread:
                item.read_by_author_at = now
            versions.touch_people([reader.pk])  # their home lists the feedback still unread
    elif report.status != WeeklyReport.Status.DRAFT and all(read.reader_id != reader.pk for read in reads):
        receipt = ReportRead(report=report, reader=reader, first_read_at=now)
        ReportRead.objects.bulk_create([receipt], ignore_conflicts=True)
        reads.append(receipt)
    return reads
