from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Team


class Reminder(models.Model):
    """The claim that makes a reminder go out exactly once.

    A tick inserts a row per (person, period, kind) before anything is sent; the unique
    constraint lets only one tick win, however many run. The winner delivers and marks the row
    sent in one transaction. A row left claimed by a tick that died is taken over after a timeout,
    so nothing is dropped either.
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The reporting week (the quarter's first day for profile reminders).
    period_start = models.DateField()
    # "due:24", "due:2", "overdue", "digest", "pending", "profile".
    kind = models.CharField(max_length=20)
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claim_token = models.CharField(max_length=32)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the notification says and links to, kept so a taken-over claim can still be delivered.
    notification_kind = models.CharField(max_length=12)
    url = models.CharField(max_length=300)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "period_start", "kind"], name="reminder_once"),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="reminder_claims")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.period_start}"
