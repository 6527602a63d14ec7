"""The author's side of the weekly report: this week's report, the form with autosave, conflicts
between tabs, submitting and attachments. Reading lives in read_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.text import duration_text
from reports import access as report_access
from reports import extensions, services
from reports import sections as report_sections
from reports.calendar import effective_deadline, kept_calendar_for
from reports.forms import AttachmentForm, ReportEditor
from reports.models import Attachment, DraftConflict, PlanReview, ProblemCategory, WeeklyReport
from reports.templatetags.report_tags import kpi_number
from teams import versions


@require_GET
def this_week(request):
    try:
        report = services.open_report(author=request.user)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect("home")
    if report_access.can_edit_report(request.user, report):
        return redirect("reports:edit", pk=report.pk)
    return redirect(report)


def edit(request, pk):
    report = report_access.report_for_edit(request.user, pk)
    if request.method != "POST":
        return _render_edit(request, report, None, base_version=report.version)
    editor = ReportEditor(report, request.POST)
    try:
        saved = _save_draft(request, report, editor)
    except services.ReportConflict as exc:
        return _to_conflict(request, exc.conflict)
    if saved is not None:
        messages.success(request, _("Draft saved."))
        return redirect("reports:edit", pk=report.pk)
    return _render_edit(request, report, editor, base_version=_started_from(editor, report))


@require_POST
def autosave(request, pk):
    report = report_access.report_for_edit(request.user, pk)
    editor = ReportEditor(report, request.POST)
    try:
        saved = _save_draft(request, report, editor)
    except services.ReportConflict as exc:
        return render(
            request,
            "reports/edit.html#autosave-result",
            {"report": report, "autosave": "conflict", "conflict": exc.conflict},
        )
    if saved is None:
        return render(
            request,
            "reports/edit.html#autosave-result",
            {"report": report, "autosave": "invalid", "message": editor.first_error(), **editor.context()},
        )
    return render(
        request,
        "reports/edit.html#autosave-result",
        {
            "report": saved,
            "autosave": "saved",
            "saved_at": timezone.now(),
            "base_version": saved.version,
            **editor.context(),
        },
    )


def _keep_posted(request, pk) -> tuple[ReportEditor, WeeklyReport | None, HttpResponse | None]:
    """Store what the page holds before acting on the report: the editor, the saved report, and
    the answer to give instead when it could not be stored (a conflict, or errors to show)."""
    report = report_access.report_for_edit(request.user, pk)
    editor = ReportEditor(report, request.POST)
    try:
        saved = _save_draft(request, report, editor)
    except services.ReportConflict as exc:
        return editor, None, _to_conflict(request, exc.conflict)
    if saved is None:
        return editor, None, _render_edit(request, report, editor, base_version=_started_from(editor, report))
    return editor, saved, None


@require_POST
def submit(request, pk):
    editor, saved, refused = _keep_posted(request, pk)
    if refused:
        return refused
    try:
        submitted = services.submit_report(report=saved, by=request.user)
    except ValidationError as exc:
        # What was typed is kept as the draft; the page goes on from the version just saved.
        editor.add_errors(exc)
        return _render_edit(request, saved, editor, base_version=saved.version)
    if submitted.late_by:
        messages.success(request, _("Report submitted, late by %(late)s.") % {"late": duration_text(submitted.late_by)})
    else:
        messages.success(request, _("Report submitted."))
    return redirect(submitted)


@require_POST
def fill_from_log(request, pk):
    """Keep what the page holds, then fill the draft from the author's sales log of the week."""
    _editor, saved, refused = _keep_posted(request, pk)
    if refused:
        return refused
    try:
        result = extensions.sales_log().fill_from_log(
            report=saved, replace_typed=request.POST.get("replace_typed") == "1"
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(saved)
    if result.filled or result.lines_added:
        filled = _(", ").join(f"{kpi.name} {kpi_number(value, kpi.decimals)}" for kpi, value in result.filled)
        messages.success(
            request,
            _("Filled from your sales log: %(numbers)s. Lines added to the work review: %(lines)d.")
            % {"numbers": filled or "—", "lines": result.lines_added},
        )
    if result.kept:
        kept = _(", ").join(
            _("%(kpi)s (you typed %(typed)s, the log shows %(logged)s)")
            % {"kpi": kpi.name, "typed": kpi_number(typed, kpi.decimals), "logged": kpi_number(logged, kpi.decimals)}
            for kpi, typed, logged in result.kept
        )
        messages.warning(request, _("Kept what you typed for %(kpis)s.") % {"kpis": kept})
    if not (result.changed or result.kept):
        messages.info(request, _("Your sales log has nothing new for this week."))
    return redirect("reports:edit", pk=saved.pk)


@require_GET
def conflict(request, pk, conflict_pk):
    report = report_access.report_for_edit(request.user, pk)
    refused = get_object_or_404(DraftConflict, pk=conflict_pk, report=report, user=request.user)
    return render(
        request,
        "reports/conflict.html",
        {
            "report": report,
            "conflict": refused,
            "rows": _compare(report, refused.data),
        },
    )


@require_POST
def conflict_keep_mine(request, pk, conflict_pk):
    report = report_access.report_for_edit(request.user, pk)
    refused = get_object_or_404(DraftConflict, pk=conflict_pk, report=report, user=request.user)
    try:
        services.resolve_conflict(conflict=refused, editor=request.user)
    except services.ReportConflict as exc:
        return _to_conflict(request, exc.conflict)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your version has been saved."))
    return redirect("reports:edit", pk=report.pk)


@require_POST
def attachment_upload(request, pk):
    report = report_access.report_for_edit(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    added = None
    if form.is_valid():
        try:
            added = services.add_attachment(report=report, uploaded_by=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
    if request.htmx:
        return _render_attachments(request, report, AttachmentForm() if added else form, added=added)
    if added:
        messages.success(request, _("“%(name)s” attached.") % {"name": added.original_name})
    else:
        messages.error(request, " ".join(form.errors.get("file", [])) or _("Choose a file to attach."))
    return redirect("reports:edit", pk=report.pk)


@require_GET
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("report__team"), pk=pk)
    if not report_access.can_view_report(request.user, attachment.report):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    # Browsers must not second-guess the type we checked at upload time.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    report = report_access.report_for_edit(request.user, attachment.report_id)
    services.remove_attachment(attachment=attachment)
    if request.htmx:
        return _render_attachments(request, report, AttachmentForm())
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.original_name})
    return redirect("reports:edit", pk=report.pk)


