"""Targets from the top down: a version of a subtree's yearly, quarterly and monthly targets for
one KPI, written by a manager or director, approved by the director above. Approved versions are
written into reports.Target (weekly, per member), which every page and document reads."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports.models import KPI
from teams.models import Team


class Plan(models.Model):
    """One version of the targets of a team and everything under it, for one KPI and year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Waiting for approval")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="target_plans")
    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("reason for the change"), blank=True, max_length=2000)
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kpi", "year", "number"], name="plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.kpi} {self.year} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("planning:plan", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class PlanTarget(models.Model):
    """One figure of a plan: a team's or a member's target for the year, a quarter or a month."""

    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # 1 for the year, 1-4 for a quarter, 1-12 for a month.
    number = models.PositiveSmallIntegerField(default=1)
    base = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    stretch = models.DecimalField(_("stretch target"), max_digits=16, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=True, member__isnull=False)
                | models.Q(team__isnull=False, member__isnull=True),
                name="plan_target_team_or_member",
            ),
            models.UniqueConstraint(
                fields=["plan", "team", "kind", "number"],
                condition=models.Q(team__isnull=False),
                name="plan_target_team_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "member", "kind", "number"],
                condition=models.Q(member__isnull=False),
                name="plan_target_member_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team or self.member} {self.kind} {self.number}: {self.base}"


class PaceAlert(models.Model):
    """The claim that a team's managers were told who is behind pace at one threshold of one
    period: the beat task sends each alert once, however often it runs."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    behind = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kpi", "starts_on", "ends_on", "threshold"], name="pace_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.kpi} {self.starts_on}–{self.ends_on} {self.threshold}%"
