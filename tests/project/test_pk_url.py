"""{% pk_url %}: the same address as {% url %} for the list pages' per-row links."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

URL_NAMES = ["customers:customer_detail", "customers:activity_edit", "customers:activity_delete", "reviews:review"]


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("pk", [1, 7, 2_147_483_646, 31_415])
def test_it_gives_the_address_reverse_gives(name, pk):
    rendered = Template("{% load report_tags %}{% pk_url name pk %}").render(Context({"name": name, "pk": pk}))
    assert rendered == reverse(name, args=[pk])


def test_it_follows_the_script_prefix_of_a_deployment_under_a_path():
    try:
        set_script_prefix("/sales/")
        rendered = Template("{% load report_tags %}{% pk_url 'reviews:review' 5 %}").render(Context())
        assert rendered == "/sales/reviews/5/" == reverse("reviews:review", args=[5])
    finally:
        set_script_prefix("/")
