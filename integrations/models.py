"""Team chat robots (DingTalk, Feishu/Lark, WeCom), outgoing webhook subscriptions, and the
outbox of what is sent to either (Delivery): one row per target and event, claimed before it is
sent, so it goes out once, retried with backoff, with the platform's answer recorded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Team


def masked(secret: str) -> str:
    """A secret as it may be shown back: its first three and last four characters."""
    if not secret:
        return ""
    return f"{secret[:3]}…{secret[-4:]}" if len(secret) > 10 else "…"


class Robot(models.Model):
    """A group chat robot of a team: it hears about events of the team and the teams below it."""

    class Platform(models.TextChoices):
        DINGTALK = "dingtalk", _("DingTalk")
        FEISHU = "feishu", _("Feishu / Lark")
        WECOM = "wecom", _("WeCom")

    class Event(models.TextChoices):
        DEADLINE = "deadline", _("Deadline reminder: who has not submitted yet")
        OVERDUE = "overdue", _("Overdue notice")
        DIGEST = "digest", _("Review day digest for the managers")
        SUMMARY = "summary", _("Team weekly summary ready")
        SUBMITTED = "submitted", _("Each submitted report or summary")
        REVIEWED = "reviewed", _("Each review")
        PACE = "pace", _("Pace alert: members behind pace on their targets")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="robots", verbose_name=_("team"))
    name = models.CharField(_("name"), max_length=80)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # Failed attempts in a row; at ROBOT_PAUSE_AFTER the robot is paused and the admins told.
    failures_in_a_row = models.PositiveSmallIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["team__path", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def masked_secret(self) -> str:
        return masked(self.secret)

    @property
    def masked_url(self) -> str:
        """The URL without its token (DingTalk's access_token, WeCom's key): that is a secret too."""
        base, _sep, query = self.url.partition("?")
        return f"{base}?…{query[-4:]}" if query else base


class Subscription(models.Model):
    """An outgoing webhook: a URL that receives a signed JSON POST for each event it subscribes to."""

    class Event(models.TextChoices):
        REPORT_SUBMITTED = "report.submitted", "report.submitted"
        REPORT_RETURNED = "report.returned", "report.returned"
        REPORT_REVIEWED = "report.reviewed", "report.reviewed"
        COMMENT_CREATED = "comment.created", "comment.created"
        SUMMARY_READY = "summary.ready", "summary.ready"
        ACTIVITY_CREATED = "activity.created", "activity.created"
        PACE_ALERT = "pace.alert", "pace.alert"
        PERIOD_SUMMARY_SUBMITTED = "period_summary.submitted", "period_summary.submitted"
        PERIOD_SUMMARY_RETURNED = "period_summary.returned", "period_summary.returned"
        PERIOD_SUMMARY_REVIEWED = "period_summary.reviewed", "period_summary.reviewed"

    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        return masked(self.secret)


class Delivery(models.Model):
    """One message to one robot or webhook: the outbox row, and afterwards the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    robot = models.ForeignKey(Robot, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    # What happened, e.g. "deadline:due:2:12:2026-11-16": a target hears about it once.
    key = models.CharField(max_length=120)
    # Robots: {"title", "lines", "link", "mobiles"}, put into the platform's dialect when sent;
    # webhooks: the JSON document sent as it is.
    body = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The platform's (or receiver's) answer, or why there was none.
    response = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["robot", "key"], name="delivery_once_per_robot"),
            models.UniqueConstraint(fields=["subscription", "key"], name="delivery_once_per_subscription"),
            models.CheckConstraint(
                condition=models.Q(robot__isnull=True) ^ models.Q(subscription__isnull=True), name="delivery_one_target"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_outbox")]

    def __str__(self) -> str:
        return f"{self.event} → {self.robot or self.subscription}"
