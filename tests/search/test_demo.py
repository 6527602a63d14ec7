"""Done when: the demo director finds every report that mentions a given customer this quarter in
one search."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reports.models import WeeklyReport
from reviews.models import Comment, Feedback
from summaries.rollups import period_bounds
from teams.models import User
from tests import demo_data


def test_the_demo_director_finds_every_report_naming_a_customer_this_quarter(client, db):
    demo_data.seed()
    director = User.objects.get(username="zhaoming")
    start, end = period_bounds("quarter", timezone.localdate())
    customer = "宁德时代"
    mentioned = Q(summary__contains=customer) | Q(problems__customer=customer) | Q(plan_items__customer=customer)
    mentioned |= Q(pk__in=Feedback.objects.filter(suggestions__contains=customer).values("report"))
    mentioned |= Q(pk__in=Comment.objects.filter(body__contains=customer).values("report"))
    expected = set(
        WeeklyReport.objects.filter(mentioned, week_start__range=(start, end))
        .exclude(status=WeeklyReport.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    assert expected, "the demo should name the customer in this quarter's reports"

    client.force_login(director)
    response = client.get(reverse("search:results"), {"q": customer, "period": "quarter"})
    found = {entry.report_id for entry in response.context["page"].paginator.object_list}
    assert found == expected
