"""Reading the spreadsheets people import (.csv or .xlsx): type by content, size and row limits,
the header row matched against known columns in English or Chinese, rows numbered as the user
sees them in the spreadsheet (the header is row 1). Used by every import (members, customers,
sales activities); what the rows mean is each import's own business.

Reading is bounded by what is actually read, never by what a file declares: a 1.5 KB .xlsx can
claim a sheet of A1:XFD1048576 with one cell in its last row, and openpyxl would then hand over a
million rows of 16,384 empty cells. Every row read counts against the row limit, empty ones too,
and a row wider than MAX_COLUMNS stops the reading, so a hostile file is refused in milliseconds.
The rows are read once, at upload, and kept with the upload for its preview."""

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.cell import WriteOnlyCell

EXTENSIONS = ("csv", "xlsx")
ZIP_MAGIC = b"PK\x03\x04"
# An .xlsx is a zip of XML; a small file that unpacks to gigabytes is an attack, not a list.
MAX_EXPANSION = 50
NAME_MAX_LENGTH = 200
# The widest import has nine columns; a row reaching far beyond them is not a list of ours.
MAX_COLUMNS = 100
# Reading an .xlsx costs per XML element, not per byte: 2 MB can unpack to 100 MB of
# "<si><t>a</t></si>", which openpyxl takes minutes to load before the first row is read. So the
# package's tags are counted first (at C speed, stopping at the budget): a workbook's own parts
# plus rows of about two dozen columns, each cell's tags in the sheet and its shared text.
TAGS_PER_ROW = 200
TAGS_OF_THE_PACKAGE = 50_000


@dataclass(frozen=True)
class Column:
    key: str
    english: str
    chinese: str
    is_required: bool
    description: Promise
    max_length: int | None = None

    @property
    def title(self) -> str:
        return f"{self.chinese} ({self.english})"


Records = list[tuple[int, list[str]]]


@dataclass
class CheckedRow:
    """One data row, numbered as the user sees it in the spreadsheet (the header is row 1)."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class CheckedFile:
    """The rows of a file with their errors, or the errors that make the whole file unusable.
    Nothing is imported unless every row is right."""

    rows: list
    errors: list[str]

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.is_valid)

    @property
    def invalid_count(self) -> int:
        return len(self.rows) - self.valid_count

    @property
    def can_apply(self) -> bool:
        return bool(self.rows) and not self.errors and not self.invalid_count


def extension_of(name: str) -> str:
    """ "csv" or "xlsx"; raises ValidationError for any other file name."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Upload a .csv or .xlsx file (in Excel: Save as “CSV UTF-8” or “Excel workbook”)."), code="wrong_type"
        )
    return extension


def _file_bytes(file: File, max_bytes: int) -> bytes:
    if file.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    file.seek(0)
    data = file.read()
    file.seek(0)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _not_csv() -> ValidationError:
    return ValidationError(_("This file is not a CSV text file."), code="wrong_type")


def _not_xlsx() -> ValidationError:
    return ValidationError(_("This file is not an Excel workbook (.xlsx) that can be opened."), code="wrong_type")


