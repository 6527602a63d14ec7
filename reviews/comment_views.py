"""The comment thread under every report: post, reply, edit within the window, remove. The thread
is shown on the report page and on the review page; with htmx a post swaps in the new thread,
without it the page reloads at the new comment."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from reports import access as report_access
from reports.models import WeeklyReport
from reviews import access as review_access
from reviews import services
from reviews.forms import CommentEditForm, CommentForm
from reviews.models import Comment
from reviews.selectors import thread_comments


def thread_context(request, report: WeeklyReport, form: CommentForm | None = None, next_url: str = "") -> dict:
    """What reviews/_thread.html needs: the comments as threads, with the user's rights on each.
    `next_url` is the page a post goes back to without htmx (by default the one showing it)."""
    comments = thread_comments(report)
    entries = {
        comment.pk: {
            "comment": comment,
            "can_edit": review_access.can_change_comment(request.user, comment) and services.can_still_edit(comment),
            "can_delete": review_access.can_change_comment(request.user, comment) and not comment.is_deleted,
            "replies": [],
        }
        for comment in comments
    }
    threads = []
    for comment in comments:
        if comment.parent_id in entries:
            entries[comment.parent_id]["replies"].append(entries[comment.pk])
        else:
            threads.append(entries[comment.pk])
    can_comment = review_access.can_comment_on_report(request.user, report)
    return {
        "report": report,
        "threads": threads,
        "comment_count": sum(1 for c in comments if not c.is_deleted),
        "can_comment": can_comment,
        "comment_form": form or CommentForm(),
        "reply_token": uuid.uuid4().hex,
        "mentionable": [p for p in report_access.report_audience(report) if p.pk != request.user.pk and not p.is_staff]
        if can_comment
        else [],
        "thread_next": next_url
        or (request.get_full_path() if request.method == "GET" else request.POST.get("next", "")),
    }


@require_GET
def thread(request, pk):
    """The thread on its own: the fragment the review page loads once it is shown, or, without
    htmx, a page with the thread that posts come back to."""
    report = report_access.report_for_view(request.user, pk)
    if request.htmx:
        back = _next(request) or report.get_absolute_url()
        return render(request, "reviews/_thread.html", thread_context(request, report, next_url=back))
    return render(request, "reviews/thread_page.html", thread_context(request, report))


def _next(request) -> str:
    """The page the thread was posted from or is shown on (the report or its review page), if it
    is ours."""
    target = request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target.split("#")[0]
    return ""


def _back_to(request, report: WeeklyReport, anchor: str) -> str:
    return f"{_next(request) or report.get_absolute_url()}#{anchor}"


@require_POST
def add(request, pk):
    report = report_access.report_for_view(request.user, pk)
    if not review_access.can_comment_on_report(request.user, report):
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], report=report)
        try:
            comment, mentions = services.add_comment(
                report=report,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                client_token=form.cleaned_data["client_token"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _say_who_was_not_notified(request, mentions)
            if request.htmx:
                return render(request, "reviews/_thread.html", thread_context(request, report))
            return redirect(_back_to(request, report, f"comment-{comment.pk}"))
    if request.htmx:
        return render(request, "reviews/_thread.html", thread_context(request, report, form))
    # Without htmx the typed text comes back on a page of its own, with the error beside it.
    return render(request, "reviews/comment_form.html", {"report": report, "form": form, "next": _next(request)})


def _say_who_was_not_notified(request, mentions: services.Mentions) -> None:
    if mentions.unmatched:
        names = "、".join(f"@{name}" for name in mentions.unmatched)
        messages.warning(
            request,
            _("Not notified: %(names)s. Only people who can see this report can be mentioned.") % {"names": names},
        )


def edit(request, pk):
    comment = review_access.comment_for_change(request.user, pk)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment, mentions = services.edit_comment(
                comment=comment, editor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _say_who_was_not_notified(request, mentions)
            messages.success(request, _("Your comment is updated."))
            return redirect(f"{comment.report.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "reviews/comment_edit.html",
        {"comment": comment, "report": comment.report, "form": form, "can_edit": services.can_still_edit(comment)},
    )


@require_POST
def delete(request, pk):
    comment = review_access.comment_for_change(request.user, pk)
    services.delete_comment(comment=comment, by=request.user)
    if request.htmx:
        return HttpResponseClientRedirect(_back_to(request, comment.report, f"comment-{comment.pk}"))
    messages.success(request, _("Your comment is removed."))
    return redirect(_back_to(request, comment.report, f"comment-{comment.pk}"))
