"""Written monthly, quarterly and yearly summaries (seed 003's structure), their review, and the
lessons a team keeps as practices."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports.models import KPI, PlanReview
from reviews.models import ReviewAction
from teams.models import Team

DEFAULT_DEVIATION_PERCENT = 10


class SummarySettings(models.Model):
    """A team's rules for written summaries; teams without a row use their nearest ancestor's."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="summary_settings")
    deviation_percent = models.PositiveSmallIntegerField(
        _("causes required beyond (%)"),
        default=DEFAULT_DEVIATION_PERCENT,
        validators=[MaxValueValidator(100)],
        help_text=_("A KPI further than this from its target needs the causes of the deviation."),
    )

    class Meta:
        verbose_name = _("summary settings")
        verbose_name_plural = _("summary settings")

    def __str__(self) -> str:
        return str(self.team)


class PeriodSummary(models.Model):
    """One author's written summary of a month, quarter or year: of their own work (member) or of
    the team or region they lead."""

    class Level(models.TextChoices):
        MEMBER = "member", _("Personal")
        TEAM = "team", _("Team or region")

    class Period(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")
        YEAR = "year", _("Yearly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        REVIEWED = "reviewed", _("Reviewed")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="period_summaries")
    # The team it is written in (and, for a team summary, the team it is about).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="period_summaries")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.MEMBER)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Raised by every save; a save that started from an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1)
    overview = models.TextField(_("overview"), blank=True, max_length=20000)
    customers = models.TextField(_("customer development"), blank=True, max_length=20000)
    process = models.TextField(_("sales process"), blank=True, max_length=20000)
    market = models.TextField(_("market and competitors"), blank=True, max_length=20000)
    problems = models.TextField(_("problems and challenges"), blank=True, max_length=20000)
    lessons = models.TextField(_("lessons learned"), blank=True, max_length=20000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("overview", "customers", "process", "market", "problems", "lessons")

    class Meta:
        verbose_name = _("period summary")
        verbose_name_plural = _("period summaries")
        ordering = ["-start", "author"]
        constraints = [
            models.UniqueConstraint(fields=["author", "level", "period", "start"], name="period_summary_unique"),
        ]
        indexes = [models.Index(fields=["team", "period", "start"], name="period_summary_team")]

    def __str__(self) -> str:
        return f"{self.author} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("periodsummaries:detail", args=[self.pk])

    @property
    def title(self) -> str:
        if self.period == self.Period.MONTH:
            label = f"{self.start:%Y-%m}"
        elif self.period == self.Period.QUARTER:
            label = f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        else:
            label = f"{self.start.year}"
        return f"{label} {self.get_period_display()}"

    @property
    def is_editable_by_author(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class SummaryKpi(models.Model):
    """A KPI's target and actual for the period: pre-filled from the weekly roll-ups; the author
    may change the actual, and the pre-filled figure stays beside it."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="kpis")
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    prefilled = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    cause = models.TextField(_("causes of the deviation"), blank=True, max_length=2000)

    class Meta:
        ordering = ["kpi__position", "kpi_id"]
        constraints = [models.UniqueConstraint(fields=["summary", "kpi"], name="summary_kpi_unique")]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.actual} / {self.target}"

    @property
    def is_changed(self) -> bool:
        """The author typed another figure than the roll-up's."""
        return self.actual != self.prefilled

    @property
    def achievement(self) -> Decimal | None:
        """actual / target, or None without both."""
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target

    @property
    def deviation(self) -> Decimal | None:
        """(actual - target) / target, or None without both."""
        if self.actual is None or not self.target:
            return None
        return (self.actual - self.target) / self.target


class ActionItem(models.Model):
    """One item of next period's plan; the author's next summary of the same kind answers it."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="action_items")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    measure = models.CharField(_("measure of success"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.item


class ActionReview(models.Model):
    """This summary's answer to one of the previous summary's action items (the closed loop)."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="action_reviews")
    action_item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="reviews")
    # Copied so the checklist still reads right if the earlier summary is returned and edited.
    item_text = models.CharField(max_length=500)
    outcome = models.CharField(_("outcome"), max_length=10, choices=PlanReview.Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["action_item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "action_item"], name="action_review_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_text}: {self.outcome or '?'}"


class SummaryRevision(models.Model):
    """The full content of a summary at each submission."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["summary", "-number"]
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="summary_revision_unique")]

    def __str__(self) -> str:
        return f"{self.summary} #{self.number}"


class SummaryConflict(models.Model):
    """A save refused because the summary changed meanwhile; the refused text is kept here."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.summary} conflict from v{self.base_version}"


class SummaryFeedback(models.Model):
    """A manager's four-part feedback on a summary (the same parts as on weekly reports)."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="feedback")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    praise = models.TextField(_("what went well"), blank=True, max_length=5000)
    problems = models.TextField(_("problems"), blank=True, max_length=5000)
    suggestions = models.TextField(_("suggestions"), blank=True, max_length=5000)
    goals = models.TextField(_("goals"), blank=True, max_length=5100)
    rating = models.PositiveSmallIntegerField(_("overall rating"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.summary}"

    @property
    def goal_list(self) -> list[str]:
        return [line for line in self.goals.splitlines() if line.strip()]


class SummaryReviewAction(models.Model):
    """What a reviewer did to a summary and when."""

    summary = models.ForeignKey(PeriodSummary, on_delete=models.CASCADE, related_name="review_actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReviewAction.Kind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class Practice(models.Model):
    """A lesson a team keeps as its practice (经验), with the summary it came from."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="practices")
    summary = models.ForeignKey(PeriodSummary, null=True, on_delete=models.SET_NULL, related_name="practices")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("practice"), max_length=5000)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
