"""In-app notifications, each also the outbox row of its email.

A notification is created in the same transaction as the event it reports (feedback given, report
returned, comment…), so it exists exactly when the event does. Its email is sent by a Celery task
queued after commit; the row records the delivery state, so a message the broker never received
is picked up again by the periodic sweep, and a claim on the row keeps two workers from sending
it twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.text import duration_text


class Notification(models.Model):
    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Feedback on my report")
        RETURNED = "returned", _("My report was returned for revision")
        COMMENT = "comment", _("New comments on reports I take part in")
        MENTION = "mention", _("Someone mentions me in a comment")
        LATE_SUBMISSION = "late", _("A member of my team submits late")
        RESUBMITTED = "resubmitted", _("A report I returned is resubmitted")
        DUE_SOON = "due_soon", _("My weekly report is due soon")
        OVERDUE = "overdue", _("My weekly report is overdue")
        REVIEW_DIGEST = "digest", _("Review day: my team's reports to review")
        REVIEWS_PENDING = "pending", _("Review day: reviews still pending in the afternoon")
        PROFILE_CHECK = "profile", _("Quarterly reminder to check my profile")
        SUMMARY_READY = "summary", _("My team's weekly summary PDF is ready")
        HOLIDAYS = "holidays", _("Next year's holidays need confirming (admins)")
        LEAVE_REQUEST = "leave", _("A member of my team asks for leave to be approved")
        LEAVE_DECIDED = "leave_answer", _("My leave is approved or declined")
        ROBOT_PAUSED = "robot_paused", _("A team chat robot keeps failing and was paused (admins)")
        PLAN = "plan", _("Target plans proposed to me, approved or sent back")
        PACE = "pace", _("Members of my team behind pace on their targets")
        PERIOD_SUBMITTED = "period_sub", _("A monthly, quarterly or yearly summary waits for my review")
        PERIOD_FEEDBACK = "period_fb", _("Feedback on my monthly, quarterly or yearly summary")
        PERIOD_RETURNED = "period_ret", _("My monthly, quarterly or yearly summary was returned for revision")
        DOCUMENT = "document", _("A PDF or export I asked for is ready, or could not be produced")

    class EmailStatus(models.TextChoices):
        NOT_WANTED = "none", _("No email")
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What happened, e.g. "comment:42": a recipient gets one notification per event, however
    # often the event is reported (a retried task, a double click).
    event = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    report = models.ForeignKey("reports.WeeklyReport", null=True, on_delete=models.CASCADE, related_name="+")
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300)
    # What the title needs besides the report: week, deadline, counts, team name.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.NOT_WANTED)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "created_at"], name="notification_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.get_kind_display()}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def title(self) -> str:
        """One line saying what happened, in the active language."""
        # The actor's name with their username: a lookalike name cannot pass for someone else.
        actor = self.actor.name_with_handle if self.actor else gettext("Someone")
        context = {"actor": actor, "week": "", "author": ""}
        if self.report is not None:
            context |= {"week": f"{self.report.week_start:%Y-%m-%d}", "author": self.report.author}
        if self.kind == self.Kind.FEEDBACK:
            text = gettext("%(actor)s reviewed your report of the week of %(week)s")
        elif self.kind == self.Kind.RETURNED:
            text = gettext("%(actor)s returned your report of the week of %(week)s for revision")
        elif self.kind == self.Kind.COMMENT:
            text = gettext("%(actor)s commented on %(author)s's report of the week of %(week)s")
        elif self.kind == self.Kind.MENTION:
            text = gettext("%(actor)s mentioned you in a comment on %(author)s's report of the week of %(week)s")
        elif self.kind == self.Kind.LATE_SUBMISSION:
            text = gettext("%(author)s submitted the report of the week of %(week)s late (by %(late)s)")
            context["late"] = duration_text(self.report.late_by) if self.report else ""
        elif self.kind == self.Kind.DUE_SOON:
            text = gettext("Your weekly report of the week of %(week)s is due %(deadline)s")
        elif self.kind == self.Kind.OVERDUE:
            text = gettext("Your weekly report of the week of %(week)s was due %(deadline)s and is not submitted yet")
        elif self.kind == self.Kind.REVIEW_DIGEST:
            text = gettext(
                "Review day for the week of %(week)s: %(awaiting)s to review, %(late)s late, %(missing)s missing"
            )
        elif self.kind == self.Kind.REVIEWS_PENDING:
            text = gettext("%(pending)s reports of the week of %(week)s still wait for your review (due %(due)s)")
        elif self.kind == self.Kind.PROFILE_CHECK:
            text = gettext("Please check that your profile data is up to date")
        elif self.kind == self.Kind.HOLIDAYS:
            text = gettext(
                "The official holiday schedule for %(year)s is not known yet: its computed public holidays "
                "are used as provisional days off. Confirm them and enter the make-up working days."
            )
        elif self.kind == self.Kind.SUMMARY_READY:
            text = gettext("The weekly summary of %(team)s for the week of %(week)s is ready")
        elif self.kind == self.Kind.LEAVE_REQUEST:
            text = gettext("%(actor)s asks you to approve leave from %(starts_on)s to %(ends_on)s")
        elif self.kind == self.Kind.LEAVE_DECIDED and self.data.get("approved"):
            text = gettext("%(actor)s approved your leave from %(starts_on)s to %(ends_on)s")
        elif self.kind == self.Kind.LEAVE_DECIDED:
            text = gettext("%(actor)s declined your leave from %(starts_on)s to %(ends_on)s")
        elif self.kind == self.Kind.ROBOT_PAUSED:
            text = gettext("The chat robot %(robot)s of %(team)s failed %(failures)s times in a row and was paused")
        elif self.kind == self.Kind.PLAN and self.data.get("state") == "proposed":
            text = gettext("%(actor)s proposes targets for approval: %(plan)s")
        elif self.kind == self.Kind.PLAN and self.data.get("state") == "approved":
            text = gettext("%(actor)s approved the targets %(plan)s")
        elif self.kind == self.Kind.PLAN:
            text = gettext("%(actor)s sent the targets %(plan)s back")
        elif self.kind == self.Kind.PACE:
            text = gettext(
                "%(count)s members of %(team)s are behind pace on %(kpi)s "
                "(%(threshold)s%% of %(period)s elapsed): %(names)s"
            )
        elif self.kind == self.Kind.PERIOD_SUBMITTED:
            text = gettext("%(actor)s submitted the summary %(period)s for your review")
        elif self.kind == self.Kind.PERIOD_FEEDBACK:
            text = gettext("%(actor)s reviewed your summary %(period)s")
        elif self.kind == self.Kind.PERIOD_RETURNED:
            text = gettext("%(actor)s returned your summary %(period)s for revision")
        elif self.kind == self.Kind.DOCUMENT and self.data.get("state") == "failed":
            text = gettext("Your file could not be produced: %(document)s")
        elif self.kind == self.Kind.DOCUMENT:
            text = gettext("Your file is ready: %(document)s")
        else:
            text = gettext("%(author)s resubmitted the report of the week of %(week)s after revision")
        return text % {**context, **self.data}


class EmailPreference(models.Model):
    """A kind of notification someone does not want by email (the inbox always has it).
    No row means the email is wanted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Notification.Kind.choices)
    is_wanted = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.is_wanted}"
