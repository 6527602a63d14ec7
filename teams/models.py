import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# A team's path is its ancestors' ids and its own, each zero-padded to this width and ended by
# "/": "0000001/0000004/". A subtree is then one indexed prefix match, whatever its depth.
PATH_SEGMENT_WIDTH = 7
PATH_MAX_LENGTH = 255


def name_key(name: str) -> str:
    """What a display name looks like to a reader, for telling names apart: the same for "Li Qiang",
    "LI QIANG", "ｌｉ　ｑｉａｎｇ" and "LiQiang" with a zero-width space in it (compatibility forms
    folded, case folded, spaces and invisible format characters removed)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")


class User(AbstractUser):
    """A person who logs in: salesperson, manager, director or admin, with their member profile."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Left")

    display_name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("interface language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    hired_on = models.DateField(_("hire date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # name_key(str(user)): unique, so nobody can take a colleague's name in another case or width.
    name_key = models.CharField(max_length=150, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Another person already uses this email address."),
            ),
            models.UniqueConstraint(
                fields=["name_key"],
                name="user_name_unique",
                violation_error_message=_("Another person already uses this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # Kept in step here rather than in each service, so that no path (the Django admin,
        # createsuperuser, the demo) can write a name without its key; bulk inserts set it themselves.
        self.name_key = name_key(str(self))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"display_name", "username"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def name_with_handle(self) -> str:
        """The name and the username, which only an admin can change: "李强 (@liqiang)". Wherever one
        person's words reach another (comments, emails), so a lookalike name cannot pass for someone."""
        return f"{self} (@{self.username})" if self.display_name else str(self)

    def get_absolute_url(self) -> str:
        return reverse("teams:member_detail", args=[self.pk])

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class TeamQuerySet(models.QuerySet):
    def active(self) -> "TeamQuerySet":
        return self.filter(is_active=True)


class Team(models.Model):
    """A node of the organisation tree: company, region or team, nested to any depth."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        REGION = "region", _("Region")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="team_name_unique_among_siblings"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="team_root_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:team_detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path without a query."""
        return [int(segment) for segment in self.path.split("/")[:-2]]

    def is_inside(self, other: "Team") -> bool:
        """True when this team is `other` or one of its descendants."""
        return self.path.startswith(other.path)


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(ended_on__isnull=True)

    def on(self, day: date) -> "MembershipQuerySet":
        """Memberships that held on the given day (history included)."""
        return self.filter(started_on__lte=day).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day))


class Membership(models.Model):
    """A person's place in one team for a period; ended memberships are the person's history."""

    class Role(models.TextChoices):
        SALESPERSON = "salesperson", _("Salesperson")
        MANAGER = "manager", _("Manager")
        DIRECTOR = "director", _("Director")

    user = models.ForeignKey(User, verbose_name=_("member"), on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.SALESPERSON)
    started_on = models.DateField(_("from"))
    # The day the membership stopped holding (exclusive); empty while it is current.
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-started_on", "-pk"]
        constraints = [
            # A person belongs to one team at a time.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(ended_on__isnull=True), name="membership_one_current_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["team", "ended_on"], name="membership_team_current")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class SpreadsheetImport(models.Model):
    """An uploaded spreadsheet kept from upload (previewed) until it is applied, all rows or none.

    The file stays in private storage under MEDIA_ROOT; no URL serves it. Its rows are read once,
    at upload, and kept in `rows`, so showing the preview again never parses the file again.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # [{"number": 2, "values": {column key: text}}, ...] (teams.spreadsheets.read_rows);
    # None for an upload kept before the rows were.
    rows = models.JSONField(_("rows as read"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED


class MemberImport(SpreadsheetImport):
    """A spreadsheet of new members."""

    file = models.FileField(_("file"), upload_to="imports/members/%Y/%m/")
    created_count = models.PositiveIntegerField(_("members created"), default=0)

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def get_absolute_url(self) -> str:
        return reverse("teams:member_import_preview", args=[self.pk])


class LeaveQuerySet(models.QuerySet):
    def approved(self) -> "LeaveQuerySet":
        """The leave that excuses a member from reporting and silences their reminders: only
        approved leave (pending and declined leave excuses nothing)."""
        return self.filter(status=Leave.Status.APPROVED)


class Leave(models.Model):
    """A period a member is away (both days included): once approved, no reminders and not
    counted as missing. Short leave from today on is approved as it is recorded; longer leave, or
    leave starting in the past, waits for the manager (reminders.services.record_leave)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    member = models.ForeignKey(User, verbose_name=_("member"), on_delete=models.CASCADE, related_name="leaves")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LeaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="leave_period")]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on
