"""Check a database, typically one just restored from a backup: row counts and checksums of the
reports and everything that hangs off them, optionally compared with a manifest written from the
original. See README, "Backup and restore"."""

import datetime
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

# label: (model, fields whose values the checksum covers). Rows are read in primary-key order.
TABLES = {
    "users": ("teams.User", ["username", "display_name", "email", "status", "is_active", "is_staff"]),
    "teams": ("teams.Team", ["name", "kind", "parent_id", "path", "is_active"]),
    "memberships": ("teams.Membership", ["user_id", "team_id", "role", "started_on", "ended_on"]),
    "targets": ("reports.Target", ["member_id", "kpi_id", "week_start", "value"]),
    "reports": (
        "reports.WeeklyReport",
        [
            "author_id",
            "team_id",
            "week_start",
            "template_version_id",
            "status",
            "version",
            "summary",
            "custom_values",
            "submitted_at",
            "last_submitted_at",
            "late_by",
            "reviewed_at",
        ],
    ),
    "report revisions": ("reports.ReportRevision", ["report_id", "number", "kind", "author_id", "snapshot"]),
    "kpi values": ("reports.KpiValue", ["report_id", "kpi_id", "target", "actual"]),
    "problems": (
        "reports.Problem",
        ["report_id", "position", "problem", "category_id", "customer", "cause", "action", "help_needed"],
    ),
    "kpi log marks": ("reports.KpiValue", ["report_id", "kpi_id", "is_from_log"]),
    "customers": (
        "customers.Customer",
        ["name", "industry", "tier", "owner_id", "status", "lost_reason", "contact", "created_on"],
    ),
    "sales activities": (
        "customers.Activity",
        [
            "author_id",
            "team_id",
            "customer_id",
            "occurred_on",
            "kind",
            "outcome",
            "amount",
            "next_step",
            "next_step_on",
            "notes",
        ],
    ),
    "plan items": ("reports.PlanItem", ["report_id", "position", "item", "customer", "due_on"]),
    "plan reviews": ("reports.PlanReview", ["report_id", "plan_item_id", "goal_id", "item_text", "outcome", "note"]),
    "attachments": ("reports.Attachment", ["report_id", "file", "original_name", "content_type", "size"]),
    "feedback": ("reviews.Feedback", ["report_id", "reviewer_id", "praise", "problems", "suggestions", "rating"]),
    "feedback goals": ("reviews.FeedbackGoal", ["feedback_id", "position", "text"]),
    "review actions": ("reviews.ReviewAction", ["report_id", "actor_id", "kind", "reason"]),
    "comments": ("reviews.Comment", ["report_id", "author_id", "parent_id", "body", "edited_at", "deleted_at"]),
    "audit entries": ("audit.AuditEntry", ["actor_id", "action", "target_type_id", "target_id", "changes"]),
}


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.timedelta | Decimal):
        return str(value)
    return value


def table_summary(model_label: str, fields: list[str], *, using: str) -> dict:
    """The row count and a SHA-256 over every row's primary key and `fields`, in key order."""
    model = apps.get_model(model_label)
    columns = ["pk", *fields]
    digest = hashlib.sha256()
    count = 0
    rows = model._base_manager.using(using).order_by("pk").values_list(*columns)
    for row in rows.iterator(chunk_size=2000):
        line = json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False, default=str)
        digest.update(line.encode() + b"\n")
        count += 1
    return {"count": count, "sha256": digest.hexdigest()}


def manifest(*, using: str = DEFAULT_DB_ALIAS) -> dict:
    tables = {label: table_summary(model, fields, using=using) for label, (model, fields) in TABLES.items()}
    overall = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
    return {"tables": tables, "checksum": overall}


def missing_files(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Attachment files the database names but the storage does not hold (MEDIA_ROOT is backed up
    separately from the database)."""
    model = apps.get_model("reports.Attachment")
    names = model.objects.using(using).values_list("file", flat=True)
    return [name for name in names if not default_storage.exists(name)]


class Command(BaseCommand):
    help = "Print counts and checksums of reports and their history; write or compare a JSON manifest."

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="PATH", help="write the manifest to PATH (before a backup)")
        parser.add_argument("--compare", metavar="PATH", help="compare with the manifest at PATH (after a restore)")
        parser.add_argument("--check-files", action="store_true", help="also check that every attachment file exists")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, write=None, compare=None, check_files=False, database=DEFAULT_DB_ALIAS, **options):
        current = manifest(using=database)
        WeeklyReport = apps.get_model("reports.WeeklyReport")
        by_status = {
            status: WeeklyReport.objects.using(database).filter(status=status).count()
            for status in WeeklyReport.Status.values
        }
        for label, summary in current["tables"].items():
            self.stdout.write(f"{label:<18} {summary['count']:>9}  {summary['sha256'][:16]}")
        self.stdout.write("reports by status  " + ", ".join(f"{s} {n}" for s, n in by_status.items()))
        self.stdout.write(f"checksum           {current['checksum']}")
        problems = []
        if check_files:
            missing = missing_files(using=database)
            self.stdout.write(f"attachment files   {len(missing)} missing")
            problems += [f"attachment file missing: {name}" for name in missing[:20]]
        if write:
            Path(write).write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
            self.stdout.write(f"manifest written to {write}")
        if compare:
            expected = json.loads(Path(compare).read_text())
            for label in sorted(set(expected["tables"]) | set(current["tables"])):
                want, got = expected["tables"].get(label), current["tables"].get(label)
                if want != got:
                    problems.append(f"{label}: expected {_describe(want)}, found {_describe(got)}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} difference(s): this database is not a faithful copy.")
        if compare:
            self.stdout.write(self.style.SUCCESS("OK: identical to the manifest."))


def _describe(summary: dict | None) -> str:
    if summary is None:
        return "nothing"
    return f"{summary['count']} rows ({summary['sha256'][:12]})"
