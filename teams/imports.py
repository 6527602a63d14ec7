"""Bulk import of members from a spreadsheet (.csv or .xlsx): read, check every row, apply all or nothing.

An upload is checked as a whole when it arrives (wrong type, too large, too many rows, missing
columns), and nothing is stored unless that passes; its rows are read then, once, and kept with
it. They are checked against the database as it is at that moment, every time the preview is
shown and again when the file is applied. One
bad row blocks the whole file, so nobody has to clean up a half-imported team by hand.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditEntry
from audit.services import record
from teams import services, spreadsheets, versions
from teams.models import MemberImport, Membership, Team, User, name_key

Column = spreadsheets.Column


def _max_length(user_field: str) -> int:
    return User._meta.get_field(user_field).max_length


COLUMNS = (
    Column(
        "name",
        "name",
        "姓名",
        True,
        gettext_lazy("The person's name as colleagues see it."),
        _max_length("display_name"),
    ),
    Column(
        "email",
        "email",
        "邮箱",
        True,
        gettext_lazy("Nobody may use it yet; the invitation to set a password is sent there."),
        _max_length("email"),
    ),
    Column(
        "team",
        "team",
        "团队",
        True,
        gettext_lazy(
            "The team's name. When several teams share a name, write the teams above it too, separated by “/”."
        ),
    ),
    Column(
        "role",
        "role",
        "角色",
        False,
        gettext_lazy(
            "Salesperson, manager or director, in English or Chinese (销售, 经理, 总监); salesperson when empty."
        ),
    ),
    Column("position", "position", "职位", False, gettext_lazy("Job title, optional."), _max_length("position")),
    Column("phone", "phone", "电话", False, gettext_lazy("Optional."), _max_length("phone")),
    Column(
        "username",
        "username",
        "用户名",
        False,
        gettext_lazy("For logging in; the email address when empty."),
        _max_length("username"),
    ),
)

ROLE_NAMES = {
    "salesperson": Membership.Role.SALESPERSON,
    "manager": Membership.Role.MANAGER,
    "director": Membership.Role.DIRECTOR,
    "销售": Membership.Role.SALESPERSON,
    "销售代表": Membership.Role.SALESPERSON,
    "经理": Membership.Role.MANAGER,
    "销售经理": Membership.Role.MANAGER,
    "总监": Membership.Role.DIRECTOR,
}

SAMPLE_ROW = ("张三", "zhangsan@example.com", "华东大区/上海一组", "销售", "销售代表", "13800138000", "")


@dataclass
class ImportRow(spreadsheets.CheckedRow):
    team: Team | None = None
    team_label: str = ""
    role: str | None = Membership.Role.SALESPERSON

    @property
    def email(self) -> str:
        return self.values["email"].lower()

    @property
    def username(self) -> str:
        return self.values["username"] or self.email

    @property
    def role_label(self) -> str:
        return str(Membership.Role(self.role).label) if self.role else self.values["role"]


ImportResult = spreadsheets.CheckedFile


# Reading the file -------------------------------------------------------------------------------


def _read(file: File, name: str) -> list[dict]:
    return spreadsheets.read_rows(
        file,
        name,
        columns=COLUMNS,
        max_bytes=settings.MEMBER_IMPORT_MAX_BYTES,
        max_rows=settings.MEMBER_IMPORT_MAX_ROWS,
        empty_message=_("There are no members below the header row."),
    )


# Checking rows ----------------------------------------------------------------------------------


class TeamDirectory:
    """Every team, found by its name or by the names on its path ("华东大区/上海一组")."""

    def __init__(self) -> None:
        self.teams = {team.pk: team for team in Team.objects.only("name", "parent", "path", "is_active")}
        self.by_name: dict[str, list[Team]] = defaultdict(list)
        for team in self.teams.values():
            self.by_name[team.name].append(team)

    def names(self, team: Team) -> list[str]:
        return [self.teams[pk].name for pk in team.ancestor_ids] + [team.name]

    def label(self, team: Team) -> str:
        return " / ".join(self.names(team))

    def find(self, text: str) -> Team:
        """The one team `text` names; raises ValidationError when none or several match."""
        candidates = self.by_name.get(text, [])
        if not candidates and "/" in text.replace("／", "/"):
            parts = [part.strip() for part in text.replace("／", "/").split("/") if part.strip()]
            candidates = [t for t in self.by_name.get(parts[-1], []) if self.names(t)[-len(parts) :] == parts]
        if not candidates:
            raise ValidationError(_("There is no team “%(team)s”.") % {"team": text})
        if len(candidates) > 1:
            paths = "; ".join(sorted("/".join(self.names(t)) for t in candidates))
            raise ValidationError(
                _("Several teams are called “%(team)s”: write its path instead, one of %(paths)s.")
                % {"team": text, "paths": paths}
            )
        if not candidates[0].is_active:
            raise ValidationError(_("The team “%(team)s” is no longer active.") % {"team": text})
        return candidates[0]


def _taken(field_name: str, values: set[str]) -> set[str]:
    """Which of the (lower-case) values some existing user already has, compared case-insensitively."""
    if not values:
        return set()
    users = User.objects.annotate(key=Lower(field_name)).filter(key__in=values)
    return set(users.values_list("key", flat=True))


def _check_lengths(row: ImportRow) -> None:
    row.errors.extend(spreadsheets.length_errors(row.values, COLUMNS))


def _check_name_team_role(row: ImportRow, teams: TeamDirectory) -> None:
    if not row.values["name"]:
        row.errors.append(_("The name is missing."))
    if not row.values["team"]:
        row.errors.append(_("The team is missing."))
    else:
        try:
            row.team = teams.find(row.values["team"])
            row.team_label = teams.label(row.team)
        except ValidationError as exc:
            row.errors.extend(exc.messages)
    if row.values["role"]:
        row.role = ROLE_NAMES.get(row.values["role"].casefold())
        if row.role is None:
            row.errors.append(
                _("Unknown role “%(role)s”: use 销售, 经理 or 总监 (salesperson, manager, director).")
                % {"role": row.values["role"]}
            )


def _check_email(row: ImportRow, *, taken: set[str], seen: dict[str, int]) -> bool:
    """Adds the row's email errors; True when the address is usable."""
    email = row.email
    if not email:
        row.errors.append(_("The email address is missing."))
        return False
    try:
        validate_email(email)
    except ValidationError:
        row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": row.values["email"]})
        return False
    if email in seen:
        row.errors.append(_("This email address is also on row %(row)d.") % {"row": seen[email]})
        return False
    seen[email] = row.number
    if email in taken:
        row.errors.append(_("Another person already uses this email address."))
        return False
    return True