# Helpers ----------------------------------------------------------------------------------------


def _save_draft(request, report: WeeklyReport, editor: ReportEditor) -> WeeklyReport | None:
    """Store valid posted content; None (errors left on the editor) when it is invalid.

    Raises services.ReportConflict when the page started from an older version.
    """
    if not editor.is_valid():
        return None
    try:
        return services.save_draft(
            report=report, editor=request.user, base_version=editor.base_version(), data=editor.content()
        )
    except ValidationError as exc:
        editor.add_errors(exc)
        return None


def _started_from(editor: ReportEditor, report: WeeklyReport) -> int:
    """The version a re-shown page keeps building on: the posted one, so that a later save still
    notices changes made elsewhere meanwhile."""
    return getattr(editor.form, "cleaned_data", {}).get("base_version", report.version)


def _to_conflict(request, refused: DraftConflict) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This report was changed in another tab or on another device. Nothing you "
            "typed is lost: choose which version to keep."
        ),
    )
    return redirect("reports:conflict", pk=refused.report_id, conflict_pk=refused.pk)


def _log_hints(report: WeeklyReport, kpi_rows: list[dict]) -> None:
    """Mark the KPI rows where the author typed another figure than the sales log shows."""
    if any(row["value"].kpi.log_source for row in kpi_rows):
        week = extensions.sales_log().log_week(report.author, report.week_start)
        for row in kpi_rows:
            value, source = row["value"], row["value"].kpi.log_source
            row["logged"] = week.value(source) if source else None
            row["log_differs"] = bool(
                source and week.is_used and not value.is_from_log and value.actual not in (None, row["logged"])
            )


