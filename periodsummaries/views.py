"""Pages of period summaries: the author's list and editor (autosave and conflicts as on weekly
reports), the summary page and PDF, the reviewer's queue and review, practices."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from periodsummaries import access, selectors, services
from periodsummaries.forms import TEXT_LABELS, PracticeForm, StartForm, SummaryEditor, SummaryRulesForm
from periodsummaries.models import PeriodSummary, SummaryConflict, SummaryReviewAction
from periodsummaries.pdf import summary_pdf
from reviews.forms import FeedbackForm, ReturnForm
from reviews.models import ReviewAction


@require_GET
def my_summaries(request):
    if not access.writes_summaries(request.user):
        raise Http404
    return render(
        request,
        "periodsummaries/my.html",
        {
            "summaries": PeriodSummary.objects.filter(author=request.user).select_related("team"),
            "start_form": StartForm(can_lead=access.leads_team(request.user)),
            "own_team_id": access.own_team_id(request.user),
        },
    )


@require_POST
def start(request):
    if not access.writes_summaries(request.user):
        raise Http404
    form = StartForm(request.POST, can_lead=access.leads_team(request.user))
    if form.is_valid():
        try:
            summary = services.open_summary(author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if access.can_edit_summary(request.user, summary):
                return redirect("periodsummaries:edit", pk=summary.pk)
            return redirect(summary)
    return render(
        request,
        "periodsummaries/my.html",
        {
            "summaries": PeriodSummary.objects.filter(author=request.user).select_related("team"),
            "start_form": form,
            "own_team_id": access.own_team_id(request.user),
        },
    )


def edit(request, pk):
    summary = access.summary_for_edit(request.user, pk)
    editor = SummaryEditor(summary, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            saved = _save_draft(request, summary, editor)
        except services.SummaryConflictError as exc:
            return _to_conflict(request, exc.conflict)
        if saved is not None:
            messages.success(request, _("Draft saved."))
            return redirect("periodsummaries:edit", pk=summary.pk)
    return _render_edit(request, summary, editor, base_version=_started_from(editor, summary))


@require_POST
def autosave(request, pk):
    summary = access.summary_for_edit(request.user, pk)
    editor = SummaryEditor(summary, request.POST)
    template = "periodsummaries/edit.html#autosave-result"
    try:
        saved = _save_draft(request, summary, editor)
    except services.SummaryConflictError as exc:
        return render(request, template, {"summary": summary, "autosave": "conflict", "conflict": exc.conflict})
    if saved is None:
        return render(
            request,
            template,
            {"summary": summary, "autosave": "invalid", "message": editor.first_error(), **editor.context()},
        )
    return render(
        request,
        template,
        {
            "summary": saved,
            "autosave": "saved",
            "saved_at": timezone.now(),
            "base_version": saved.version,
            **editor.context(),
        },
    )


def _keep_posted(request, pk) -> tuple[SummaryEditor, PeriodSummary | None, HttpResponse | None]:
    """Store what the page holds before acting on the summary: the editor, the saved summary, and
    the answer to give instead when it could not be stored (a conflict, or errors to show)."""
    summary = access.summary_for_edit(request.user, pk)
    editor = SummaryEditor(summary, request.POST)
    try:
        saved = _save_draft(request, summary, editor)
    except services.SummaryConflictError as exc:
        return editor, None, _to_conflict(request, exc.conflict)
    if saved is None:
        return editor, None, _render_edit(request, summary, editor, base_version=_started_from(editor, summary))
    return editor, saved, None


@require_POST
def refresh_figures(request, pk):
    """Keep what the page holds, then take the period's figures from the weekly reports again."""
    _editor, saved, refused = _keep_posted(request, pk)
    if refused:
        return refused
    changed = services.refresh_figures(summary=saved)
    if changed:
        messages.success(
            request,
            _("Figures updated from the weekly reports: %(kpis)s.")
            % {"kpis": _(", ").join(row.kpi.name for row in changed)},
        )
    else:
        messages.info(request, _("The weekly reports show no new figures for this period."))
    return redirect("periodsummaries:edit", pk=saved.pk)


