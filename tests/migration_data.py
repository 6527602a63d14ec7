"""Transactional tests flush the database after each test, taking with it the rows that the data
migration created (default KPIs and template); tests that run real processes put them back."""

import importlib

import pytest


@pytest.fixture
def migration_data(transactional_db):
    from django.apps import apps

    importlib.import_module("reports.migrations.0002_default_kpis_and_template").create_defaults(apps, None)
