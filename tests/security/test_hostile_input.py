"""Hostile input: a corpus of attacks typed into every kind of text a user can enter, through the
real forms, then every page (and email, PDF) that shows it is checked to be inert.

To cover a new input or page, add a line to INPUTS or PAGES.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.models import LogImport
from customers.services import create_customer, log_activity
from reports import services as report_services
from reports.models import Attachment, ProblemCategory, WeeklyReport
from summaries.models import Document
from teams.models import MemberImport
from tests.reports.test_services import MONDAY
from tests.reports.test_writing import complete
from tests.summaries.test_pdfs import read, render

# Each entry carries a marker word so a check can tell the text reached the page at all.
CORPUS = {
    "script": 'XSS1 <script>alert("xss")</script>',
    "attribute break-out": "XSS2 \"'><img src=x onerror=alert(1)>",
    "svg": "XSS3 <svg onload=alert(1)><script>alert(2)</script></svg>",
    "markdown javascript link": "XSS4 [click](javascript:alert(1)) ![i](javascript:alert(2)) <javascript:alert(3)>",
    "markdown data link": "XSS5 [x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [y](JaVaScRiPt:1)",
    "html entities": "XSS6 &lt;script&gt;alert(1)&lt;/script&gt; &#106;avascript:alert(1)",
    "template and sql": "XSS7 {{ request.user.password }} {% debug %} '; DROP TABLE reports_weeklyreport; --",
    "bidi and control": "XSS8 \u202egnp.exe\u202c \u0007\u001b[31m\u200b",
    "iframe and style": 'XSS9 <iframe src="//evil.example"></iframe><style>body{display:none}</style>',
    "formula": 'XSS10 =HYPERLINK("http://evil.example","x")',
    "very long": "XSS11 " + "长" * 4000 + "<script>alert(1)</script>",
}

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


class Inspector(HTMLParser):
    """Collects whatever in a page could run: scripts that are not our static files, event handler
    attributes, javascript:/data: URLs, frames, plugins, <style>, <base> and meta refreshes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.live.append(f"<script {attributes}>")
        if tag in {"iframe", "frame", "object", "embed", "base", "style"}:
            self.live.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.live.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=…>")
            scheme = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
                self.live.append(f"<{tag} {name}={value[:30]}>")


