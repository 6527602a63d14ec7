"""Exports never carry a formula, not even in a header: KPI names and codes come from admins and
land in headers and cells. CSV neutralises them with a leading apostrophe; XLSX stores them as
text cells, so Excel shows exactly what was typed and runs nothing."""

import csv
import io

import openpyxl

from reports.models import KPI
from tests.insights.test_dashboard import WEEKS, report_week
from tests.insights.test_exports import export

FORMULA = '=HYPERLINK("http://evil.example","x")'


def hostile_kpi() -> KPI:
    return KPI.objects.create(code="-2-3", name_zh=FORMULA, name_en=FORMULA, aggregation="sum")


def test_a_kpi_named_like_a_formula_is_text_in_the_xlsx_header_without_an_apostrophe(
    client, lead, rep, team, django_capture_on_commit_callbacks
):
    report_week(rep, WEEKS[0], {"sales": hostile_kpi()}, 10)
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="wide")
    header = next(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(max_row=1))
    kpi_titles = [cell for cell in header if "HYPERLINK" in str(cell.value)]
    assert len(kpi_titles) == 3  # target, actual and achievement of the one KPI
    for cell in kpi_titles:
        assert cell.data_type == "s", cell.value
        assert cell.value.startswith("=HYPERLINK"), cell.value


def test_a_kpi_named_like_a_formula_is_neutralised_in_the_csv_header_and_cells(
    client, lead, rep, team, django_capture_on_commit_callbacks
):
    report_week(rep, WEEKS[0], {"sales": hostile_kpi()}, 10)
    _, wide = export(client, lead, team, django_capture_on_commit_callbacks, file_format="csv", layout="wide")
    header = next(csv.reader(io.StringIO(wide.decode("utf-8-sig"))))
    assert [title for title in header if "HYPERLINK" in title] and all(
        title.startswith("'=") for title in header if "HYPERLINK" in title
    )
    _, long = export(client, lead, team, django_capture_on_commit_callbacks, file_format="csv", layout="long")
    header, *rows = csv.reader(io.StringIO(long.decode("utf-8-sig")))
    hostile = [row for row in (dict(zip(header, row, strict=True)) for row in rows) if "2-3" in row["KPI code"]]
    assert [(row["KPI code"], row["KPI"]) for row in hostile] == [("'-2-3", "'" + FORMULA)]


def test_text_cells_of_an_xlsx_export_keep_what_was_typed(client, lead, rep, team, django_capture_on_commit_callbacks):
    report_week(rep, WEEKS[0], {"sales": hostile_kpi()}, 10)
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="long")
    rows = openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2)
    [(code, name)] = [(row[6], row[7]) for row in rows if row[6].value == "-2-3"]
    assert (code.value, code.data_type) == ("-2-3", "s")
    assert (name.value, name.data_type) == (FORMULA, "s")