@require_POST
def submit(request, pk):
    editor, saved, refused = _keep_posted(request, pk)
    if refused:
        return refused
    try:
        submitted = services.submit_summary(summary=saved, by=request.user)
    except ValidationError as exc:
        editor.add_errors(exc)
        return _render_edit(request, saved, editor, base_version=saved.version)
    messages.success(request, _("Summary submitted."))
    return redirect(submitted)


@require_GET
def conflict(request, pk, conflict_pk):
    summary = access.summary_for_edit(request.user, pk)
    refused = get_object_or_404(SummaryConflict, pk=conflict_pk, summary=summary, user=request.user)
    return render(
        request,
        "periodsummaries/conflict.html",
        {"summary": summary, "conflict": refused, "rows": _compare(summary, refused.data)},
    )


@require_POST
def conflict_keep_mine(request, pk, conflict_pk):
    summary = access.summary_for_edit(request.user, pk)
    refused = get_object_or_404(SummaryConflict, pk=conflict_pk, summary=summary, user=request.user)
    try:
        services.resolve_conflict(conflict=refused, editor=request.user)
    except services.SummaryConflictError as exc:
        return _to_conflict(request, exc.conflict)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your version has been saved."))
    return redirect("periodsummaries:edit", pk=summary.pk)


@require_GET
def detail(request, pk):
    summary = access.summary_for_view(request.user, pk)
    return render(
        request,
        "periodsummaries/detail.html",
        {
            **selectors.summary_context(summary),
            "can_edit": access.can_edit_summary(request.user, summary),
            "can_review": access.can_review_summary(request.user, summary),
            "practice_form": PracticeForm() if access.can_mark_practice(request.user, summary) else None,
            "revisions": summary.revisions.select_related("author"),
        },
    )


@require_GET
def pdf(request, pk):
    summary = access.summary_for_view(request.user, pk)
    content = summary_pdf(summary, translation.get_language())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="summary-{summary.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def queue(request):
    if not (access.leads_team(request.user) or request.user.is_staff):
        raise Http404
    s = access.reviewable_summaries(request.user)
    return render(
        request,
        "periodsummaries/queue.html",
        {
            "awaiting": s.filter(status=PeriodSummary.Status.SUBMITTED).select_related("author", "team"),
            "done": s.exclude(status=PeriodSummary.Status.SUBMITTED).select_related("author", "team")[:50],
        },
    )


def _render_review(request, summary, feedback_form=None, return_form=None, status=200):
    return render(
        request,
        "periodsummaries/review.html",
        {
            **selectors.summary_context(summary),
            "feedback_form": feedback_form or FeedbackForm(),
            "return_form": return_form or ReturnForm(),
        },
        status=status,
    )


@require_GET
def review(request, pk):
    return _render_review(request, access.summary_for_review(request.user, pk))


