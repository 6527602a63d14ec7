"""Upload checks for report attachments: what a file really is, judged by its content.

A name says nothing about a file: an .exe renamed to .pdf would otherwise be served back to a
manager as a "contract". So the first bytes decide the type, the extension must agree with
them, and the name the author chose is kept for display only.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 200  # Attachment.original_name

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file header of .doc, .xls and .ppt
ZIP = b"PK\x03\x04"
# Which part inside an Office Open XML package tells Word, Excel and PowerPoint files apart.
OOXML_MAIN_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    display_name: str
    extension: str
    content_type: str


def max_bytes() -> int:
    return getattr(settings, "REPORT_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def display_name(name: str) -> str:
    """The author's file name, safe to show: no folders, control characters or leading dots,
    and short enough to store, keeping the extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:10] if dot else ""
        name = (stem if dot else name)[: MAX_NAME_LENGTH - len(keep) - 1] + (f".{keep}" if keep else "")
    return name or "attachment"


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def sniff(file) -> set[str]:
    """The extensions the file's content is valid for (empty when it is none of the allowed kinds)."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return {"pdf"}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}
    if head.startswith(b"\xff\xd8\xff"):
        return {"jpg", "jpeg"}
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return {"gif"}
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return {"webp"}
    if head.startswith(OLE):
        return {"doc", "xls", "ppt"}
    if head.startswith(ZIP):
        return _office_open_xml(file)
    return set()


def _office_open_xml(file) -> set[str]:
    # Only the zip's directory is read, nothing is decompressed, so a zip bomb costs nothing here.
    try:
        with zipfile.ZipFile(file) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return set()
    return {ext for ext, folder in OOXML_MAIN_PART.items() if any(n.startswith(folder) for n in names)}


def check_upload(file: UploadedFile) -> CheckedUpload:
    """Accept the file only when its content is an allowed kind that agrees with its extension
    and it is within the size limit.

    Raises ValidationError with a message for the author otherwise.
    """
    limit = max_bytes()
    if file.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = display_name(file.name)
    extension = extension_of(name)
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            _("Files of this type cannot be attached. Allowed: %(allowed)s."),
            params={"allowed": ", ".join(ALLOWED_EXTENSIONS)},
            code="extension",
        )
    if extension not in sniff(file):
        raise ValidationError(
            _("The content of “%(name)s” is not a real .%(extension)s file."),
            params={"name": name, "extension": extension},
            code="content",
        )
    return CheckedUpload(file=file, display_name=name, extension=extension, content_type=CONTENT_TYPES[extension])