def _csv_lines(data: bytes) -> list[list[str]]:
    if b"\x00" in data:  # binary content, whatever the name says
        raise _not_csv()
    # Excel in China saves "CSV" in GB18030 unless "CSV UTF-8" is chosen, which adds a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file's characters cannot be read: save it as “CSV UTF-8”."), code="encoding")
    try:
        return [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise _not_csv() from exc


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text the user sees: whole numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    if hasattr(value, "date") and hasattr(value, "hour") and not (value.hour or value.minute or value.second):
        value = value.date()  # a date cell comes back as midnight
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _has_more_tags(package: zipfile.ZipFile, budget: int) -> bool:
    """Whether the package's XML parts hold more than `budget` tags; reads no further than that."""
    count = 0
    for info in package.infolist():
        with package.open(info) as part:
            while chunk := part.read(1 << 20):
                count += chunk.count(b"<")
                if count > budget:
                    return True
    return False


def _open_workbook(data: bytes, max_bytes: int, max_rows: int) -> openpyxl.Workbook:
    if not data.startswith(ZIP_MAGIC):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > max_bytes * MAX_EXPANSION:
                raise _not_xlsx()
            too_big = _has_more_tags(package, TAGS_OF_THE_PACKAGE + TAGS_PER_ROW * max_rows)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, RuntimeError, NotImplementedError) as exc:
        raise _not_xlsx() from exc
    if too_big:
        raise ValidationError(
            _(
                "This workbook holds far more than a list of %(max)d rows: keep only the list, in the "
                "first sheet, and upload it again."
            )
            % {"max": max_rows},
            code="too_large",
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports a broken package with many exception types
        raise _not_xlsx() from exc


def _xlsx_lines(data: bytes, max_bytes: int, max_rows: int) -> tuple[list[str], Records]:
    workbook = _open_workbook(data, max_bytes, max_rows)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared size would pad every row and add rows up to it
        return _table(([cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)), max_rows)
    except ValidationError:
        raise
    except Exception as exc:  # broken XML inside the package only shows while the rows are read
        raise _not_xlsx() from exc
    finally:
        workbook.close()


def _table(lines: Iterable[list[str]], max_rows: int) -> tuple[list[str], Records]:
    """The header and the numbered non-blank data rows. Stops reading, with a message, at the
    first row past `max_rows` below the header (blank rows count: each one is read too) or the
    first row wider than MAX_COLUMNS."""
    header, records = None, []
    for number, cells in enumerate(lines, start=1):
        if len(cells) > MAX_COLUMNS:
            raise ValidationError(
                _("Row %(row)d reaches beyond column %(max)d: delete what is right of the list and upload it again.")
                % {"row": number, "max": MAX_COLUMNS},
                code="too_many_columns",
            )
        if number > max_rows + 1:
            raise ValidationError(
                ngettext(
                    "The file has more than %(max)d row below the header, counting empty rows; import at most "
                    "%(max)d at a time and delete empty rows below the list.",
                    "The file has more than %(max)d rows below the header, counting empty rows; import at most "
                    "%(max)d at a time and delete empty rows below the list.",
                    max_rows,
                )
                % {"max": max_rows},
                code="too_many_rows",
            )
        if header is None:
            header = cells
        elif any(cells):
            records.append((number, cells))
    if header is None or not (any(header) or records):
        raise ValidationError(_("The file is empty."), code="empty")
    return header, records


def column_positions(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    """Where each known column is, by its English or Chinese title (case-insensitive).

    Raises ValidationError when a column appears twice or a required one is missing.
    """
    titles = {title.casefold(): column.key for column in columns for title in (column.english, column.chinese)}
    positions = {}
    for index, title in enumerate(header):
        key = titles.get(title.strip().lstrip("\ufeff").casefold())
        if key is None:
            continue
        if key in positions:
            raise ValidationError(_("The column “%(column)s” appears twice.") % {"column": title}, code="columns")
        positions[key] = index
    missing = [c.title for c in columns if c.is_required and c.key not in positions]
    if missing:
        raise ValidationError(
            ngettext(
                "The first row must name the columns; this one is missing: %(columns)s.",
                "The first row must name the columns; these are missing: %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)},
            code="columns",
        )
    return positions


def read(
    file: File, name: str, *, columns: Sequence[Column], max_bytes: int, max_rows: int, empty_message: str
) -> tuple[dict[str, int], Records]:
    """The column positions and numbered data rows of an uploaded spreadsheet.

    Raises ValidationError with a message for the uploader when the file as a whole is unusable
    (wrong type by name or content, too large, too many rows, columns missing, no data rows).
    """
    extension = extension_of(name)
    data = _file_bytes(file, max_bytes)
    header, records = (
        _table(_csv_lines(data), max_rows) if extension == "csv" else _xlsx_lines(data, max_bytes, max_rows)
    )
    positions = column_positions(header, columns)
    if not records:
        raise ValidationError(empty_message, code="empty")
    return positions, records


def read_rows(
    file: File, name: str, *, columns: Sequence[Column], max_bytes: int, max_rows: int, empty_message: str
) -> list[dict]:
    """The data rows of an uploaded spreadsheet as JSON to keep with the upload, so that its
    preview never reads the file again: [{"number": 2, "values": {column key: text}}, ...].

    Raises ValidationError like read().
    """
    positions, records = read(
        file, name, columns=columns, max_bytes=max_bytes, max_rows=max_rows, empty_message=empty_message
    )
    return [{"number": number, "values": row_values(cells, positions, columns)} for number, cells in records]


def kept_values(row: dict, columns: Sequence[Column]) -> dict[str, str]:
    """One kept row's cells by column key (see read_rows); "" for a column it does not have."""
    return {column.key: str(row["values"].get(column.key, "")) for column in columns}


def row_values(cells: list[str], positions: dict[str, int], columns: Sequence[Column]) -> dict[str, str]:
    """One row's cells by column key; "" for a column the file does not have."""
    return {
        column.key: cells[positions[column.key]].strip()
        if column.key in positions and positions[column.key] < len(cells)
        else ""
        for column in columns
    }


def length_errors(values: dict[str, str], columns: Sequence[Column]) -> list[str]:
    """A message for every cell longer than its column allows."""
    return [
        _("%(column)s is longer than %(max)d characters.") % {"column": column.title, "max": column.max_length}
        for column in columns
        if column.max_length is not None and len(values.get(column.key, "")) > column.max_length
    ]


def display_name(name: str, default: str) -> str:
    """The uploader's file name, shortened to fit, for display only (stored names are random)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or default
    if len(name) <= NAME_MAX_LENGTH:
        return name
    stem, _dot, extension = name.rpartition(".")
    return stem[: NAME_MAX_LENGTH - len(extension) - 1] + "." + extension


def sample_csv(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> bytes:
    """A template to fill in: Chinese headers and example rows, with a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.chinese for column in columns])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Writing (exports) ----------------------------------------------------------------------------------
# Text a spreadsheet would take for a formula (starting with = + - @) is neutralised: in CSV with a
# leading apostrophe, in XLSX as a cell typed as text. CSV is UTF-8 with a byte-order mark.

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000  # rows between two progress reports


def safe_text(value: str) -> str:
    """Text a spreadsheet must show as text, never run as a formula (for CSV, which has no types)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(header: list[str], rows: Iterator[list], progress: Callable[[int], None]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 (and so Chinese) only with a byte-order mark
    writer = csv.writer(out)
    writer.writerow([safe_text(str(title)) for title in header])
    for count, row in enumerate(rows, 1):
        writer.writerow(["" if cell is None else safe_text(cell) if isinstance(cell, str) else cell for cell in row])
        if count % CHUNK == 0:
            progress(count)
    return out.getvalue().encode("utf-8")


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """Text as a text cell: openpyxl would store "=…" as a formula (and "#N/A" as an error)."""
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell


def write_xlsx(header: list[str], rows: Iterator[list], progress: Callable[[int], None], title: str = "") -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title or _("Reports"))
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, str(title)) for title in header])
    for count, row in enumerate(rows, 1):
        sheet.append([_text_cell(sheet, cell) if isinstance(cell, str) else cell for cell in row])
        if count % CHUNK == 0:
            progress(count)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
