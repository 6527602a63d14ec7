from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from reports import extensions
        from reviews.extensions import ReviewRecord

        extensions.review_record.value = ReviewRecord()
