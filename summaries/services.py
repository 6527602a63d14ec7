"""PDF jobs: ask for one, render it in a worker, reuse what was rendered before.

A job is claimed before rendering, so two deliveries of its task do not render it twice; a job a
dead worker left in "rendering" (or whose task never reached the broker) is put back by a
periodic sweep, so nothing stays stuck. Failures end in "failed" with a readable reason and can
be retried.

Bounds: one person has at most DOCUMENT_JOBS_PER_USER jobs waiting or rendering (the workers are
shared by everyone), and a rendered file is deleted DOCUMENT_RETENTION_DAYS after it was ready
(the job stays, "expired"; asking again renders it again).
"""

import datetime
import hashlib
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import Activity
from notifications.models import Notification
from notifications.services import notify
from reports import dates, roster
from reports.models import Target, WeeklyReport
from reports.signals import send_on_commit
from summaries import access as summary_access
from summaries import exports, pdf, rollups
from summaries.models import Document, DocumentRequest
from summaries.signals import document_ready
from teams import access, filters, spreadsheets
from teams.models import Team, User

logger = logging.getLogger(__name__)

# A job still "rendering" after this long belongs to a worker that died (longer than the task's
# hard time limit, so a slow render is never taken over while it runs).
STALE_AFTER = datetime.timedelta(seconds=settings.DOCUMENT_STALE_SECONDS)
# A job still "queued" after this long lost its task (the broker was down when it was asked for).
LOST_AFTER = datetime.timedelta(minutes=2)
MAX_PERIOD_DAYS = 93
MAX_EXPORT_DAYS = 365
# Jobs that hold or will hold a file; a failed or expired one is history and is never reused.
CURRENT = ~Q(status__in=[Document.Status.FAILED, Document.Status.EXPIRED])
PENDING = (Document.Status.QUEUED, Document.Status.RENDERING)


def _fingerprint(reports) -> str:
    """What a summary's content depends on: its reports' last changes and their feedback."""
    state = reports.aggregate(n=Count("pk", distinct=True), changed=Max("updated_at"), feedback=Max("feedback__pk"))
    return f"{state['n']}:{state['changed']}:{state['feedback']}"


def content_key(variant: str, *, language: str, report=None, team=None, member=None, start=None, end=None) -> str:
    """What a file shows, as a key: `variant` is the kind, with format and layout for exports."""
    kind = variant.split(":", 1)[0]
    if kind == Document.Kind.REPORT:
        feedback = report.feedback.aggregate(last=Max("pk"))["last"]
        descriptor = f"{report.pk}:{report.version}:{feedback}"
    elif kind == Document.Kind.TEAM_WEEK:
        reports = WeeklyReport.objects.filter(access.in_subtrees((team.path,)), week_start=start)
        # Who is expected, on leave or not yet due changes without a report changing, and so do targets.
        people = roster.roster_of(team, [start]).counts()
        targets = Target.objects.filter(week_start=start).aggregate(n=Count("pk"), changed=Max("updated_at"))
        descriptor = f"{team.pk}:{start}:{_fingerprint(reports)}:{people}:{targets['n']}:{targets['changed']}"
    elif variant.endswith(f":{Document.Layout.LOG}"):
        state = Activity.objects.filter(access.in_subtrees((team.path,)), occurred_on__range=(start, end)).aggregate(
            n=Count("pk"), changed=Max("updated_at")
        )
        descriptor = f"{team.pk}:{start}:{end}:{state['n']}:{state['changed']}"
    elif variant.endswith(f":{Document.Layout.KPIS}"):
        # The period beside the one before and the same one a year before (rollups.compare).
        ranges = [(start, end), rollups.previous_period(start, end), rollups.year_before(start, end)]
        in_team = access.in_subtrees((team.path,))
        fingerprints = [_fingerprint(WeeklyReport.objects.filter(in_team, week_start__range=r)) for r in ranges]
        targets = Target.objects.filter(week_start__range=(start, end)).aggregate(
            n=Count("pk"), changed=Max("updated_at")
        )
        descriptor = f"{team.pk}:{start}:{end}:{fingerprints}:{targets['n']}:{targets['changed']}"
    else:
        scope = Q(author=member) if member is not None else Q()
        if team is not None:
            scope &= access.in_subtrees((team.path,))
        reports = WeeklyReport.objects.filter(scope, week_start__range=(start, end))
        descriptor = f"{getattr(member, 'pk', None)}:{getattr(team, 'pk', None)}:{start}:{end}:{_fingerprint(reports)}"
    digest = hashlib.sha256(f"{variant}:{language}:{descriptor}".encode()).hexdigest()[:48]
    return f"{kind[:14]}:{digest}"


