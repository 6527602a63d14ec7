from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from reports import signals as report_signals
        from reviews import signals as review_signals
        from search import receivers

        report_signals.report_written.connect(receivers.report_written, dispatch_uid="search.report_written")
        report_signals.reports_loaded.connect(receivers.reports_loaded, dispatch_uid="search.reports_loaded")
        review_signals.feedback_given.connect(receivers.feedback_given, dispatch_uid="search.feedback_given")
        review_signals.comment_written.connect(receivers.comment_written, dispatch_uid="search.comment_written")
