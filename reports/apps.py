from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Weekly reports")

    def ready(self):
        from reports import read_views, retention
        from teams import filters
        from teams import retention as team_retention

        team_retention.TEAM_BLOCKERS.append(retention.team_blockers)
        team_retention.PERSON_BLOCKERS.append(retention.person_blockers)
        filters.register_list("my_reports", read_views.MY_REPORTS)
