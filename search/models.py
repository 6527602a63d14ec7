from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import WeeklyReport
from teams.models import Team


class TermsField(models.TextField):
    """A text's index tokens, written as a tsvector literal (search.text.tsvector_literal): stored
    as a `tsvector` on PostgreSQL (cast on the way in, no parser or dictionary involved; migration
    0001 adds its GIN index) and as plain text elsewhere, where it is not queried."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class SearchEntry(models.Model):
    """One searchable text: a report's content, one comment or one feedback, with what the results
    show and filter by. Derived data, rewritten when its source is saved (search.services).

    Who may find it is decided like teams.access.visible_reports decides who may open its report,
    from copies of the report's author, team and draft state kept here so that a search reads one
    table (tests/search/test_access.py holds the two to the same answers)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        COMMENT = "comment", _("Comment")
        FEEDBACK = "feedback", _("Feedback")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="+")
    report_author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_draft = models.BooleanField()
    # Who wrote the text: the report's author, the commenter, the reviewer.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    written_at = models.DateTimeField()
    text = models.TextField()
    terms = TermsField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once")]
        indexes = [models.Index(fields=["-week_start", "-written_at"], name="search_entry_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}"
