from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodSummariesConfig(AppConfig):
    name = "periodsummaries"
    verbose_name = _("Monthly, quarterly and yearly summaries")
