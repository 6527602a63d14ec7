"""PDF layout read back from real PDFs: a heading never ends a page, away from its section, and
short Chinese words in narrow table columns stay on one line."""

import io

import pytest
from django.conf import settings
from django.template import Context, Template
from pypdf import PdfReader

from summaries.pdf import html_to_pdf
from tests.summaries.test_pdfs import _fonts  # noqa: F401

pytestmark = pytest.mark.usefixtures("_fonts")


def pdf_pages(body: str) -> list[str]:
    """The body in the PDFs' base template, set the way every PDF is: the npm font through
    @font-face and the project's locked-down fetcher (no system CJK font needed)."""
    fonts = [{"weight": weight, "url": path.as_uri()} for weight, path in settings.PDF_FONTS.items()]
    template = Template('{% extends "pdf/base.html" %}{% block content %}' + body + "{% endblock %}")
    reader = PdfReader(io.BytesIO(html_to_pdf(template.render(Context({"pdf_fonts": fonts})))))
    return [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize("filler_mm", [236, 242, 248])  # the heading lands at the foot of page 1
def test_a_section_heading_at_the_foot_of_a_page_moves_to_the_next_with_its_section(filler_mm):
    # A report section (its card header) and a member's name above their problems in the summary.
    pages = pdf_pages(
        f'<div style="height: {filler_mm}mm"></div>'
        '<div class="card"><div class="card-header">本周工作回顾</div>'
        '<div class="card-body"><p>拜访了三家客户</p></div></div>'
    )
    heading_page = next(i for i, text in enumerate(pages) if "本周工作回顾" in text)
    section_page = next(i for i, text in enumerate(pages) if "拜访了三家客户" in text)
    assert heading_page == section_page


def test_two_character_words_in_narrow_columns_stay_whole():
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴昊", "徐丽", "孙强"]
    header = "".join(f"<th>{name}</th>" for name in names)
    cells = "".join('<td class="num">1,234,567<div class="small">未提交</div></td>' for _ in names)
    pages = pdf_pages(f"<table><thead><tr><th>成员</th>{header}</tr></thead><tr><td>张伟</td>{cells}</tr></table>")
    text = "\n".join(pages)
    assert "成员" in text and "张伟 1,234,567" in text  # the first column: not 成/员, 张/伟 a line each
    assert all(name in text for name in names)
