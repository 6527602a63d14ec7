"""Transactional tests flush the database after each test, taking with it the rows that data
migrations created: put them back before each such test."""

import importlib

from django.apps import apps

STEPS = [
    ("reports.migrations.0002_default_kpis_and_template", "create_defaults"),
    ("reports.migrations.0006_kpi_log_source", "map_default_kpis"),
    ("reports.migrations.0007_problem_categories", "create_categories"),
    ("pipeline.migrations.0002_default_stages", "add_defaults"),
]


def restore() -> None:
    """Default KPIs and template, the KPIs' sales log sources, and the problem categories."""
    for module, function in STEPS:
        getattr(importlib.import_module(module), function)(apps, None)
