"""Writes to the search index. Called in the transaction of the change they follow (through the
signals connected in search.apps), so an entry is current as soon as the change commits."""

from collections.abc import Iterable, Iterator

from django.db import transaction

from reports.models import WeeklyReport
from reviews.models import Comment, Feedback
from search import selectors
from search.models import SearchEntry
from search.text import tsvector_literal
from teams import versions

BATCH = 2000


def report_text(report: WeeklyReport) -> str:
    """What a report says: its review, problems (with customer, cause, action and help needed),
    next week's plan, notes on last week's plan and the template's own text fields."""
    lines = [report.summary]
    for problem in report.problems.all():
        lines.append(
            " ".join(
                part
                for part in (problem.customer, problem.problem, problem.cause, problem.action, problem.help_needed)
                if part
            )
        )
    lines += [" ".join(part for part in (item.customer, item.item) if part) for item in report.plan_items.all()]
    lines += [review.note for review in report.plan_reviews.all() if review.note]
    lines += [value for value in (report.custom_values or {}).values() if isinstance(value, str)]
    return "\n".join(line for line in lines if line.strip())


def feedback_text(feedback: Feedback) -> str:
    parts = [feedback.praise, feedback.problems, feedback.suggestions, *(goal.text for goal in feedback.goals.all())]
    return "\n".join(part for part in parts if part.strip())


def _of_report(report: WeeklyReport) -> dict:
    """What every entry copies from its report, to decide who may find it."""
    return {
        "report_id": report.pk,
        "report_author_id": report.author_id,
        "is_draft": report.status == WeeklyReport.Status.DRAFT,
        "team_id": report.team_id,
        "week_start": report.week_start,
    }


def _report_entry(report: WeeklyReport) -> SearchEntry:
    text = report_text(report)
    return SearchEntry(
        kind=SearchEntry.Kind.REPORT,
        object_id=report.pk,
        **_of_report(report),
        author_id=report.author_id,
        written_at=report.last_submitted_at or report.updated_at,
        text=text,
        terms=tsvector_literal(text),
    )


def _feedback_entry(feedback: Feedback, report: WeeklyReport) -> SearchEntry:
    text = feedback_text(feedback)
    return SearchEntry(
        kind=SearchEntry.Kind.FEEDBACK,
        object_id=feedback.pk,
        **_of_report(report),
        author_id=feedback.reviewer_id,
        written_at=feedback.created_at,
        text=text,
        terms=tsvector_literal(text),
    )


def _comment_entry(comment: Comment, report: WeeklyReport) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.COMMENT,
        object_id=comment.pk,
        **_of_report(report),
        author_id=comment.author_id,
        written_at=comment.created_at,
        text=comment.body,
        terms=tsvector_literal(comment.body),
    )


def _replace(kind: str, object_id: int, entry: SearchEntry | None) -> None:
    """Store the entry for one source object, or remove it (None, or nothing to find in it)."""
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
    if entry is not None and entry.terms:
        entry.save()


@transaction.atomic
def index_report(*, report: WeeklyReport) -> None:
    """Index the report's current content (drafts too: their authors find them), and whether it is
    a draft on the entries of its comments and feedback."""
    is_draft = report.status == WeeklyReport.Status.DRAFT
    # Before the report's own entry is replaced, so that a withdrawal counts it among those that
    # others could find until now.
    changed = SearchEntry.objects.filter(report=report).exclude(is_draft=is_draft).update(is_draft=is_draft)
    found_by_others = not is_draft or changed > 0
    _replace(SearchEntry.Kind.REPORT, report.pk, _report_entry(report))
    # The results kept for those who may find the report (selectors.kept_newest_page): everyone's
    # once it was or is submitted, otherwise its author's alone (an autosave).
    versions.touch_keys([selectors.PUBLISHED if found_by_others else selectors.own_token(report.author_id)])


@transaction.atomic
def index_feedback(*, feedback: Feedback) -> None:
    _replace(SearchEntry.Kind.FEEDBACK, feedback.pk, _feedback_entry(feedback, feedback.report))
    versions.touch_keys([selectors.PUBLISHED])


@transaction.atomic
def index_comment(*, comment: Comment) -> None:
    """Index a comment as it now reads; a removed comment leaves the index."""
    entry = None if comment.is_deleted else _comment_entry(comment, comment.report)
    _replace(SearchEntry.Kind.COMMENT, comment.pk, entry)
    versions.touch_keys([selectors.PUBLISHED])


def _entries() -> Iterator[SearchEntry]:
    reports = WeeklyReport.objects.prefetch_related("problems", "plan_items", "plan_reviews").order_by("pk")
    for report in reports.iterator(chunk_size=BATCH):
        yield _report_entry(report)
    feedback = Feedback.objects.select_related("report").prefetch_related("goals").order_by("pk")
    for item in feedback.iterator(chunk_size=BATCH):
        yield _feedback_entry(item, item.report)
    comments = Comment.objects.filter(deleted_at__isnull=True).select_related("report").order_by("pk")
    for comment in comments.iterator(chunk_size=BATCH):
        yield _comment_entry(comment, comment.report)


def _save_in_batches(entries: Iterable[SearchEntry]) -> int:
    batch: list[SearchEntry] = []
    count = 0
    for entry in entries:
        if not entry.terms:
            continue
        batch.append(entry)
        if len(batch) == BATCH:
            SearchEntry.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    return count + len(batch)


@transaction.atomic
def rebuild() -> int:
    """Index every report, feedback and comment afresh; returns the number of entries."""
    SearchEntry.objects.all().delete()
    versions.touch_keys([selectors.PUBLISHED])  # every kept result: the entries are new
    return _save_in_batches(_entries())
