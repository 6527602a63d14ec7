"""No SSRF: robot and webhook URLs must be http(s) and, unless the admins' setting allows it,
public addresses; checked on save and again before each send."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations import safety, services
from integrations.models import Delivery, Robot, Subscription
from integrations.platforms import Message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_loopback_link_local_and_multicast_addresses_are_refused(settings, url):
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError):
        safety.check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "javascript:alert(1)"])
def test_only_http_and_https_are_accepted_even_when_private_addresses_are_allowed(settings, url):
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = True
    with pytest.raises(ValidationError):
        safety.check_url(url)


def test_a_private_url_is_shown_next_to_the_field_and_nothing_is_saved(client, admin, team, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = False
    client.force_login(admin)
    typed = "http://192.168.1.10/robot/send?access_token=abc"
    response = client.post(
        reverse("integrations:robot_create"),
        {"team": team.pk, "name": "东区群", "platform": "dingtalk", "url": typed, "language": "zh-hans",
         "events": ["deadline"], "is_active": "on", "new_secret": "SECabcdef123456"},
    )  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert "private network" in form.errors["url"][0] or "内网" in form.errors["url"][0]
    assert typed in response.content.decode()
    assert not Robot.objects.exists()


def test_the_address_is_checked_again_when_sending(receiver, team, settings):
    robot = Robot.objects.create(
        team=team, name="x", platform="wecom", url=f"{receiver.base}/wecom?key=1", events=["deadline"]
    )
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = False  # as if the host's DNS now pointed inside
    when = datetime.datetime(2026, 11, 20, 4, 10, tzinfo=datetime.UTC)
    delivery = Delivery.objects.create(
        robot=robot, event="x", key="k", body=Message("t", ["l"]).as_json(), next_attempt_at=when
    )
    assert services.deliver(delivery_id=delivery.pk, now=when) is False
    delivery.refresh_from_db()
    assert "private network" in delivery.response or "内网" in delivery.response
    assert receiver.received == []


def test_a_webhook_to_a_private_address_is_refused(admin, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError) as caught:
        services.save_subscription(subscription=Subscription(name="x", url="http://10.0.0.5/h"), actor=admin)
    assert "url" in caught.value.message_dict
    assert not Subscription.objects.exists()
