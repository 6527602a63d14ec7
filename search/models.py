from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import WeeklyReport
from teams.models import Team


class SearchEntry(models.Model):
    """One searchable text: a report's content, one comment or one feedback, with what the results
    show and filter by. Derived data, rewritten when its source is saved (search.services).

    `terms` holds the text's tokens as a tsvector literal (search.text); on PostgreSQL the column
    `document` (added by migration 0001, generated from `terms`, GIN-indexed) is what queries
    match; on SQLite queries look into `text` instead. Who may see an entry is decided by its
    report, at query time (search.selectors)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        COMMENT = "comment", _("Comment")
        FEEDBACK = "feedback", _("Feedback")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="+")
    # Who wrote the text: the report's author, the commenter, the reviewer.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    written_at = models.DateTimeField()
    text = models.TextField()
    terms = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once")]
        indexes = [models.Index(fields=["-week_start", "-written_at"], name="search_entry_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}"
