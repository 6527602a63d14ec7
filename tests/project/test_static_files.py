"""Production static files: WhiteNoise serves the collected, hashed files compressed and cached
for years (their names change with their content); unhashed names only for an hour."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware


@pytest.fixture
def collected(settings, tmp_path):
    settings.DEBUG = False
    settings.WHITENOISE_MAX_AGE = 60 * 60  # what production sets (settings.py reads DEBUG once)
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    # Our own files only: the vendor and admin files would make the same point, slowly.
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "static"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))


def get(middleware, path: str):
    return middleware(RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip"))


def test_a_hashed_file_is_served_compressed_and_immutable_for_years(collected):
    url = staticfiles_storage.url("css/app.css")
    assert url != "/static/css/app.css"  # the name carries the content's hash
    response = get(collected, url)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control
    assert int(cache_control.split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600


def test_an_unhashed_name_is_cached_for_an_hour_only(collected):
    response = get(collected, "/static/css/app.css")
    assert response.status_code == 200
    assert "max-age=3600" in response["Cache-Control"] and "immutable" not in response["Cache-Control"]
