"""Weekly reports (reading, and the author's draft: open, change, submit, under the same version
rule as the form) and feedback (reading; managers give it)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from api import schemas
from api.endpoints.filters import ListFilters, narrow
from reports import access
from reports import services as report_services
from reports.models import KPI, KpiValue, WeeklyReport
from reviews import services as review_services
from reviews.models import Feedback
from teams.services import current_membership

router = Router(tags=["weekly reports"])


class ReportFilters(ListFilters):
    status: WeeklyReport.Status | None = None


@router.get("/reports", response=list[schemas.ReportOut], summary="Reports in reach (own drafts included)")
@paginate(PageNumberPagination, page_size=100)
def report_list(request, filters: Query[ReportFilters]):
    condition = narrow(
        request.user, filters, team_field="team", member_field="author", day_field="week_start", week=True
    )
    reports = access.visible_reports(request.user).filter(condition)
    if filters.status:
        reports = reports.filter(status=filters.status)
    return reports.order_by("-week_start", "author_id", "pk")


def _feedback(rows) -> list[dict]:
    return [
        {
            "id": f.pk,
            "report_id": f.report_id,
            "reviewer_id": f.reviewer_id,
            "praise": f.praise,
            "problems": f.problems,
            "suggestions": f.suggestions,
            "goals": [goal.text for goal in f.goals.all()],
            "rating": f.rating,
            "created_at": f.created_at,
        }
        for f in rows
    ]


def detail(report: WeeklyReport) -> dict:
    """Everything the report page shows of the report, as data."""
    report = (
        WeeklyReport.objects.filter(pk=report.pk)
        .prefetch_related(
            Prefetch("kpi_values", KpiValue.objects.select_related("kpi").order_by("kpi__position", "kpi_id")),
            "plan_reviews",
            "problems",
            "plan_items",
            Prefetch("feedback", Feedback.objects.prefetch_related("goals")),
        )
        .get()
    )
    return {
        **{field: getattr(report, field) for field in schemas.ReportOut.model_fields},
        "summary": report.summary,
        "kpis": [
            {"kpi": v.kpi.code, "target": v.target, "actual": v.actual, "is_from_log": v.is_from_log}
            for v in report.kpi_values.all()
        ],
        "plan_reviews": [
            {"id": r.pk, "item": r.item_text, "is_goal": r.is_goal, "outcome": r.outcome, "note": r.note}
            for r in report.plan_reviews.all()
        ],
        "problems": [
            {
                "problem": p.problem,
                "category_id": p.category_id,
                "customer": p.customer,
                "cause": p.cause,
                "action": p.action,
                "help_needed": p.help_needed,
            }
            for p in report.problems.all()
        ],
        "plan": [{"item": p.item, "customer": p.customer, "due_on": p.due_on} for p in report.plan_items.all()],
        "custom": report.custom_values,
        "feedback": _feedback(report.feedback.all()),
        "missing_for_submission": report_services.missing_for_submission(report)
        if report.is_editable_by_author
        else {},
    }


@router.get("/reports/{int:report_id}", response=schemas.ReportDetailOut, summary="One report, in full")
def report_detail(request, report_id: int):
    return detail(access.report_for_view(request.user, report_id))


@router.post(
    "/reports",
    response={200: schemas.ReportDetailOut, 400: schemas.Error},
    summary="Open your report for a week (created as a draft the first time)",
)
def report_open(request, payload: schemas.ReportOpenIn):
    week_start, membership = payload.week_start, current_membership(request.user)
    if week_start is not None and membership is not None:
        week_start = report_services.settings_for(membership.team).week_start_for(week_start)
    report = report_services.open_report(author=request.user, week_start=week_start)
    return detail(report)


def content(report: WeeklyReport, payload: schemas.ReportContentIn) -> dict:
    """The payload as save_draft's `data` (the form's shape): KPI codes become ids, and a section
    left out of the payload is left out of `data`, so it stays as stored."""
    data: dict = {}
    if payload.summary is not None:
        data["summary"] = payload.summary
    if payload.kpis is not None:
        ids = dict(KPI.objects.filter(code__in=list(payload.kpis)).values_list("code", "pk"))
        unknown = sorted(set(payload.kpis) - set(ids))
        if unknown:
            raise ValidationError({"kpis": [_("Unknown KPI “%(code)s”.") % {"code": ", ".join(unknown)}]})
        data["kpis"] = {ids[code]: "" if value is None else str(value) for code, value in payload.kpis.items()}
    if payload.plan_reviews is not None:
        data["plan_reviews"] = {key: answer.model_dump() for key, answer in payload.plan_reviews.items()}
    if payload.problems is not None:
        data["problems"] = [
            {**row.model_dump(exclude={"category_id"}), "category": row.category_id or ""} for row in payload.problems
        ]
    if payload.plan is not None:
        data["plan"] = [
            {**row.model_dump(exclude={"due_on"}), "due_on": row.due_on.isoformat() if row.due_on else ""}
            for row in payload.plan
        ]
    if payload.custom is not None:
        data["custom"] = payload.custom
    return data


@router.put(
    "/reports/{int:report_id}",
    response={200: schemas.ReportDetailOut, 400: schemas.Error, 409: schemas.Conflict},
    summary="Change your draft (409 when it changed since base_version)",
)
def report_update(request, report_id: int, payload: schemas.ReportContentIn):
    report = access.report_for_edit(request.user, report_id)
    saved = report_services.save_draft(
        report=report, editor=request.user, base_version=payload.base_version, data=content(report, payload)
    )
    return detail(saved)


@router.post(
    "/reports/{int:report_id}/submit",
    response={200: schemas.ReportDetailOut, 400: schemas.Error, 409: schemas.Conflict},
    summary="Submit your draft, with any last changes, as the form's Submit button does",
)
def report_submit(request, report_id: int, payload: schemas.ReportContentIn):
    report = access.report_for_edit(request.user, report_id)
    # As the form: what is sent is saved first (refused if the report changed since
    # base_version), then submitted; if something required is missing it stays a saved draft.
    saved = report_services.save_draft(
        report=report, editor=request.user, base_version=payload.base_version, data=content(report, payload)
    )
    return detail(report_services.submit_report(report=saved, by=request.user))


@router.get("/reports/{int:report_id}/feedback", response=list[schemas.FeedbackOut], summary="Feedback on a report")
def feedback_list(request, report_id: int):
    report = access.report_for_view(request.user, report_id)
    return _feedback(report.feedback.prefetch_related("goals"))


@router.post(
    "/reports/{int:report_id}/feedback",
    response={201: schemas.FeedbackOut, 400: schemas.Error},
    summary="Give feedback and mark the report reviewed (its managers)",
)
def feedback_create(request, report_id: int, payload: schemas.FeedbackIn):
    report = access.report_for_review(request.user, report_id)
    feedback = review_services.mark_reviewed(report=report, reviewer=request.user, **payload.model_dump())
    return Status(201, _feedback([feedback])[0])
