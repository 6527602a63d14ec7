from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company (`manage.py seed_demo`) and the benchmark's large one (`--scale large`).
    Installed in development, for the benchmarks and where DEMO_DATA asks for it; never needed by
    the domain apps, which know nothing of it."""

    name = "demo"
    verbose_name = "Demo data"
