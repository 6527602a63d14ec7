"""Settings of the benchmark's web process (bench/run.py starts gunicorn with them): the project's
settings, with a URLconf that adds the baseline page. Nothing in production imports this module."""

from salesreports.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The benchmark's large company is built by the demo app's seed_demo --scale large.
if "demo" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
