"""Migration summaries 0006 puts each document asked for before it into its requester's "My
documents" (a DocumentRequest dated when it was asked for); documents nobody asked for (made by
reminders) stay out of every list."""

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from summaries.models import Document, DocumentRequest

backfill = importlib.import_module("summaries.migrations.0006_document_requests").requests_of_existing_documents


def document(key: str, requested_by, created_at: datetime.datetime) -> Document:
    made = Document.objects.create(
        kind=Document.Kind.LIST, language="zh-hans", content_key=key, requested_by=requested_by, file_format="csv"
    )
    Document.objects.filter(pk=made.pk).update(created_at=created_at)
    return made


def test_documents_asked_for_before_the_migration_are_in_their_requesters_lists(rep, lead):
    asked = timezone.now() - datetime.timedelta(days=3)
    mine = document("a", rep, asked)
    theirs = document("b", lead, asked + datetime.timedelta(hours=1))
    document("c", None, asked)  # a reminder's: nobody asked
    DocumentRequest.objects.all().delete()  # as before the migration

    backfill(apps, None)

    requests = {(r.document_id, r.requester_id, r.requested_at) for r in DocumentRequest.objects.all()}
    assert requests == {(mine.pk, rep.pk, asked), (theirs.pk, lead.pk, asked + datetime.timedelta(hours=1))}
    backfill(apps, None)  # run again (a re-applied migration): nothing twice
    assert DocumentRequest.objects.count() == 2