def _check_username(row: ImportRow, *, taken: set[str], seen: dict[str, int]) -> None:
    username = row.username.lower()
    try:
        User.username_validator(row.username)
    except ValidationError as exc:
        row.errors.extend(exc.messages)
        return
    if username in seen:
        row.errors.append(_("This username is also on row %(row)d.") % {"row": seen[username]})
        return
    seen[username] = row.number
    if username in taken:
        row.errors.append(_("This username is taken."))


def _check_name_free(row: ImportRow, *, taken: set[str], seen: dict[str, int]) -> None:
    key = name_key(row.values["name"])
    if not key:
        return
    if key in seen:
        row.errors.append(_("This name is also on row %(row)d.") % {"row": seen[key]})
        return
    seen[key] = row.number
    if key in taken:
        row.errors.append(_("Another person already uses this name."))


def _check_rows(rows: list[ImportRow]) -> None:
    teams = TeamDirectory()
    emails = _taken("email", {row.email for row in rows if row.email})
    usernames = _taken("username", {row.username.lower() for row in rows if row.username})
    names = set(
        User.objects.filter(name_key__in={name_key(row.values["name"]) for row in rows}).values_list(
            "name_key", flat=True
        )
    )
    seen_emails: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        _check_name_team_role(row, teams)
        _check_name_free(row, taken=names, seen=seen_names)
        email_ok = _check_email(row, taken=emails, seen=seen_emails)
        # Without its own username a row takes its email as one: report the email problem only once.
        if row.values["username"] or email_ok:
            _check_username(row, taken=usernames, seen=seen_usernames)
        _check_lengths(row)


def _checked(kept_rows: list[dict]) -> ImportResult:
    rows = [ImportRow(number=row["number"], values=spreadsheets.kept_values(row, COLUMNS)) for row in kept_rows]
    _check_rows(rows)
    return ImportResult(rows=rows, errors=[])


