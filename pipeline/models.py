"""Opportunities (商机): a deal in the making with one customer, moving through configurable
stages towards won or lost, with its stage history for cycle times and conversion, and the
forecasts managers adjust per member and that are frozen once their period closes."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from teams.models import SpreadsheetImport


class Stage(models.Model):
    """A step of the sales process; configured by admins, defaults 线索 … 赢单 / 输单."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MaxValueValidator(100)], help_text=_("The default chance of winning.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class LeadSource(models.Model):
    """Where opportunities come from (展会, 转介绍, 线上, 陌生拜访 …); configured by admins."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class OpportunityQuerySet(models.QuerySet):
    def open(self) -> "OpportunityQuerySet":
        return self.filter(stage__is_won=False, stage__is_lost=False)


class Opportunity(models.Model):
    """A deal with a customer. It belongs to whoever owns the customer, so it follows the customer
    when a manager hands it over, and is in the same people's reach."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="opportunities"
    )
    name = models.CharField(_("opportunity"), max_length=200)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    expected_close_on = models.DateField(_("expected close"))
    lead_source = models.ForeignKey(
        LeadSource, verbose_name=_("lead source"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    loss_reason = models.CharField(_("why lost"), max_length=300, blank=True)
    # As Customer.external_id: the deal's id in the system that sent it (the REST API), unique
    # per customer. Per customer rather than per owner: an opportunity follows its customer when
    # a manager hands the customer over, and its customer never changes.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    # Days in the owner's time zone: the week's changes and the funnel's periods count these.
    created_on = models.DateField(_("created"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # closed_on - created_on in days, kept when it closes so the cycle time averages in the database.
    cycle_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_on", "pk"]
        indexes = [
            models.Index(fields=["customer", "expected_close_on"], name="opportunity_customer_close"),
            models.Index(fields=["closed_on"], name="opportunity_closed"),
            models.Index(fields=["created_on"], name="opportunity_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.UniqueConstraint(
                fields=["customer", "external_id"],
                condition=~models.Q(external_id=""),
                name="opportunity_external_id_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.name}" if self.customer_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:opportunity_detail", args=[self.pk])


class StageChange(models.Model):
    """One move of an opportunity from a stage to another (from None: created)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField(_("date"))
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["changed_on", "pk"]
        indexes = [models.Index(fields=["changed_on"], name="stage_change_day")]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_stage or '—'} → {self.to_stage}"


class CloseDateChange(models.Model):
    """A move of the expected close date; later dates are "slipped" in the weekly report."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="close_date_changes")
    from_on = models.DateField()
    to_on = models.DateField()
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["changed_on", "pk"]
        indexes = [models.Index(fields=["changed_on"], name="close_date_change_day")]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_on} → {self.to_on}"


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Forecast(models.Model):
    """A member's forecast of one month or quarter: the manager's commit and best case, and,
    once the period has closed, the figures frozen as they stood at its end."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forecasts")
    period = models.CharField(max_length=10, choices=Period.choices)
    period_start = models.DateField()
    commit = models.DecimalField(_("commit"), max_digits=16, decimal_places=2, null=True, blank=True)
    best_case = models.DecimalField(_("best case"), max_digits=16, decimal_places=2, null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Frozen at the period's end (won + weighted pipeline then), so accuracy compares like with like.
    frozen_won = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    frozen_weighted = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period", "period_start"], name="forecast_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.period} {self.period_start}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def frozen_forecast(self) -> Decimal | None:
        """What was forecast for the period: the commit when a manager set one, else won + weighted."""
        if self.commit is not None:
            return self.commit
        if self.frozen_won is None:
            return None
        return self.frozen_won + (self.frozen_weighted or Decimal(0))


class OpportunityImport(SpreadsheetImport):
    """A spreadsheet of opportunities."""

    file = models.FileField(_("file"), upload_to="imports/pipeline/%Y/%m/")
    created_count = models.PositiveIntegerField(_("rows imported"), default=0)

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("opportunity import")
        verbose_name_plural = _("opportunity imports")

    def get_absolute_url(self) -> str:
        return reverse("pipeline:import_preview", args=[self.pk])


def period_bounds(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month or quarter containing `day`."""
    first_month = day.month if period == Period.MONTH else 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    months = 1 if period == Period.MONTH else 3
    year, month = divmod(start.month - 1 + months, 12)
    end = datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)
    return start, end