def _form_fields(report: WeeklyReport, context: dict | None, *, keeps_log: bool) -> SafeString:
    """The form's fields (the #form-fields partial of edit.html), from the editor's `context()`.
    Unbound (no context given), as every visit shows them, they are drawn once per version of the
    report and kept under the data version of its team: saving the draft bumps the report's
    version; targets, KPIs, categories, the author's sales log, customers and pipeline, goals
    carried into the report and next week's report locking its plan replace the team's version.
    A form holding what was typed (errors to show) is drawn each time."""

    def draw(context: dict) -> SafeString:
        if keeps_log:
            _log_hints(report, context["kpi_rows"])
        return render_to_string(
            "reports/edit.html#form-fields",
            {
                "report": report,
                **context,
                "keeps_log": keeps_log,
                "customer_names": extensions.sales_log().customer_names(report.author_id),
                "log_differs": any(row.get("log_differs") for row in context["kpi_rows"]),
            },
        )

    if context is not None:
        return draw(context)
    what = ("report-form", report.pk, report.version, report.author_id, keeps_log)
    return versions.cached(report.team, what, lambda: draw(ReportEditor(report).context()))


def _render_edit(request, report: WeeklyReport, editor: ReportEditor | None, *, base_version: int) -> HttpResponse:
    """The edit page: `editor` holds what was posted when it is shown again with errors."""
    team_settings = services.settings_for(report.team)
    keeps_log = extensions.sales_log().keeps_sales_log(request.user)
    context = editor.context() if editor is not None else None
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            **(context or {}),
            "form_fields": _form_fields(report, context, keeps_log=keeps_log),
            "base_version": base_version,
            "autosave": "idle",
            "attachments": report.attachments.all(),
            "attachment_form": AttachmentForm(),
            "deadline": effective_deadline(team_settings, report.week_start, kept_calendar_for(report.team)),
            "time_zone": team_settings.time_zone,
            "latest_return": extensions.review_record().latest_return(report),
        },
    )


def _render_attachments(request, report: WeeklyReport, form: AttachmentForm, added=None) -> HttpResponse:
    return render(
        request,
        "reports/edit.html#attachments",
        {
            "report": report,
            "attachments": report.attachments.all(),
            "attachment_form": form,
            "added": added,
        },
    )


def _compare(report: WeeklyReport, refused: dict) -> list[dict]:
    """The parts of the report side by side: what is stored now and what the refused save held."""
    rows = []

    def add(label, saved, mine):
        rows.append({"label": label, "saved": saved, "mine": mine, "differs": saved != mine})

    if "summary" in refused:
        add(_("Work review"), report.summary, refused["summary"])
    titles = {section.key: section.title for section in report_sections.registered()}
    for key, text in refused.get("sections", {}).items():
        add(titles.get(key, key), report.section_comments.get(key, ""), text)
    answers = refused.get("plan_reviews", {})
    outcomes = dict(PlanReview.Outcome.choices)
    for review in report.plan_reviews.all() if answers else []:
        answer = answers.get(str(review.pk), {})
        add(
            review.item_text,
            _outcome_text(outcomes, review.outcome, review.note),
            _outcome_text(outcomes, answer.get("outcome", ""), answer.get("note", "")),
        )
    actuals = refused.get("kpis", {})
    for value in report.kpi_values.select_related("kpi").order_by("kpi__position") if actuals else []:
        stored = "" if value.actual is None else format(value.actual.normalize(), "f")
        add(value.kpi.name, stored, actuals.get(str(value.kpi_id), ""))
    if "problems" in refused:
        names = dict(ProblemCategory.objects.values_list("pk", "name_zh"))
        stored_problems = [
            {**row, "category": names.get(row["category"], "")}
            for row in report.problems.values("problem", "category", "customer", "cause", "action", "help_needed")
        ]
        refused_problems = [
            {**row, "category": names.get(int(row["category"]) if str(row.get("category", "")).isdigit() else None, "")}
            for row in refused["problems"]
        ]
        add(_("Problems and solutions"), _lines(stored_problems), _lines(refused_problems))
    if "plan" in refused:
        stored_plan = [
            {**row, "due_on": row["due_on"].isoformat() if row["due_on"] else ""}
            for row in report.plan_items.values("item", "customer", "due_on")
        ]
        add(_("Next week's plan"), _lines(stored_plan), _lines(refused["plan"]))
    custom = refused.get("custom", {})
    for spec in report.template_version.fields if custom else []:
        add(
            spec.get("label") or spec["key"],
            str(report.custom_values.get(spec["key"], "")),
            str(custom.get(spec["key"], "")),
        )
    return rows


def _outcome_text(outcomes: dict, outcome: str, note: str) -> str:
    return " · ".join(part for part in (str(outcomes.get(outcome, "")), note) if part)


def _lines(rows) -> str:
    return "\n".join(" | ".join(str(v) for v in row.values() if v) for row in rows)