def parse_member_file(file: File, name: str) -> ImportResult:
    """Read a member spreadsheet and check every row against the database as it is now.

    Never raises for bad content: problems with the whole file come back in `errors`, problems
    with a row in that row's `errors`.
    """
    try:
        kept_rows = _read(file, name)
    except ValidationError as exc:
        return ImportResult(rows=[], errors=exc.messages)
    return _checked(kept_rows)


def preview_member_import(member_import: MemberImport) -> ImportResult:
    """The rows read at upload, checked against the database as it is now; the file itself is
    read again only for an upload kept before its rows were."""
    if member_import.rows is not None:
        return _checked(member_import.rows)
    missing = ImportResult(rows=[], errors=[_("The uploaded file is no longer stored: upload it again.")])
    if not member_import.file:
        return missing
    try:
        with member_import.file.open("rb") as stored:
            return parse_member_file(stored, member_import.file.name)
    except OSError:
        return missing


def sample_csv() -> bytes:
    """A template to fill in: Chinese headers and one example row, with a BOM so Excel reads UTF-8."""
    return spreadsheets.sample_csv(COLUMNS, [SAMPLE_ROW])


# Changes ----------------------------------------------------------------------------------------


@transaction.atomic
def store_member_import(*, actor: User, file: File) -> MemberImport:
    """Keep an uploaded member file for its preview; nobody is created yet.

    Raises ValidationError, and stores nothing, when the file as a whole is unusable.
    """
    member_import = MemberImport(
        uploaded_by=actor, original_name=spreadsheets.display_name(file.name, "members"), rows=_read(file, file.name)
    )
    # The stored name is random: the uploader's name is only for display.
    member_import.file.save(f"{uuid.uuid4().hex}.{spreadsheets.extension_of(file.name)}", file, save=False)
    member_import.save()
    return member_import


def _add_row(actor: User, row: ImportRow) -> None:
    services.add_member(
        actor=actor,
        display_name=row.values["name"],
        email=row.email,
        team=row.team,
        role=row.role,
        username=row.username,
        position=row.values["position"],
        phone=row.values["phone"],
    )


def apply_stored(stored, check: Callable, add_row: Callable) -> tuple:
    """Apply a stored upload (a SpreadsheetImport) all or nothing: lock it, check every row again
    with `check(stored)`, call `add_row(row)` for each, and mark it applied; returns the upload
    as saved and its checked rows. Call inside the transaction that records it.

    Raises ValidationError, and changes nothing, when the file was already imported, any row has
    an error, or a row is refused now (someone took an address or a name since the preview).
    """
    # The row lock makes a second click wait for the first and then find the file imported.
    stored = type(stored).objects.select_for_update().get(pk=stored.pk)
    if stored.is_applied:
        raise ValidationError(_("This file has already been imported."), code="already_imported")
    result = check(stored)
    if not result.can_apply:
        raise ValidationError(
            _("Nothing was imported: fix the rows with errors and upload the file again."), code="invalid"
        )
    for row in result.rows:
        try:
            add_row(row)
        except ValidationError as exc:  # the whole import rolls back
            raise ValidationError(
                _("Row %(row)d: %(error)s Nothing was imported.") % {"row": row.number, "error": " ".join(exc.messages)}
            ) from exc
    stored.status = stored.Status.APPLIED
    stored.applied_at = timezone.now()
    stored.created_count = len(result.rows)
    stored.save(update_fields=["status", "applied_at", "created_count"])
    return stored, result


@transaction.atomic
def apply_member_import(*, actor: User, member_import: MemberImport) -> MemberImport:
    """Create every member in the stored file with their membership, or nobody at all.

    Each person is audited and invited by email after the commit, and one IMPORTED entry
    records the file. Raises ValidationError, and changes nothing, when the file was already
    imported or any row has an error.
    """
    versions.touch_all()
    member_import, result = apply_stored(member_import, preview_member_import, lambda row: _add_row(actor, row))
    record(
        actor=actor,
        action=AuditEntry.Action.IMPORTED,
        target=member_import,
        note=ngettext("%(count)d member imported.", "%(count)d members imported.", len(result.rows))
        % {"count": len(result.rows)},
    )
    return member_import
