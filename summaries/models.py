from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import WeeklyReport
from teams import filters
from teams.models import Team


class Document(models.Model):
    """A file the app produces for someone: a PDF (or the weekly summary it renders by itself),
    rendered by a worker, never in a web request, and deleted (the row stays, "expired") after
    DOCUMENT_RETENTION_DAYS. `content_key` names exactly what the PDF shows (the report's
    version, the week's last change, the language): a job for a key already rendered reuses the
    file instead of rendering it again."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Weekly report")
        TEAM_WEEK = "team_week", _("Team weekly summary")
        MEMBER_PERIOD = "member_period", _("Member summary")
        TEAM_PERIOD = "team_period", _("Team summary")
        EXPORT = "export", _("Export of reports, KPI values or the sales log")
        LIST = "list", _("Export of a filtered list")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Layout(models.TextChoices):
        LONG = "long", _("One row per member, week and KPI")
        WIDE = "wide", _("One row per member and week")
        LOG = "log", _("One row per sales activity")
        KPIS = "kpis", _("One row per KPI, against the previous period and a year before")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(max_length=14, choices=Kind.choices)
    report = models.ForeignKey(WeeklyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=10)
    file_format = models.CharField(max_length=4, choices=Format.choices, default=Format.PDF)
    layout = models.CharField(max_length=4, choices=Layout.choices, blank=True)
    # A list export (kind LIST): which list (teams.filters.LISTS) and its filters as a query string.
    list_name = models.CharField(max_length=40, blank=True)
    query = models.CharField(max_length=2000, blank=True)
    content_key = models.CharField(max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="pdfs/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One job per content at a time: a double click or two managers asking together share it.
            # A failed job or an expired file is history: asking again makes a new job.
            models.UniqueConstraint(
                fields=["content_key"],
                condition=~models.Q(status__in=["failed", "expired"]),
                name="document_one_per_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("summaries:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def can_ask_again(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.EXPIRED)

    @property
    def filename(self) -> str:
        if self.kind == self.Kind.REPORT:
            return f"weekly-report-{self.report.author.username}-{self.report.week_start:%Y-%m-%d}.pdf"
        if self.kind == self.Kind.LIST:
            return f"{self.list_name.replace('_', '-')}-{self.created_at:%Y-%m-%d}.{self.file_format}"
        if self.kind == self.Kind.TEAM_WEEK:
            return f"team-summary-{self.team_id}-{self.period_start:%Y-%m-%d}.pdf"
        who = f"member-{self.member_id}" if self.member_id else f"team-{self.team_id}"
        what = f"export-{self.layout}" if self.kind == self.Kind.EXPORT else "summary"
        return f"{what}-{who}-{self.period_start:%Y-%m-%d}-{self.period_end:%Y-%m-%d}.{self.file_format}"

    @property
    def list_title(self) -> str:
        exportable = filters.LISTS.get(self.list_name)
        return str(exportable.title()) if exportable else self.list_name

    @property
    def subject(self) -> str:
        """What the file is about, in one line: the list, the report, the member or the team, and when."""
        if self.kind == self.Kind.LIST:
            return f"{self.list_title} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
        if self.report is not None:
            return f"{self.report.author} · {self.report.week_start:%Y-%m-%d}"
        period = f"{self.period_start:%Y-%m-%d}" if self.period_start else ""
        if self.period_end:
            period += f" – {self.period_end:%Y-%m-%d}"
        return f"{self.member or self.team} · {period}"

    @property
    def content_type(self) -> str:
        return {
            self.Format.PDF: "application/pdf",
            self.Format.CSV: "text/csv; charset=utf-8",
            self.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[self.file_format]


class DocumentRequest(models.Model):
    """Someone asked for a document: it is in their "My documents", and they are told when it is
    ready or could not be produced. People asking for the same content share one document (see
    Document.content_key), each with a request of their own; asking again moves it to the top."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "requester"], name="document_request_once"),
        ]
        indexes = [models.Index(fields=["requester", "-requested_at"], name="document_request_newest")]

    def __str__(self) -> str:
        return f"{self.requester} → {self.document}"
