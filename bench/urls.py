"""The project's URLs plus the benchmark's baseline page (bench/settings.py routes them)."""

from django.urls import path

from bench import views
from salesreports.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/baseline/", views.baseline, name="bench_baseline"), *project_urlpatterns]