def request_document(
    *,
    kind: str,
    requested_by: User | None,
    language: str,
    report: WeeklyReport | None = None,
    team: Team | None = None,
    member: User | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    file_format: str = Document.Format.PDF,
    layout: str = "",
) -> Document:
    """The job that produces this file: an existing one for the same content (already rendered,
    or on its way), or a new one queued for a worker after commit. Raises ValidationError for a
    period that is empty, reversed, too long or outside the dates the app supports (reports.dates),
    and, when a new job is needed, if `requested_by` already has DOCUMENT_JOBS_PER_USER jobs waiting
    or rendering (nothing is queued then)."""
    if any(day is not None and not dates.is_supported(day) for day in (start, end)):
        raise ValidationError(dates.out_of_range_message())
    if kind in (Document.Kind.MEMBER_PERIOD, Document.Kind.TEAM_PERIOD, Document.Kind.EXPORT):
        # Forms for these kinds always give both dates.
        if end < start:  # type: ignore[operator]
            raise ValidationError(_("The period ends before it starts."))
        longest = MAX_EXPORT_DAYS if kind == Document.Kind.EXPORT else MAX_PERIOD_DAYS
        if (end - start).days > longest:  # type: ignore[operator]
            raise ValidationError(_("This period is too long (at most %(days)d days).") % {"days": longest + 1})
    key = content_key(
        f"{kind}:{file_format}:{layout}",
        language=language,
        report=report,
        team=team,
        member=member,
        start=start,
        end=end,
    )
    existing = Document.objects.filter(CURRENT, content_key=key).first()
    if existing is not None:
        return _record_request(existing, requested_by)
    try:
        with transaction.atomic():
            if requested_by is not None:
                _check_pending_limit(requested_by)
            job = Document.objects.create(
                kind=kind,
                report=report,
                team=team,
                member=member,
                period_start=start,
                period_end=end,
                language=language,
                content_key=key,
                requested_by=requested_by,
                file_format=file_format,
                layout=layout,
            )
            _record_request(job, requested_by)
    except IntegrityError:  # the same PDF asked for at the same moment
        return _record_request(Document.objects.get(CURRENT, content_key=key), requested_by)
    transaction.on_commit(lambda: queue_render(job.pk))
    return job


def _record_request(job: Document, requester: User | None) -> Document:
    """Note that `requester` asked for the job (again: now), so it is in their documents and they
    hear when it is ready. Returns the job."""
    if requester is not None:
        try:
            with transaction.atomic():
                DocumentRequest.objects.update_or_create(
                    document=job, requester=requester, defaults={"requested_at": timezone.now()}
                )
        except IntegrityError:  # the same person asking twice at the same moment: one request
            pass
    return job


def request_list_export(*, user: User, name: str, query: str, file_format: str) -> str:
    """Queue a worker job that writes the list `name` (teams.filters.LISTS) with the filters in
    `query`, as `user` may see it; returns the job's page. The same list and filters asked for
    again within the minute share the job. Raises ValidationError like request_document()."""
    return request_list_job(user=user, name=name, query=query, file_format=file_format).get_absolute_url()


def request_list_job(*, user: User, name: str, query: str, file_format: str, language: str | None = None) -> Document:
    """The job behind request_list_export()."""
    if name not in filters.LISTS or file_format not in filters.FORMATS:
        raise ValidationError(_("This list cannot be exported."))
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    minute = timezone.now().strftime("%Y-%m-%dT%H:%M")
    digest = hashlib.sha256(f"{user.pk}:{name}:{query}:{file_format}:{language}:{minute}".encode()).hexdigest()[:48]
    key = f"list:{digest}"
    existing = Document.objects.filter(CURRENT, content_key=key).first()
    if existing is not None:
        return _record_request(existing, user)
    try:
        with transaction.atomic():
            _check_pending_limit(user)
            job = Document.objects.create(
                kind=Document.Kind.LIST,
                language=language,
                content_key=key,
                requested_by=user,
                file_format=file_format,
                list_name=name,
                query=query[:2000],
            )
            _record_request(job, user)
    except IntegrityError:
        return _record_request(Document.objects.get(CURRENT, content_key=key), user)
    transaction.on_commit(lambda: queue_render(job.pk))
    return job


