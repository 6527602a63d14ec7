from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from reports import extensions
        from reviews import selectors
        from reviews.extensions import ReviewRecord
        from teams import filters

        extensions.review_record.value = ReviewRecord()
        filters.register_list("review_queue", selectors.QUEUE_LIST)
        filters.register_list("reviews_overview", selectors.OVERVIEW_LIST)
