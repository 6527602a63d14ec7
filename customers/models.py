"""Customers (a light list, not a CRM) and the sales log (销售日志): what a salesperson did with
which customer on which day. The weekly report's numbers can be filled from the log."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import SpreadsheetImport


class Customer(models.Model):
    """A company a salesperson works with, owned by one salesperson at a time."""

    class Tier(models.TextChoices):
        A = "a", _("A · key account")
        B = "b", _("B · growing")
        C = "c", _("C · standard")

    class Status(models.TextChoices):
        LEAD = "lead", _("Lead")
        ACTIVE = "active", pgettext_lazy("customer status", "Active")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    # name_key(name), kept so duplicates are one indexed comparison.
    key = models.CharField(max_length=200, editable=False)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="customers"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.LEAD)
    lost_reason = models.CharField(_("why lost"), max_length=300, blank=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who to talk to, and how: name, phone, WeChat.")
    )
    # The day it became a customer, in its owner's time zone: "new customers" of a week count these.
    created_on = models.DateField(_("created"))
    # The id the customer has in another system (a CRM syncing through the API), unique per owner
    # so that sending the same customer twice changes it instead of adding a duplicate.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"],
                name="customer_unique_per_owner",
                violation_error_message=_("You already have a customer with this name."),
            ),
            models.UniqueConstraint(
                fields=["owner", "external_id"],
                condition=~models.Q(external_id=""),
                name="customer_external_id_per_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["key"], name="customer_key"),
            models.Index(fields=["owner", "created_on"], name="customer_owner_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def is_lost(self) -> bool:
        return self.status == self.Status.LOST


class Activity(models.Model):
    """One entry of the sales log: a visit, call, message, meeting, quote, signed contract or
    collected payment, with what came of it and what happens next."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MESSAGE = "message", _("Email / WeChat")
        MEETING = "meeting", _("Meeting")
        QUOTE = "quote", _("Quote")
        CONTRACT = "contract", _("Contract signed")
        PAYMENT = "payment", _("Payment collected")

    # Kinds whose amount is the point of the entry (sales and payments add them up).
    AMOUNT_REQUIRED = (Kind.CONTRACT, Kind.PAYMENT)
    AMOUNT_ALLOWED = (Kind.QUOTE, Kind.CONTRACT, Kind.PAYMENT)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="activities"
    )
    # The team the author logged it in, as with reports: its managers keep seeing it after a move.
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="activities")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="activities"
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    outcome = models.CharField(pgettext_lazy("sales activity", "outcome"), max_length=500, blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    # As Customer.external_id: the entry's id in the system that sent it, unique per author.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sales activity")
        verbose_name_plural = _("sales log")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["author", "occurred_on"], name="activity_author_day"),
            models.Index(fields=["customer", "occurred_on"], name="activity_customer_day"),
            models.Index(fields=["team", "occurred_on"], name="activity_team_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="activity_amount_not_negative"),
            models.UniqueConstraint(
                fields=["author", "external_id"],
                condition=~models.Q(external_id=""),
                name="activity_external_id_per_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.get_kind_display()} · {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("customers:activity_edit", args=[self.pk])


class LogImport(SpreadsheetImport):
    """A spreadsheet of customers or of sales activities."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        ACTIVITIES = "activities", _("Sales activities")

    kind = models.CharField(_("contents"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/log/%Y/%m/")
    created_count = models.PositiveIntegerField(_("rows imported"), default=0)

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("sales log import")
        verbose_name_plural = _("sales log imports")

    def get_absolute_url(self) -> str:
        return reverse("customers:import_preview", args=[self.pk])
