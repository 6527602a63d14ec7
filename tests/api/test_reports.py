"""Weekly reports through the API: the author opens, changes and submits a draft under the same
version rule as the form; managers read submitted reports and give feedback."""

from reports.models import DraftConflict, WeeklyReport
from reports.services import open_report, submit_report
from tests.reports.test_services import fill


def _complete(report: WeeklyReport) -> dict:
    return {
        "base_version": report.version,
        "summary": "拜访了三家客户",
        "kpis": {v.kpi.code: "5" for v in report.kpi_values.select_related("kpi")},
        "plan": [{"item": "跟进华为报价", "customer": "华为"}],
    }


def test_author_opens_changes_and_submits_a_draft(rep, lead, api_as):
    api = api_as(rep)
    opened = api.post("/reports", {})
    assert opened.status_code == 200
    body = opened.json()
    assert body["status"] == "draft" and body["missing_for_submission"]
    report = WeeklyReport.objects.get(pk=body["id"])

    saved = api.put(f"/reports/{report.pk}", {"base_version": report.version, "summary": "本周拜访三家"})
    assert saved.status_code == 200
    report.refresh_from_db()
    assert report.summary == "本周拜访三家" and saved.json()["version"] == report.version

    submitted = api.post(f"/reports/{report.pk}/submit", _complete(report))
    assert submitted.status_code == 200, submitted.json()
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert [v["actual"] for v in submitted.json()["kpis"]] == ["5.0000"] * report.kpi_values.count()
    assert submitted.json()["plan"] == [{"item": "跟进华为报价", "customer": "华为", "due_on": None}]

    assert api.put(f"/reports/{report.pk}", {"base_version": report.version, "summary": "x"}).status_code == 403


def test_a_save_from_an_old_version_is_refused_with_409_and_kept(rep, api_as):
    report = open_report(author=rep)
    api = api_as(rep)
    assert api.put(f"/reports/{report.pk}", {"base_version": report.version, "summary": "第一版"}).status_code == 200
    stale = api.put(f"/reports/{report.pk}", {"base_version": report.version, "summary": "旧页面"})
    assert stale.status_code == 409
    report.refresh_from_db()
    assert stale.json()["current_version"] == report.version
    assert report.summary == "第一版"
    assert DraftConflict.objects.get(report=report).data["summary"] == "旧页面"  # nothing typed is lost


def test_submitting_an_incomplete_draft_answers_400_by_field_and_keeps_it_a_draft(rep, api_as):
    report = open_report(author=rep)
    response = api_as(rep).post(f"/reports/{report.pk}/submit", {"base_version": report.version, "summary": "半成品"})
    assert response.status_code == 400
    assert "plan" in response.json()["errors"]
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.DRAFT and report.summary == "半成品"  # saved, as the form does


def test_unknown_fields_and_wrong_types_answer_400_and_change_nothing(rep, api_as):
    report = open_report(author=rep)
    api = api_as(rep)
    unknown = api.put(f"/reports/{report.pk}", {"base_version": report.version, "summery": "typo"})
    assert unknown.status_code == 400
    assert "summery" in unknown.json()["errors"]
    wrong = api.put(f"/reports/{report.pk}", {"base_version": "one", "kpis": {"sales_amount": "lots"}})
    assert wrong.status_code == 400
    assert {"base_version", "kpis.sales_amount"} <= set(wrong.json()["errors"])
    negative = api.put(f"/reports/{report.pk}", {"base_version": report.version, "kpis": {"sales_amount": -5}})
    assert negative.status_code == 400
    before = report.version
    report.refresh_from_db()
    assert report.version == before and report.summary == ""


def test_others_drafts_are_404_and_their_submitted_reports_read_only(rep, lead, outsider, api_as):
    draft = open_report(author=rep)
    assert api_as(lead).get(f"/reports/{draft.pk}").status_code == 404
    assert api_as(outsider).get("/reports").json()["items"] == []
    submit_report(report=fill(WeeklyReport.objects.get(pk=draft.pk)), by=rep)
    lead_api = api_as(lead)
    assert lead_api.get(f"/reports/{draft.pk}").status_code == 200
    assert lead_api.put(f"/reports/{draft.pk}", {"base_version": 99, "summary": "x"}).status_code == 403
    assert api_as(outsider).get(f"/reports/{draft.pk}").status_code == 404


def test_lists_filter_by_member_week_and_period(rep, other_rep, lead, api_as):
    mine = open_report(author=rep)
    submit_report(report=fill(mine), by=rep)
    theirs = open_report(author=other_rep)
    submit_report(report=fill(theirs), by=other_rep)
    api = api_as(lead)
    assert {r["id"] for r in api.get("/reports").json()["items"]} == {mine.pk, theirs.pk}
    assert [r["id"] for r in api.get("/reports", {"member": rep.pk}).json()["items"]] == [mine.pk]
    assert api.get("/reports", {"week": mine.week_start.isoformat()}).json()["count"] == 2
    assert api.get("/reports", {"end": "2000-01-01"}).json()["count"] == 0
    assert api.get("/reports", {"member": 999999}).status_code == 404
    assert api.get("/reports", {"week": "soon"}).status_code == 400


def test_managers_give_feedback_and_authors_read_it(rep, lead, director, api_as):
    report = open_report(author=rep)
    submit_report(report=fill(report), by=rep)
    assert api_as(director).post(f"/reports/{report.pk}/feedback", {"praise": "好"}).status_code == 403
    assert api_as(rep).post(f"/reports/{report.pk}/feedback", {"praise": "好"}).status_code == 403
    given = api_as(lead).post(f"/reports/{report.pk}/feedback", {"praise": "拜访扎实", "goals": ["签下华为"]})
    assert given.status_code == 201
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.REVIEWED
    read = api_as(rep).get(f"/reports/{report.pk}/feedback").json()
    assert [(f["praise"], f["goals"]) for f in read] == [("拜访扎实", ["签下华为"])]
    assert api_as(lead).post(f"/reports/{report.pk}/feedback", {"praise": "again"}).status_code == 400