def live_parts(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    return inspector.live


# Inputs: (who, url, data) made from the scene and the payload. Posted through the real forms; a
# form may refuse a value (too long, a control character), but never with a server error.


def report_text(scene, p):
    report = scene["draft"]
    plan = [{"item": p[:500], "customer": p[:200], "due_on": ""}]
    category = ProblemCategory.objects.first().pk
    problems = [
        {
            "problem": p[:500],
            "category": category,
            "customer": p[:200],
            "cause": p[:500],
            "action": p[:500],
            "help_needed": p[:500],
        }
    ]
    return "rep", reverse("reports:submit", args=[report.pk]), complete(report, summary=p, plan=plan, problems=problems)


def comment(scene, p):
    return "lead", reverse("reviews:comment_add", args=[scene["draft"].pk]), {"body": p}


def feedback(scene, p):
    data = {"praise": p, "problems": p, "suggestions": p, "goals": p[:500], "rating": "3"}
    return "lead", reverse("reviews:mark_reviewed", args=[scene["draft"].pk]), data


def return_reason(scene, p):
    return "lead", reverse("reviews:return", args=[scene["earlier"].pk]), {"reason": p[:2000]}


def team_name(scene, p):
    return "admin", reverse("teams:team_create"), {"name": p[:100], "kind": "team", "parent": scene["team"].pk}


def member_profile(scene, p):
    member = scene["other_rep"]
    data = {
        "display_name": p[:100],
        "email": member.email,
        "position": p[:100],
        "phone": "",
        "wechat": p[:50],
        "hired_on": "",
        "language": "en",
    }
    return "admin", reverse("teams:member_edit", args=[member.pk]), data


def kpi_name(scene, p):
    data = {
        "code": "hostile",
        "name_zh": p[:60],
        "name_en": p[:60],
        "unit": "count",
        "decimals": "0",
        "aggregation": "sum",
        "position": "9",
        "is_active": "on",
    }
    return "admin", reverse("reports:kpi_create"), data


def day_off(scene, p):
    return "admin", reverse("reminders:schedule"), {"on": "2026-12-24", "team": "", "name": p[:100]}


def leave_note(scene, p):
    return "rep", reverse("reminders:leave"), {"starts_on": "2026-12-28", "ends_on": "2026-12-29", "note": p[:200]}


def new_customer(scene, p):
    data = {
        "name": p[:200],
        "industry": p[:100],
        "tier": "a",
        "status": "lost",
        "lost_reason": p[:300],
        "contact": p[:200],
        "owner": scene["rep"].pk,
        "created_on": "2026-11-02",
        "confirm_new": "on",
    }
    return "rep", reverse("customers:customer_create"), data


def customer_details(scene, p):
    data = {"name": ("details " + p)[:200], "industry": p[:100], "tier": "b", "status": "active", "contact": p[:200]}
    return (
        "lead",
        reverse("customers:customer_edit", args=[scene["customer"].pk]),
        {
            **data,
            "owner": scene["rep"].pk,
        },
    )


def sales_activity(scene, p):
    # A week with no report, so the entry is accepted (the draft's week is submitted above).
    data = {
        "occurred_on": (MONDAY - datetime.timedelta(days=14)).isoformat(),
        "customer": ("new " + p)[:200],
        "confirm_new": "on",
        "kind": "quote",
        "outcome": p[:500],
        "amount": "1000",
        "next_step": p[:300],
        "next_step_on": "",
        "notes": p[:5000],
    }
    return "rep", reverse("customers:activity_create"), data


def problem_category(scene, p):
    data = {"name_zh": p[:40], "name_en": p[:40], "position": "9", "is_active": "on"}
    return "admin", reverse("reports:problem_category_create"), data


INPUTS = {
    "report text": report_text,
    "comment": comment,
    "feedback": feedback,
    "return reason": return_reason,
    "team name": team_name,
    "member profile": member_profile,
    "KPI name": kpi_name,
    "day off": day_off,
    "leave note": leave_note,
    "new customer": new_customer,
    "customer details": customer_details,
    "sales activity": sales_activity,
    "problem category": problem_category,
}

# Pages that show the inputs: (who, url name, scene keys of the objects in the URL).
PAGES = [
    ("rep", "reports:detail", ["draft"]),
    ("rep", "reports:history", ["draft"]),
    ("rep", "reports:my", []),
    ("rep", "reports:edit", ["earlier"]),
    ("rep", "notifications:inbox", []),
    ("rep", "reminders:leave", []),
    ("rep", "home", []),
    ("lead", "reviews:review", ["draft"]),
    ("lead", "reviews:queue", []),
    ("lead", "insights:dashboard", ["team"]),
    ("lead", "insights:member", ["rep"]),
    ("lead", "summaries:team_week", ["team"]),
    ("lead", "teams:member_detail", ["other_rep"]),
    ("director", "reviews:overview", []),
    ("director", "insights:compare", ["company"]),
    ("admin", "teams:team_list", []),
    ("admin", "teams:team_detail", ["team"]),
    ("admin", "teams:member_list", []),
    ("admin", "audit:list", []),
    ("admin", "reports:kpi_list", []),
    ("admin", "reminders:schedule", []),
    ("admin", "reports:problem_category_list", []),
    ("rep", "customers:log", []),
    ("rep", "customers:customer_list", []),
    ("lead", "customers:customer_detail", ["customer"]),
    ("lead", "customers:customer_list", []),
    ("lead", "customers:member_log", ["rep"]),
]


@pytest.fixture
def scene(rep, other_rep, lead, director, admin, team, company):
    earlier = report_services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))
    earlier = report_services.submit_report(report=_filled(earlier), by=rep)
    draft = report_services.open_report(author=rep, week_start=MONDAY)
    customer = create_customer(actor=rep, owner=rep, name="场景客户")
    log_activity(author=rep, customer=customer, occurred_on=MONDAY - datetime.timedelta(days=14), kind="visit")
    return {
        "customer": customer,
        "rep": rep,
        "other_rep": other_rep,
        "lead": lead,
        "director": director,
        "admin": admin,
        "team": team,
        "company": company,
        "earlier": earlier,
        "draft": draft,
    }


def _filled(report: WeeklyReport) -> WeeklyReport:
    from tests.reports.test_services import fill

    return fill(report)


def client_for(scene, who: str) -> Client:
    client = Client()
    client.force_login(scene[who])
    return client


def _ids(scene, keys):
    return [scene[key].pk for key in keys]


@pytest.mark.parametrize("payload", list(CORPUS.values()), ids=list(CORPUS))
def test_hostile_text_in_every_input_is_shown_inert_on_every_page(scene, payload, mailoutbox):
    # Nine forms and twenty-one pages for each payload: about a second each.
    for name, make in INPUTS.items():
        who, url, data = make(scene, payload)
        response = client_for(scene, who).post(url, data)
        assert response.status_code < 500, f"{name}: {response.status_code}"
        if name == "report text":
            scene["draft"].refresh_from_db()
    assert scene["draft"].status != WeeklyReport.Status.DRAFT, "the hostile report was not submitted"
    seen_marker = False
    for who, url_name, keys in PAGES:
        response = client_for(scene, who).get(reverse(url_name, args=_ids(scene, keys)))
        assert response.status_code == 200, url_name
        html = response.content.decode()
        assert live_parts(html) == [], f"{url_name} as {who}"
        seen_marker |= payload.split()[0] in html
    assert seen_marker, "the payload reached no page: the check proves nothing"
    for message in mailoutbox:
        for body, _mimetype in message.alternatives:
            assert live_parts(body) == [], message.subject
        assert "\n" not in message.subject


