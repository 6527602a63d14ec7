from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import WeeklyReport


class Feedback(models.Model):
    """A manager's structured feedback on one report, in the four parts managers are taught to
    give: praise what went well, name the problems, give suggestions, set goals."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="feedback")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    praise = models.TextField(_("what went well"), blank=True, max_length=5000)
    problems = models.TextField(_("problems"), blank=True, max_length=5000)
    suggestions = models.TextField(_("suggestions"), blank=True, max_length=5000)
    rating = models.PositiveSmallIntegerField(
        _("overall rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the author first opened the report after this feedback was given (read receipt).
    read_by_author_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.report}"


class FeedbackGoal(models.Model):
    """A goal set in feedback; the author's next report must say whether it was met."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("goal"), max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class ReviewAction(models.Model):
    """What a reviewer did to a report and when: the review history both sides can read."""

    class Kind(models.TextChoices):
        REVIEWED = "reviewed", _("Marked reviewed")
        RETURNED = "returned", _("Returned for revision")

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="review_actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.report}"


class Comment(models.Model):
    """A message in a report's thread. Replies hang under a top-level comment (one level only);
    a removed comment keeps its place in the thread and is shown as removed."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("comment"), max_length=5000)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Sent with the form; a second post of the same form (a double click) finds the first comment.
    client_token = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~models.Q(client_token=""),  # nosec B106 # an empty token, not a password
                name="comment_posted_once",
            ),
        ]
        indexes = [models.Index(fields=["report", "created_at"], name="comment_thread")]

    def __str__(self) -> str:
        return f"{self.author} on {self.report}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ReportRead(models.Model):
    """When someone other than the author first opened a submitted report (read receipts)."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField()

    class Meta:
        ordering = ["first_read_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "reader"], name="report_read_once")]

    def __str__(self) -> str:
        return f"{self.reader} read {self.report}"
