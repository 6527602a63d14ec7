"""Real PDFs rendered by WeasyPrint, read back with pypdf: the Chinese text is there, the CJK font
is embedded, and the charts are drawn."""

import datetime
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reports import services as report_services
from reports.models import KPI
from reviews import services as review_services
from summaries import pdf, services
from summaries.models import Document
from tests.reports.test_services import MONDAY, fill
from tests.reviews.test_pages import submitted

pytestmark = pytest.mark.usefixtures("_fonts")


# The bundled font's name as embedded in a PDF (the system's Noto Sans CJK would be "Noto-Sans-CJK-SC").
BUNDLED_FONT = "Noto-Sans-SC"


@pytest.fixture
def _fonts(settings):
    missing = [str(path) for path in settings.PDF_FONTS.values() if not path.exists()]
    if missing:
        pytest.fail(f"The PDF font comes from npm: run `make install` ({missing} missing)")


def read(job: Document) -> tuple[str, set[str]]:
    """The PDF's text and the names of the fonts embedded in it."""
    job.refresh_from_db()
    assert job.status == Document.Status.DONE, job.error
    with job.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]))
    return text, fonts


def render(**kwargs) -> Document:
    job = services.request_document(language="zh-hans", requested_by=None, **kwargs)
    services.render_job(job_id=job.pk)
    return job


def test_a_report_pdf_has_the_authors_chinese_text_and_numbers_in_an_embedded_cjk_font(rep, lead):
    report = submitted(rep)
    review_services.mark_reviewed(report=report, reviewer=lead, praise="客户跟进及时", goals=["签下华为"])
    text, fonts = read(render(kind=Document.Kind.REPORT, report=report))
    assert "张伟的周报" in text
    assert "客户跟进及时" in text and "签下华为" in text
    assert any(BUNDLED_FONT in name for name in fonts), fonts


def test_a_machine_without_any_system_font_writes_the_chinese_in_the_bundled_font(rep, lead, tmp_path, settings):
    # A second Python process that loads Django and WeasyPrint and reads a 10 MB font: about five seconds.
    report = submitted(rep)
    review_services.mark_reviewed(report=report, reviewer=lead, praise="客户跟进及时", goals=["签下华为"])
    html = pdf.report_html(report, "zh-hans")
    empty = tmp_path / "fonts.conf"  # fontconfig with no font directory at all
    empty.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    render = "import sys, django; django.setup(); from summaries.pdf import html_to_pdf; "
    render += "sys.stdout.buffer.write(html_to_pdf(sys.stdin.read()))"
    result = subprocess.run(
        [sys.executable, "-c", render],
        input=html.encode(),
        capture_output=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(empty), "DJANGO_SETTINGS_MODULE": "salesreports.settings"},
        timeout=120,
        check=True,
    )
    reader = PdfReader(io.BytesIO(result.stdout))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "张伟的周报" in text and "客户跟进及时" in text and "签下华为" in text
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all(BUNDLED_FONT in name for name in fonts), fonts


def test_a_team_weekly_summary_has_members_rates_status_and_a_chart(team, rep, other_rep, lead):
    from tests.factories import member_of

    sales = KPI.objects.get(code="sales_amount")
    report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={sales: Decimal(50000)})
    report = fill(report_services.open_report(author=rep, week_start=MONDAY))
    report_services.save_draft(
        report=report, editor=rep, base_version=report.version, data={"kpis": {sales.pk: "40000"}}
    )
    report_services.submit_report(report=report, by=rep, at=datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC))
    member_of(team, display_name="缺席者", username="absent")
    text, fonts = read(render(kind=Document.Kind.TEAM_WEEK, team=team, start=MONDAY))
    assert "Shanghai 1" in text and "张伟" in text and "缺席者" in text
    assert "40,000" in text and "80%" in text
    assert "未提交" in text  # the missing member's status
    assert "销售额" in text  # the chart's title, drawn from SVG
    assert any(BUNDLED_FONT in name for name in fonts)


def test_a_quarterly_rollup_follows_the_summary_structure(rep, lead):
    for weeks_back in range(3):
        report = submitted(rep, week=MONDAY - datetime.timedelta(days=7 * weeks_back))
    review_services.mark_reviewed(report=report, reviewer=lead, suggestions="多拜访决策层")
    job = render(
        kind=Document.Kind.MEMBER_PERIOD, member=rep, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31)
    )
    text, _ = read(job)
    for heading in ("目标与结果", "客户开发", "问题", "经验", "行动计划"):
        assert heading in text
    assert "多拜访决策层" in text
