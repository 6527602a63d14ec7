from functools import cache

from customers import access as customer_access
from notifications.models import Notification
from reports import access as report_access
from reviews import access as review_access
from reviews.queries import awaiting_count
from teams import access


def navigation(request) -> dict:
    """Role flags for the navigation bar, computed by the access policy, and the two badges
    (unread notifications, reports awaiting review), counted only when a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = access.scope(user)
    return {
        "nav": {
            "sees_teams": scope.sees_teams,
            "is_admin": scope.is_admin,
            "can_view_audit": access.can_view_audit_trail(user),
            "can_manage_templates": report_access.can_manage_templates(user),
            "writes_reports": access.writes_reports(user),
            "keeps_sales_log": customer_access.keeps_sales_log(user),
            "reviews": scope.is_admin or scope.is_manager,
            "review_overview": review_access.can_view_review_overview(user),
            "awaiting_count": cache(lambda: awaiting_count(user)),
            "unread_count": cache(lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()),
        }
    }
