"""Links in PDFs, read back out of the real file: only absolute http(s) and mailto links that the
author typed survive; relative ones print as plain text (the project folder as the base once made
"../../etc/passwd" a file:// link and leaked the install path); attachments link to the app."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from reports import services as report_services
from summaries.models import Document
from tests.reports.test_attachments import PDF
from tests.reports.test_services import MONDAY, fill
from tests.summaries.test_pdfs import _fonts, read, render  # noqa: F401

pytestmark = pytest.mark.usefixtures("_fonts")

SUMMARY = (
    "本周拜访 [协议](//evil.example/a.pdf)，[密码](../../../../etc/passwd)，[本地](file:///etc/hosts)，"
    "[站内](/reports/1/)，[报价单](https://example.com/quote.pdf)，[邮件](mailto:wang@example.com)。"
)


def link_targets(job: Document) -> list[str]:
    """Every link annotation's target in the PDF."""
    targets = []
    with job.file.open("rb") as handle:
        for page in PdfReader(handle).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                if action is not None and "/URI" in action:
                    targets.append(str(action["/URI"]))
    return targets


def test_a_report_pdf_keeps_absolute_links_prints_others_as_text_and_links_attachments_to_the_app(rep, settings):
    # A real PDF read back: seconds, most of it WeasyPrint loading the CJK font on its first render.
    settings.SITE_URL = "https://reports.example.cn"
    report = fill(report_services.open_report(author=rep, week_start=MONDAY))
    attachment = report_services.add_attachment(
        report=report, uploaded_by=rep, file=SimpleUploadedFile("合同.pdf", PDF)
    )
    report.refresh_from_db()
    report_services.save_draft(report=report, editor=rep, base_version=report.version, data={"summary": SUMMARY})
    job = render(kind=Document.Kind.REPORT, report=report)
    text, _ = read(job)
    assert "协议" in text and "密码" in text and "站内" in text  # the words stay, as text
    # A link that wraps (the attachment's icon and name) has one annotation per box.
    assert set(link_targets(job)) == {
        "https://example.com/quote.pdf",
        "mailto:wang@example.com",
        "https://reports.example.cn" + reverse("reports:attachment_download", args=[attachment.pk]),
    }
    with job.file.open("rb") as handle:
        raw = handle.read()
    assert b"file:" not in raw and str(settings.BASE_DIR).encode() not in raw