@require_POST
def mark_reviewed(request, pk):
    summary = access.summary_for_review(request.user, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.mark_reviewed(
                summary=summary,
                reviewer=request.user,
                praise=data["praise"],
                problems=data["problems"],
                suggestions=data["suggestions"],
                goals=form.goal_list(),
                rating=data["rating"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Summary marked reviewed."))
            return redirect("periodsummaries:queue")
    return _render_review(request, summary, feedback_form=form)


@require_POST
def return_summary(request, pk):
    summary = access.summary_for_review(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_for_revision(summary=summary, reviewer=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Summary returned to its author."))
            return redirect("periodsummaries:queue")
    return _render_review(request, summary, return_form=form)


@require_POST
def practice_add(request, pk):
    summary = access.summary_for_practice(request.user, pk)
    form = PracticeForm(request.POST)
    if form.is_valid():
        try:
            services.mark_practice(summary=summary, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kept as a practice of %(team)s.") % {"team": summary.team})
            return redirect(summary)
    return render(
        request,
        "periodsummaries/detail.html",
        {
            **selectors.summary_context(summary),
            "can_edit": access.can_edit_summary(request.user, summary),
            "can_review": access.can_review_summary(request.user, summary),
            "practice_form": form,
            "revisions": summary.revisions.select_related("author"),
        },
    )


@require_GET
def practices(request, pk):
    team = access.team_for_practices(request.user, pk)
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "periodsummaries/practices.html",
        {"team": team, "query": query, "practices": selectors.practices_of(team, query)},
    )


def rules(request, pk):
    team = access.team_for_summary_rules(request.user, pk)
    form = SummaryRulesForm(request.POST or None, initial={"deviation_percent": selectors.deviation_percent(team)})
    if request.method == "POST" and form.is_valid():
        services.set_deviation_percent(team=team, percent=form.cleaned_data["deviation_percent"])
        messages.success(request, _("Saved."))
        return redirect("periodsummaries:rules", pk=team.pk)
    return render(request, "periodsummaries/rules.html", {"team": team, "form": form})


# Helpers ----------------------------------------------------------------------------------------


def _save_draft(request, summary: PeriodSummary, editor: SummaryEditor) -> PeriodSummary | None:
    if not editor.is_valid():
        return None
    try:
        return services.save_draft(
            summary=summary, editor=request.user, base_version=editor.base_version(), data=editor.content()
        )
    except ValidationError as exc:
        editor.add_errors(exc)
        return None


def _started_from(editor: SummaryEditor, summary: PeriodSummary) -> int:
    return getattr(editor.form, "cleaned_data", {}).get("base_version", summary.version)


def _to_conflict(request, refused: SummaryConflict) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This summary was changed in another tab or on another device. Nothing you "
            "typed is lost: choose which version to keep."
        ),
    )
    return redirect("periodsummaries:conflict", pk=refused.summary_id, conflict_pk=refused.pk)


def _render_edit(request, summary: PeriodSummary, editor: SummaryEditor, *, base_version: int) -> HttpResponse:
    latest_return = None
    if summary.status == PeriodSummary.Status.RETURNED:
        latest_return = (
            SummaryReviewAction.objects.filter(summary=summary, kind=ReviewAction.Kind.RETURNED)
            .select_related("actor")
            .last()
        )
    return render(
        request,
        "periodsummaries/edit.html",
        {
            "summary": summary,
            **editor.context(),
            "base_version": base_version,
            "autosave": "idle",
            "latest_return": latest_return,
            "member_summaries": list(selectors.member_summaries(summary)),
        },
    )


def _compare(summary: PeriodSummary, refused: dict) -> list[dict]:
    """What is stored now and what the refused save held, part by part."""
    rows = []
    for name, (label, _help) in TEXT_LABELS.items():
        if name in refused:
            stored, mine = getattr(summary, name), refused[name]
            rows.append({"label": label, "saved": stored, "mine": mine, "differs": stored != mine})
    figures = refused.get("kpis", {})
    for row in summary.kpis.select_related("kpi"):
        mine = figures.get(str(row.kpi_id))
        if mine is not None:
            stored = " · ".join(p for p in (services.number_text(row.actual), row.cause) if p)
            theirs = " · ".join(p for p in (mine.get("actual", ""), mine.get("cause", "")) if p)
            rows.append({"label": row.kpi.name, "saved": stored, "mine": theirs, "differs": stored != theirs})
    if "plan" in refused:
        stored = "\n".join(" | ".join(v for v in r.values() if v) for r in services.stored_plan(summary))
        mine = "\n".join(" | ".join(str(v) for v in r.values() if v) for r in refused["plan"])
        rows.append({"label": _("Next period's plan"), "saved": stored, "mine": mine, "differs": stored != mine})
    return rows
