"""The manager's side: the weekly review queue, the director's roll-up, one report's review page,
and the two actions on it (mark reviewed with feedback, return for revision). Rules live in
reviews/services.py, the queries in reviews/queries.py."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import access as report_access
from reports import extensions
from reports.models import KpiValue, PlanReview, WeeklyReport
from reports.selectors import rendered_sections, sections_context
from reviews import access as review_access
from reviews import queries, selectors, services
from reviews.forms import FeedbackForm, ReturnForm
from reviews.models import Feedback
from reviews.selectors import review_record_context
from teams import access, filters, versions
from teams.forms import save_or_show_errors
from teams.models import User

HISTORY_WEEKS = 4
GOING_COLD_SHOWN = 10


# Weeks ------------------------------------------------------------------------------------------


def _next_awaiting(user: User, report: WeeklyReport) -> int | None:
    """The pk of the awaiting report after this one in the reviewer's queue of the same week (wrapping
    round), or None when no other report is waiting."""
    pks = list(queries.awaiting(user, report.week_start).values_list("pk", flat=True))
    if report.pk in pks:
        index = pks.index(report.pk)
        pks = pks[index + 1 :] + pks[:index]
    pks = [pk for pk in pks if pk != report.pk]
    return pks[0] if pks else None


# Pages ------------------------------------------------------------------------------------------


@require_GET
def queue(request):
    queue = selectors.review_queue(request.user, request.GET)
    export = filters.export_list(request, "review_queue", queue.rows)
    if export:
        return export
    teams = queue.teams
    return render(
        request,
        "reviews/queue.html",
        {
            **_week_links(queue.week),
            "teams": teams,
            "team": queue.team,
            "groups": queue.groups,
            "sections": queue.sections,
            "counts": {name: len(rows) for name, rows in queue.groups.items()},
            "waiting_weeks": queue.waiting,
            "waiting_total": sum(n for _w, n in queue.waiting),
            "due_at": queue.due_at,
            "can_view_overview": review_access.can_view_review_overview(request.user),
            "summary_team": queue.team or (teams[0] if teams else None),
            "filter_form": queue.filter_form,
            "state": queue.state,
            "export_query": queue.query,
        },
    )


def _week_links(week: datetime.date) -> dict:
    return {
        "week": week,
        "week_end": week + datetime.timedelta(days=6),
        "previous_week": week - datetime.timedelta(days=7),
        "next_week": week + datetime.timedelta(days=7),
    }


@require_GET
def overview(request):
    """The read-only roll-up of the subtree's queues: which managers are behind."""
    overview = selectors.review_overview(request.user, request.GET)
    export = filters.export_list(request, "reviews_overview", overview.rows)
    if export:
        return export
    return render(
        request,
        "reviews/overview.html",
        {
            **_week_links(overview.week),
            "rows": overview.rows,
            "totals": overview.totals,
            "filter_form": overview.filter_form,
            "export_query": overview.query,
        },
    )


@require_GET
def review(request, pk):
    report = report_access.report_for_review(request.user, pk)
    services.record_reading(report=report, reader=request.user)
    return _render_review(request, report, FeedbackForm(), ReturnForm())


def _render_review(request, report: WeeklyReport, feedback_form: FeedbackForm, return_form: ReturnForm, status=200):
    """The report with what the reviewer needs beside it (its KPIs against the weeks before and
    the author's sales log) and the two forms. The comment thread and the side panel (last week's
    feedback and goals, the review record, customers going cold) arrive as fragments of their own
    once the page is shown (thread() and side()), so the report is on screen first."""
    # The weeks before are those in the reviewer's reach, so readers with the same reach share it.
    reach = access.scope(request.user).reach
    sections = rendered_sections(report, ("review", reach), lambda: _review_sections(request.user, report))
    return render(
        request,
        "reviews/review.html",
        {
            "report": report,
            "sections": sections,
            "feedback_form": feedback_form,
            "return_form": return_form,
            "queue_url": f"{reverse('reviews:queue')}?week={report.week_start:%Y-%m-%d}",
        },
        status=status,
    )


def _review_sections(reader: User, report: WeeklyReport) -> dict:
    """sections_context() with the author's actuals of the weeks before and their sales log."""
    weeks = [report.week_start - datetime.timedelta(days=7 * i) for i in range(HISTORY_WEEKS, 0, -1)]
    # The report's KPI values and the author's actuals of the weeks before (those in the
    # reviewer's reach: not what they wrote in another team), in one query.
    reports = (
        report_access.visible_reports(reader)
        .filter(author_id=report.author_id)
        .filter(Q(pk=report.pk) | Q(week_start__in=weeks) & ~Q(status=WeeklyReport.Status.DRAFT))
    )
    kpi_values, past = [], {}
    for value in (
        KpiValue.objects.filter(report__in=reports.values("pk"))
        .select_related("kpi")
        .annotate(week=F("report__week_start"))
        .order_by("kpi__position")
    ):
        if value.report_id == report.pk:
            kpi_values.append(value)
        else:
            past[value.kpi_id, value.week] = value.actual
    return sections_context(report, history_weeks=weeks, past_actuals=past, compare_log=True, kpi_values=kpi_values)