@pytest.mark.parametrize("payload", [CORPUS["script"], CORPUS["svg"], CORPUS["iframe and style"]])
def test_hostile_text_prints_as_text_in_the_pdf(scene, payload):
    draft = scene["draft"]
    report_services.save_draft(report=draft, editor=scene["rep"], base_version=draft.version, data={"summary": payload})
    job = render(kind=Document.Kind.REPORT, report=draft)
    job.refresh_from_db()
    assert job.status == Document.Status.DONE, job.error
    text, _ = read(job)
    # Had the markup been interpreted, WeasyPrint would have dropped it; as text it is printed.
    assert payload.split()[0] in text
    if "<script>" in payload:
        assert "<script>" in text


HOSTILE_NAMES = [
    '"><img src=x onerror=alert(1)>.pdf',
    "..\\..\\..\\etc\\passwd.pdf",
    "../../salesreports/settings.pdf",
    "invoice\u202efdp.exe.pdf",
    "a\r\nContent-Type: text/html\r\n\r\n<script>.pdf",
    "报价" * 200 + ".pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_file_name_is_stored_safely_and_served_as_a_download(scene, name, settings):
    client = client_for(scene, "rep")
    draft = scene["draft"]
    upload = SimpleUploadedFile(name, b"%PDF-1.4 hostile", content_type="text/html")
    assert client.post(reverse("reports:attachment_upload", args=[draft.pk]), {"file": upload}).status_code == 302
    html = client.get(reverse("reports:edit", args=[draft.pk])).content.decode()
    assert live_parts(html) == []
    attachment = Attachment.objects.filter(report=draft).first()
    if attachment is None:
        # Django's upload parser cut the name at the line break, leaving no extension: refused
        # with a message (checked inert above), which is as good as a clean name.
        assert "\n" in name
        return
    # Stored under a name of ours inside MEDIA_ROOT, whatever the upload was called.
    assert ".." not in attachment.file.name and "\\" not in attachment.file.name
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    shown = attachment.original_name
    assert not any(c in shown for c in "\r\n\u202e/\\") and len(shown) <= 200
    download = client_for(scene, "rep").get(reverse("reports:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"  # what we checked, not what the browser said
    assert download["Content-Disposition"].startswith("attachment;")
    assert "\n" not in download["Content-Disposition"] and "\r" not in download["Content-Disposition"]


def test_hostile_cells_of_a_member_import_are_inert_in_the_preview_and_after(scene):
    client = client_for(scene, "admin")
    rows = [
        ["姓名", "邮箱", "团队", "角色", "职位", "电话"],
        [CORPUS["script"], "a@example.com", scene["team"].name, "销售", CORPUS["attribute break-out"], "=1+1"],
        [CORPUS["svg"], "b@example.com", CORPUS["iframe and style"], "销售", "@SUM(A1)", ""],
    ]
    text = "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows)
    upload = SimpleUploadedFile("members.csv", text.encode("utf-8-sig"), content_type="text/csv")
    response = client.post(reverse("teams:member_import"), {"file": upload})
    assert response.status_code == 302
    member_import = MemberImport.objects.get()
    preview = client.get(reverse("teams:member_import_preview", args=[member_import.pk])).content.decode()
    assert live_parts(preview) == [] and "XSS1" in preview
    client.post(reverse("teams:member_import_apply", args=[member_import.pk]))
    for url in (reverse("teams:member_list"), reverse("teams:team_detail", args=[scene["team"].pk])):
        assert live_parts(client.get(url).content.decode()) == []


@pytest.mark.parametrize("kind", ["customers", "activities"])
def test_hostile_cells_of_a_sales_log_import_are_inert_in_the_preview_and_after(scene, kind):
    client = client_for(scene, "rep")
    if kind == "customers":
        rows = [
            ["客户名称", "行业", "联系人"],
            [CORPUS["script"], CORPUS["svg"], "=1+1"],
            [CORPUS["markdown data link"], "", ""],
        ]
    else:
        day = (MONDAY - datetime.timedelta(days=14)).isoformat()
        rows = [
            ["日期", "客户", "类型", "结果", "备注"],
            [day, "场景客户", "拜访", CORPUS["script"], CORPUS["iframe and style"]],
        ]
    text = "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows)
    upload = SimpleUploadedFile(f"{kind}.csv", text.encode("utf-8-sig"), content_type="text/csv")
    assert client.post(reverse("customers:import"), {"kind": kind, "file": upload}).status_code == 302
    stored = LogImport.objects.get()
    preview = client.get(stored.get_absolute_url()).content.decode()
    assert live_parts(preview) == [] and "XSS" in preview
    client.post(reverse("customers:import_apply", args=[stored.pk]))
    url = reverse("customers:customer_list") if kind == "customers" else reverse("customers:log") + "?week=2026-11-02"
    page = client.get(url).content.decode()
    assert live_parts(page) == [] and "XSS" in page


def test_the_corpus_check_itself_catches_live_markup():
    """The inspector is what every test above relies on: it must see each way a page could run code."""
    assert live_parts('<p>ok <a href="/x">x</a> <script src="/static/js/a.js"></script></p>') == []
    for live in [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" JaVa\tScript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="//evil.example"></iframe>',
        "<style>body{}</style>",
    ]:
        assert live_parts(live), live
