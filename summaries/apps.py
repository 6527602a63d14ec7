from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = _("Summaries and PDFs")

    def ready(self):
        from summaries import services
        from teams import filters

        filters.LIST_WORKER[:] = [services.request_list_export]
