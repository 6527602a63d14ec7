import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from teams.models import Team


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone “%(value)s”."), params={"value": value})


MAX_REMINDERS = 5


def parse_reminder_hours(value: str) -> list[int]:
    """ "24, 2" → [24, 2]; raises ValueError for anything else."""
    hours = [int(part) for part in value.replace("，", ",").split(",") if part.strip()]
    if len(hours) > MAX_REMINDERS or any(not 1 <= h <= 7 * 24 for h in hours):
        raise ValueError(value)
    return sorted(set(hours), reverse=True)


def validate_reminder_hours(value: str) -> None:
    try:
        parse_reminder_hours(value)
    except ValueError:
        raise ValidationError(
            _("Enter up to %(max)d whole numbers of hours between 1 and 168, separated by commas."),
            params={"max": MAX_REMINDERS},
        ) from None


class KPI(models.Model):
    """A number every report of a template asks for, compared with a target."""

    class Unit(models.TextChoices):
        CNY = "cny", _("CNY")
        COUNT = "count", _("count")
        PERCENT = "percent", _("%")
        SCORE = "score", _("score")
        HOURS = "hours", _("hours")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        AVERAGE = "average", _("Average")
        LATEST = "latest", _("Latest")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0, validators=[MaxValueValidator(4)])
    is_higher_better = models.BooleanField(_("higher is better"), default=True)
    aggregation = models.CharField(
        _("adds up as"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("How weeks and people add up: sum (sales), average (satisfaction) or latest (pipeline)."),
    )

    class LogSource(models.TextChoices):
        VISITS = "visits", _("Visits logged")
        CALLS = "calls", _("Calls logged")
        MESSAGES = "messages", _("Emails and WeChat messages logged")
        MEETINGS = "meetings", _("Meetings logged")
        QUOTES = "quotes", _("Quotes logged")
        CONTRACTS = "contracts", _("Contracts signed")
        CONTRACT_AMOUNT = "contract_amount", _("Amount of contracts signed")
        PAYMENT_AMOUNT = "payment_amount", _("Payments collected")
        NEW_CUSTOMERS = "new_customers", _("New customers created")

    log_source = models.CharField(
        _("from the sales log"),
        max_length=20,
        choices=LogSource.choices,
        blank=True,
        help_text=_("What “Fill from my sales log” puts in this KPI. Empty: salespeople type it themselves."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def step(self) -> str:
        return "1" if self.decimals == 0 else "0." + "0" * (self.decimals - 1) + "1"


class ReportTemplate(models.Model):
    """What a team's weekly report asks for. Its content lives in immutable versions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:template_edit", args=[self.pk])


class TemplateVersion(models.Model):
    """One frozen layout of a template. Reports point at the version they were written with, so an
    old report renders exactly as it was written after the template changes."""

    class Section(models.TextChoices):
        REVIEW = "review", _("Work review")
        KPIS = "kpis", _("KPIs")
        PROBLEMS = "problems", _("Problems and solutions")
        PLAN = "plan", _("Next week's plan")
        CUSTOM = "custom", _("Other fields")

    class FieldType(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Section kinds in display order, e.g. ["review", "kpis", "problems", "plan", "custom"].
    sections = models.JSONField(default=list)
    kpis = models.ManyToManyField(KPI, through="TemplateKPI", related_name="+")
    # [{"key", "label", "type", "required", "help", "choices": [...]}, ...]
    fields = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class TemplateKPI(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE)
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "kpi"], name="template_kpi_unique")]

    def __str__(self) -> str:
        return f"{self.version} · {self.kpi}"


# The times of day are defaults given as functions: Django's check for fixed defaults
# (fields.W161) compares a fixed time of day with the clock and warns for the 20 seconds around it,
# which failed CI's deploy check when it ran at 09:00 UTC.
def nine_am() -> datetime.time:
    return datetime.time(9, 0)


def six_pm() -> datetime.time:
    return datetime.time(18, 0)


def three_pm() -> datetime.time:
    return datetime.time(15, 0)


class TeamSettings(models.Model):
    """A team's calendar and template. Teams without their own row use their nearest ancestor's;
    a team without its own template uses its nearest ancestor's template."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="report_settings")
    template = models.ForeignKey(
        ReportTemplate,
        verbose_name=_("report template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: use the parent team's template."),
    )
    week_start_weekday = models.PositiveSmallIntegerField(
        _("week starts on"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    deadline_weekday = models.PositiveSmallIntegerField(
        _("deadline day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    deadline_time = models.TimeField(_("deadline time"), default=six_pm)
    grace_minutes = models.PositiveIntegerField(
        _("grace period (minutes)"),
        default=0,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("Reports submitted within this time after the deadline are not marked late."),
    )
    review_weekday = models.PositiveSmallIntegerField(_("review day"), choices=Weekday.choices, default=Weekday.MONDAY)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    is_deadline_moved_off_days_off = models.BooleanField(
        _("move the deadline off days off"),
        default=True,
        help_text=_("When the deadline falls on a holiday or day off, it moves to the previous working day."),
    )
    reminder_hours = models.CharField(
        _("remind before the deadline (hours)"),
        max_length=40,
        default="24,2",
        blank=True,
        validators=[validate_reminder_hours],
        help_text=_("Hours before the deadline, separated by commas, e.g. “24,2”. Empty: no early reminders."),
    )
    overdue_reminder_minutes = models.PositiveIntegerField(
        _("overdue reminder after (minutes)"),
        default=60,
        validators=[MaxValueValidator(3 * 24 * 60)],
        help_text=_("Minutes after the deadline (and grace period) to remind those who have not submitted."),
    )
    digest_time = models.TimeField(
        _("review-day digest at"),
        default=nine_am,
        help_text=_("Managers get the list of reports to review at this time on the review day."),
    )
    pending_reminder_time = models.TimeField(
        _("pending-review reminder at"),
        default=three_pm,
        help_text=_("If reviews are still pending at this time on the review day, managers are reminded."),
    )

    class Meta:
        verbose_name = _("team settings")
        verbose_name_plural = _("team settings")

    def __str__(self) -> str:
        return str(self.team)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def week_start_for(self, day: datetime.date) -> datetime.date:
        """The first day of the reporting week that contains `day`."""
        return day - datetime.timedelta(days=(day.weekday() - self.week_start_weekday) % 7)

    def deadline_for(self, week_start: datetime.date) -> datetime.datetime:
        """The aware submission deadline of the week starting `week_start`.

        The deadline is the first deadline weekday after the week begins; a deadline on the week's
        own first weekday means the start of the following week (e.g. "Monday 10:00").
        """
        offset = (self.deadline_weekday - self.week_start_weekday) % 7 or 7
        day = week_start + datetime.timedelta(days=offset)
        return datetime.datetime.combine(day, self.deadline_time, tzinfo=self.zone)

    def review_day_for(self, week_start: datetime.date) -> datetime.date:
        """The first review weekday after the deadline day."""
        deadline_day = self.deadline_for(week_start).date()
        return deadline_day + datetime.timedelta(days=(self.review_weekday - deadline_day.weekday() - 1) % 7 + 1)

    def review_due_for(self, week_start: datetime.date) -> datetime.datetime:
        """When the week's reviews are due: the end of the review day, in the team's time zone."""
        day_after = self.review_day_for(week_start) + datetime.timedelta(days=1)
        return datetime.datetime.combine(day_after, datetime.time(0, 0), tzinfo=self.zone)


class Target(models.Model):
    """A member's target for one KPI and one week; a team's target is the sum of its members'."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="targets")
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="targets")
    week_start = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal(0))])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kpi", "week_start"], name="target_unique")]
        indexes = [models.Index(fields=["week_start", "kpi"], name="target_week_kpi")]

    def __str__(self) -> str:
        return f"{self.member} {self.kpi} {self.week_start}: {self.value}"


class WeeklyReportQuerySet(models.QuerySet):
    def submitted(self) -> "WeeklyReportQuerySet":
        return self.filter(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED])


class WeeklyReport(models.Model):
    """One member's report for one week."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        REVIEWED = "reviewed", _("Reviewed")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports")
    # The team the author wrote it in; managers of that team keep seeing it after the author moves.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reports")
    week_start = models.DateField(_("week"))
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Raised by every save; a save that started from an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1)
    summary = models.TextField(_("work review"), blank=True, max_length=20000)
    custom_values = models.JSONField(default=dict, blank=True)
    # The author's comments on the sections higher apps add (reports/sections.py), by section key.
    section_comments = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    late_by = models.DurationField(_("late by"), null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    is_edited_after_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WeeklyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start", "author"]
        constraints = [models.UniqueConstraint(fields=["author", "week_start"], name="report_one_per_member_week")]
        indexes = [
            models.Index(fields=["team", "week_start"], name="report_team_week"),
            # The review queue and its badge: the few reports waiting for review, out of a year's.
            models.Index(
                fields=["team", "week_start"], condition=models.Q(status="submitted"), name="report_awaiting_review"
            ),
            # A director's reading list: the latest submitted reports, the first twenty of a year's.
            models.Index(
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                condition=~models.Q(status="draft"),
                name="report_latest_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.week_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    @property
    def is_late(self) -> bool:
        return self.late_by is not None

    @property
    def is_editable_by_author(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class KpiValue(models.Model):
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="kpi_values")
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="+")
    # The target as it stood when the report was last saved, so old reports keep their numbers.
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    is_from_log = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="kpi_value_unique")]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.actual} / {self.target}"

    @property
    def achievement(self) -> Decimal | None:
        """actual / target, or None when either is missing or the target is zero."""
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target


class ProblemCategory(models.Model):
    """What kind of problem a report names (price, delivery, competition…), so that the problems
    of many reports can be counted and the ones raised again and again found. Admins keep the list;
    categories are deactivated, never deleted, since reports use them."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=40)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["name_zh"], name="problem_category_name_zh_unique"),
            models.UniqueConstraint(fields=["name_en"], name="problem_category_name_en_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:problem_category_edit", args=[self.pk])

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Problem(models.Model):
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveSmallIntegerField(default=0)
    problem = models.CharField(_("problem"), max_length=500)
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    # The customer's name reduced for comparison (reports.customer_names.name_key), so the same
    # customer's problems group together however the name was typed.
    customer_key = models.CharField(max_length=200, blank=True, editable=False)
    cause = models.CharField(_("cause"), max_length=500, blank=True)
    action = models.CharField(_("action taken"), max_length=500, blank=True)
    help_needed = models.CharField(_("help needed"), max_length=500, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["category"], name="problem_category")]

    def __str__(self) -> str:
        return self.problem


class PlanItem(models.Model):
    """A next-week plan item; next week's report answers it in its work review."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="plan_items")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("plan item"), max_length=500)
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.item


class PlanReview(models.Model):
    """This week's answer to one of last week's plan items (closed-loop planning)."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        PARTLY = "partly", _("Partly done")
        NOT_DONE = "not_done", _("Not done")

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="plan_reviews")
    # Exactly one of the two: last week's plan item, or a goal the manager set in feedback.
    plan_item = models.ForeignKey(PlanItem, null=True, on_delete=models.PROTECT, related_name="reviews")
    goal = models.ForeignKey("reviews.FeedbackGoal", null=True, on_delete=models.PROTECT, related_name="reviews")
    # Copied so the review still reads right if the earlier report is returned and edited.
    item_text = models.CharField(max_length=500)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = [models.F("goal").asc(nulls_first=True), "plan_item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "plan_item"], name="plan_review_unique"),
            models.UniqueConstraint(fields=["report", "goal"], name="goal_review_unique"),
            models.CheckConstraint(
                condition=models.Q(plan_item__isnull=False, goal__isnull=True)
                | models.Q(plan_item__isnull=True, goal__isnull=False),
                name="plan_review_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_text}: {self.outcome or '?'}"

    @property
    def is_goal(self) -> bool:
        return self.goal_id is not None


class ReportRevision(models.Model):
    """The full content of a report at each submission and at every change after the first one."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        EDITED = "edited", _("Edited after submission")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="revision_unique")]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"


class DraftConflict(models.Model):
    """A save refused because the report changed meanwhile (another tab or device). The refused
    text is kept here so nothing the user typed is ever lost."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report} conflict from v{self.base_version}"


class Attachment(models.Model):
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class DayOff(models.Model):
    """A day the company (no team) or a team and its sub-teams does not work, on top of the
    public holidays: no reminders, and a deadline on it moves to the previous working day. Or,
    with `is_working_day`, a make-up working day (调休补班): a weekend or holiday that is worked."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="days_off"
    )
    on = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100, blank=True)
    is_working_day = models.BooleanField(_("make-up working day"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "on"], name="day_off_unique_per_team"),
            models.UniqueConstraint(
                fields=["on"], condition=models.Q(team__isnull=True), name="day_off_unique_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.name}"
