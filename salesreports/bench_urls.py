"""The project's URLs plus the benchmark's baseline page; used instead of urls.py when the
BENCHMARK setting is on (bench/run.py turns it on), so the page is never routed in production."""

from django.urls import path

from salesreports import views
from salesreports.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/baseline/", views.baseline, name="bench_baseline"), *project_urlpatterns]