def _list_export(job: Document) -> bytes:
    """The list as its page shows it to whoever asked, now (the access policy is applied again
    here: someone who has since lost sight of rows does not get them)."""
    user = job.requested_by
    if user is None or not user.is_active or user.status == User.Status.LEFT:
        raise ValueError(_("the person who asked for this list can no longer see it"))
    exportable = filters.LISTS[job.list_name]
    _form, rows = exportable.rows(user, QueryDict(job.query))
    total = max(filters.row_count(rows), 1)
    cells = filters.list_cells(job.list_name, rows)

    def progress(count: int) -> None:
        _progress(job, 30 + 60 * count // total)

    if job.file_format == Document.Format.XLSX:
        return spreadsheets.write_xlsx(exportable.header(), cells, progress, title=exportable.title())
    return spreadsheets.write_csv(exportable.header(), cells, progress)


def _check_pending_limit(user: User) -> None:
    """Raises ValidationError when the user already has the most jobs waiting or rendering that
    one person may have. Call inside the transaction that creates the job."""
    # Locking the person's row makes two requests at the same moment count one after the other.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    limit = settings.DOCUMENT_JOBS_PER_USER
    if Document.objects.filter(requested_by=user, status__in=PENDING).count() >= limit:
        raise ValidationError(
            ngettext(
                "You already have %(limit)d file waiting or rendering. Ask for this one when it is ready.",
                "You already have %(limit)d files waiting or rendering. Ask for this one when one of them is ready.",
                limit,
            )
            % {"limit": limit},
            code="too_many_jobs",
        )


def queue_render(job_id: int) -> None:
    """Hand the job to the PDF queue; if the broker is down, the sweep queues it later."""
    from summaries import tasks

    try:
        tasks.render_document.delay(job_id)
    except Exception:
        logger.warning("Could not queue PDF job %s; the sweep will", job_id)


def _claim(job_id: int, now: datetime.datetime) -> bool:
    claimable = Q(status=Document.Status.QUEUED) | Q(status=Document.Status.RENDERING, started_at__lt=now - STALE_AFTER)
    return bool(
        Document.objects.filter(claimable, pk=job_id).update(
            status=Document.Status.RENDERING, started_at=now, attempts=F("attempts") + 1, progress=10, error=""
        )
    )


def _progress(job: Document, value: int) -> None:
    Document.objects.filter(pk=job.pk).update(progress=value)


def render_job(*, job_id: int) -> bool:
    """Render a claimed job and store the file. Returns False when someone else has it or it is
    finished. A failure ends the job as "failed" with a reason the user can read."""
    if not _claim(job_id, timezone.now()):
        return False
    job = Document.objects.select_related("report__author", "report__team", "team", "member", "requested_by").get(
        pk=job_id
    )
    try:
        content = _render(job)
    except SoftTimeLimitExceeded:
        with translation.override(job.language):  # the reason is read by whoever asked
            _fail(job, _("Rendering took too long. Try a shorter period, or try again later."))
        return False
    except Exception as exc:
        logger.exception("PDF job %s failed", job.pk)
        with translation.override(job.language):
            _fail(job, _("The file could not be produced (%(reason)s). You can try again.") % {"reason": exc})
        return False
    job.file.save(job.filename, ContentFile(content), save=False)
    with transaction.atomic():
        Document.objects.filter(pk=job.pk).update(
            file=job.file.name, size=len(content), status=Document.Status.DONE, progress=100, finished_at=timezone.now()
        )
        tell_requesters(job=job, is_ready=True)
    send_on_commit(document_ready, Document, document=job)
    return True


def _render(job: Document) -> bytes:
    """The PDF's bytes, all of it (charts and KPI names included) in the job's language."""
    # Each kind has the fields it needs (request_document sets them); the ignores below say so.
    _progress(job, 30)
    with translation.override(job.language):
        if job.kind == Document.Kind.EXPORT:
            return _export(job)
        if job.kind == Document.Kind.LIST:
            return _list_export(job)
        if job.kind == Document.Kind.REPORT:
            return pdf.report_pdf(job.report, job.language)  # type: ignore[arg-type]
        if job.kind == Document.Kind.TEAM_WEEK:
            summary = rollups.team_week(job.team, job.period_start)  # type: ignore[arg-type]
            _progress(job, 60)
            return pdf.team_week_pdf(summary, job.language)
        title = rollups.period_title(job.member or job.team, job.period_start, job.period_end)  # type: ignore[arg-type]
        summary = rollups.period(
            start=job.period_start,  # type: ignore[arg-type]
            end=job.period_end,  # type: ignore[arg-type]
            title=title,
            team=job.team,
            member=job.member,
        )
        _progress(job, 60)
        return pdf.period_pdf(summary, job.language)


def _export(job: Document) -> bytes:
    # An export always has its team and period (request_document); the ignores below say so.
    if job.layout == Document.Layout.LOG:
        rows = exports.activities(job.team, job.period_start, job.period_end)  # type: ignore[arg-type]
    elif job.layout == Document.Layout.KPIS:
        rows = exports.KPI.objects.all()  # a handful of rows, one per KPI at most
    else:
        rows = exports.KpiValue.objects.filter(
            access.in_subtrees((job.team.path,), prefix="report__team__"),  # type: ignore[union-attr]
            report__week_start__range=(job.period_start, job.period_end),
        )
    total = max(rows.count(), 1)
    return exports.render(
        team=job.team,  # type: ignore[arg-type]
        start=job.period_start,  # type: ignore[arg-type]
        end=job.period_end,  # type: ignore[arg-type]
        layout=job.layout,
        file_format=job.file_format,
        progress=lambda rows: _progress(job, 30 + 60 * rows // total),
    )


@transaction.atomic
def _fail(job: Document, reason: str) -> None:
    Document.objects.filter(pk=job.pk).update(
        status=Document.Status.FAILED, error=reason[:500], finished_at=timezone.now()
    )
    tell_requesters(job=job, is_ready=False, reason=reason[:500])


def tell_requesters(*, job: Document, is_ready: bool, reason: str = "") -> list[Notification]:
    """Tell everyone who asked for the job (its DocumentRequests) that its file is ready, or could
    not be produced and why, with a link to the job's page: PDFs and exported lists alike. Only
    those who may still open the job hear of it (summaries.access), each once per job and outcome,
    in their own language; a job nobody asked for (the weekly summary sent by itself) tells
    nobody. Call it in the transaction that finishes the job. Returns the notifications created."""
    state = "ready" if is_ready else "failed"
    told = []
    for request in DocumentRequest.objects.filter(document=job).select_related("requester"):
        person = request.requester
        if not summary_access.can_view_document(person, job):
            continue
        with translation.override(person.language):
            document = f"{job.get_kind_display()} · {job.subject}"
        told += notify(
            recipients=[person],
            kind=Notification.Kind.DOCUMENT,
            event=f"document:{job.pk}:{state}",
            url=job.get_absolute_url(),
            excerpt=reason,
            data={"state": state, "document": document},
        )
    return told


def retry(*, job: Document, requested_by: User | None) -> Document:
    """Ask again for a failed job's file, or an expired one's, in the same format and layout (a new
    job; the old one stays as history). Raises ValidationError like request_document()."""
    if not job.can_ask_again:
        return job
    if job.kind == Document.Kind.LIST:
        if requested_by is None:
            return job
        return request_list_job(
            user=requested_by,
            name=job.list_name,
            query=job.query,
            file_format=job.file_format,
            language=job.language,
        )
    return request_document(
        kind=job.kind,
        requested_by=requested_by,
        language=job.language,
        report=job.report,
        team=job.team,
        member=job.member,
        start=job.period_start,
        end=job.period_end,
        file_format=job.file_format,
        layout=job.layout,
    )


def expire_documents(now: datetime.datetime | None = None) -> int:
    """Delete the files of documents ready for longer than DOCUMENT_RETENTION_DAYS and mark them
    expired; returns how many. Safe to run twice, or while files are downloaded or asked for."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DOCUMENT_RETENTION_DAYS)
    expired = 0
    for job in Document.objects.filter(status=Document.Status.DONE, finished_at__lt=cutoff).only("file"):
        # The file goes first: should marking fail, the next run finds the job again.
        if job.file.name:
            job.file.storage.delete(job.file.name)
        expired += Document.objects.filter(pk=job.pk, status=Document.Status.DONE).update(
            status=Document.Status.EXPIRED, file="", size=0
        )
    return expired


def requeue_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Queue again the jobs whose task was lost (still queued) or whose worker died (still
    rendering after STALE_AFTER). Returns how many."""
    now = now or timezone.now()
    stale = Document.objects.filter(
        Q(status=Document.Status.QUEUED, created_at__lt=now - LOST_AFTER)
        | Q(status=Document.Status.RENDERING, started_at__lt=now - STALE_AFTER)
    ).values_list("pk", flat=True)
    ids = list(stale[:100])
    for pk in ids:
        queue_render(pk)
    return len(ids)