@require_GET
def side(request, pk):
    """The review page's side panel: the report's review record (feedback, returns, read receipts)
    and the author's customers going cold, with last week's feedback and goals, which htmx puts
    above the report (out of band). A fragment for htmx; a page of its own without it."""
    report = report_access.report_for_review(request.user, pk)
    going_cold = extensions.sales_log().going_cold(request.user, report, GOING_COLD_SHOWN)
    return render(
        request,
        "reviews/_review_side.html" if request.htmx else "reviews/review_side.html",
        {
            "report": report,
            **review_record_context(report),
            "going_cold": list(going_cold),
            **_last_feedback(report, request.user),
            "oob_last_feedback": bool(request.htmx),
        },
    )


def _last_feedback(report: WeeklyReport, reader) -> dict:
    """The feedback on the author's previous report in the reader's reach (whichever week that
    was), each goal with what this report answered about it.

    Kept per reader and reach under the report's version, its team's data version and its
    author's own token, which every change to the author's reports replaces (a report opened,
    saved, submitted, reviewed or returned, in whichever team)."""
    what = ("last-feedback", report.pk, report.version, reader.pk, access.scope(reader).reach)
    return versions.kept_about(report.author_id, report.team_id, what, lambda: _read_last_feedback(report, reader))


def _read_last_feedback(report: WeeklyReport, reader) -> dict:
    previous_report = (
        report_access.visible_reports(reader)
        .filter(author_id=report.author_id, week_start__lt=report.week_start)
        .order_by("-week_start")
        .values("pk")[:1]
    )
    feedback_list = list(
        Feedback.objects.filter(report=Subquery(previous_report))
        .select_related("reviewer", "report")
        .prefetch_related("goals")
    )
    if not feedback_list:
        return {"previous": None, "last_feedback": []}
    goals = [goal for feedback in feedback_list for goal in feedback.goals.all()]
    outcomes = {r.goal_id: r for r in PlanReview.objects.filter(report=report, goal__in=goals)} if goals else {}
    return {
        "previous": feedback_list[0].report,
        "last_feedback": [
            {
                "feedback": feedback,
                "goals": [{"goal": goal, "review": outcomes.get(goal.pk)} for goal in feedback.goals.all()],
            }
            for feedback in feedback_list
        ],
    }


@require_GET
def next_report(request, pk):
    """The "Next report" link and the j/n keys: the report waiting after this one in the reviewer's
    queue of the same week, worked out when asked for; the queue when none is left."""
    report = report_access.report_for_review(request.user, pk)
    return _after_action(request, report)


# Actions ----------------------------------------------------------------------------------------


def _after_action(request, report: WeeklyReport):
    following = _next_awaiting(request.user, report)
    if following is not None:
        return redirect("reviews:review", pk=following)
    messages.info(request, _("No more reports are waiting for review this week."))
    return redirect(f"{reverse('reviews:queue')}?week={report.week_start:%Y-%m-%d}")


@require_POST
def mark_reviewed(request, pk):
    report = report_access.report_for_review(request.user, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid() and save_or_show_errors(
        form,
        lambda: services.mark_reviewed(
            report=report,
            reviewer=request.user,
            praise=form.cleaned_data["praise"],
            problems=form.cleaned_data["problems"],
            suggestions=form.cleaned_data["suggestions"],
            goals=form.goal_list(),
            rating=form.cleaned_data["rating"],
        ),
    ):
        messages.success(request, _("%(name)s's report is marked reviewed.") % {"name": report.author})
        return _after_action(request, report)
    report.refresh_from_db()
    return _render_review(request, report, form, ReturnForm())


@require_POST
def return_report(request, pk):
    report = report_access.report_for_review(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid() and save_or_show_errors(
        form,
        lambda: services.return_for_revision(report=report, reviewer=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, _("%(name)s's report is returned for revision.") % {"name": report.author})
        return _after_action(request, report)
    report.refresh_from_db()
    return _render_review(request, report, FeedbackForm(), form)


@require_POST
def withdraw(request, pk):
    """The author takes a submitted report back to draft (撤回) while no manager has opened it."""
    report = report_access.report_for_withdrawal(request.user, pk)
    try:
        services.withdraw_report(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(report)
    messages.success(request, _("Your report is back to draft: change it and submit it again."))
    return redirect("reports:edit", pk=report.pk)
