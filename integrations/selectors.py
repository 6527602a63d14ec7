"""Read-side helpers of the robots and webhooks pages, shared with the admin home (its count is the
page's count)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from integrations.models import Delivery, Robot, Subscription


def failing_robots(robots: QuerySet[Robot]) -> QuerySet[Robot]:
    """Robots paused after failing in a row, and turned-on robots whose last attempt failed."""
    return robots.filter(Q(is_active=False, paused_at__isnull=False) | Q(is_active=True, failures_in_a_row__gt=0))


def failing_subscriptions(subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    """Webhooks with a delivery that failed for good (until it is redelivered)."""
    failed = Delivery.objects.filter(subscription=OuterRef("pk"), status=Delivery.Status.FAILED)
    return subscriptions.filter(Exists(failed))
