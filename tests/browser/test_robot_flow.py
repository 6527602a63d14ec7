"""An admin adds a DingTalk robot to a team in a real browser, sends a test message, and the
platform stand-in on loopback receives it, correctly signed."""

import re

import pytest
from playwright.sync_api import expect

from integrations.models import Robot
from tests.integrations.conftest import receiver  # noqa: F401 # the platforms' stand-in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "robot-flow-2026"
SECRET = "SECbrowser0flow0secret0a1b2"


def test_admin_adds_a_robot_and_sends_a_test_message(live_server, page, admin, team, receiver):  # noqa: F811
    admin.set_password(PASSWORD)
    admin.save()
    receiver.secrets["dingtalk"] = SECRET
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")

    page.goto(live_server.url + "/integrations/robots/")
    page.click('main a[href="/integrations/robots/new/"]')
    page.select_option("#id_team", str(team.pk))
    page.fill("#id_name", "上海一组群")
    page.select_option("#id_platform", "dingtalk")
    page.fill("#id_url", f"{receiver.base}/dingtalk?access_token=browser-token")
    page.fill("#id_new_secret", SECRET)
    page.check("input[name=events][value=deadline]")
    page.click("#robot-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/integrations/robots/\d+/$"))
    expect(page.locator("#id_new_secret")).to_have_value("")
    expect(page.locator("main")).not_to_contain_text(SECRET)

    page.click("#send-test")
    expect(page.locator(".alert-success")).to_contain_text('"errcode": 0')
    (got,) = receiver.of("dingtalk")
    assert got.verified
    assert "销售周报测试消息" in got.body["markdown"]["title"]
    assert Robot.objects.get().deliveries.get().status == "sent"
