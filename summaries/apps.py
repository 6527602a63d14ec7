from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = _("Summaries and PDFs")

    def ready(self):
        from summaries import services, views
        from teams import filters

        filters.LIST_WORKER[:] = [services.request_list_export]
        filters.register_list("documents", views.DOCUMENT_LIST)
