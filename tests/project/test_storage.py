"""Uploads and documents in an S3-compatible bucket when S3_BUCKET is set: a real S3 server (moto in
server mode) on loopback, a real upload and download of an attachment and of a rendered PDF."""

import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from reports import services as report_services
from reports.models import Attachment
from summaries import services as summary_services
from summaries.models import Document
from tests.faults.conftest import free_port
from tests.reports.test_attachments import PDF, draft, stored_files, upload  # noqa: F401
from tests.reports.test_services import fill
from tests.reviews.test_pages import submitted

BUCKET = "salesreports-media"
KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing-secret", "S3_REGION": "us-east-1"}


@pytest.fixture
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    yield url
    # moto keeps its buckets in this process, for every server started here: empty them.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)  # nosec B310
    server.stop()


def storage_from_environment(**env: str) -> dict:
    """STORAGES["default"] as the settings module builds it from these variables (settings are read
    once per process, so in a second one)."""
    script = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def bucket(s3_server, settings):
    """The media storage in a fresh bucket on the S3 server, configured from the environment."""
    storage = storage_from_environment(S3_BUCKET=BUCKET, S3_ENDPOINT_URL=s3_server, S3_ADDRESSING_STYLE="path", **KEYS)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
        region_name=KEYS["S3_REGION"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    return client


def objects_in(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing}


def test_without_s3_bucket_files_stay_in_media_root():
    assert storage_from_environment(S3_BUCKET="")["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_an_attachment_goes_to_the_bucket_and_comes_back_to_the_manager(client, rep, lead, draft, bucket, settings):  # noqa: F811
    # A second process reads the settings and a moto server starts: about three seconds.
    client.force_login(rep)
    assert upload(client, draft, "合同.pdf", PDF).status_code == 302
    attachment = Attachment.objects.get(report=draft)
    assert objects_in(bucket) == {attachment.file.name: PDF}
    report_services.submit_report(report=fill(draft), by=rep)  # a draft is its author's alone

    client.force_login(lead)
    response = client.get(reverse("reports:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert stored_files(settings) == []  # nothing in MEDIA_ROOT


def test_a_rendered_pdf_is_stored_in_the_bucket_and_downloaded_from_it(client, rep, bucket):
    # As above, plus a PDF rendered by WeasyPrint: about five seconds.
    report = submitted(rep)
    job = summary_services.request_document(
        kind=Document.Kind.REPORT, report=report, requested_by=rep, language="zh-hans"
    )
    summary_services.render_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Document.Status.DONE, job.error
    stored = objects_in(bucket)
    assert list(stored) == [job.file.name] and stored[job.file.name].startswith(b"%PDF")

    client.force_login(rep)
    response = client.get(reverse("summaries:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored[job.file.name]
