"""DingTalk, Feishu and WeCom login against local stand-ins of their documented APIs."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEntry
from sso.models import Identity, SsoPolicy

pytestmark = pytest.mark.django_db

DINGTALK_PERSON = {"nick": "张伟", "unionId": "union-zhang", "openId": "o1", "mobile": "13800138000", "stateCode": "86"}
FEISHU_PERSON = {
    "name": "张伟",
    "union_id": "on_zhang",
    "open_id": "ou_zhang",
    "user_id": "u_zhang",
    "employee_no": "rep",
    "enterprise_email": "",
    "email": "",
    "mobile": "+8613800138000",
}
WECOM_PERSON = {"userid": "rep", "name": "张伟", "mobile": "13800138000", "biz_mail": "rep@example.com"}


def match_by(field: str) -> None:
    SsoPolicy.objects.update_or_create(pk=1, defaults={"match_by": field})


def come_back(client, provider: str, code: str, *, state: str | None = None):
    """Press the login button, let the platform send the browser back with `code`."""
    start = client.get(f"/accounts/sso/{provider}/start/")
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["redirect_uri"] == [f"http://testserver/accounts/sso/{provider}/callback/"]
    given = query["state"][0] if state is None else state
    return client.get(f"/accounts/sso/{provider}/callback/", {"code": code, "state": given})


def signed_in_as(client):
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def test_dingtalk_signs_in_the_member_with_the_same_mobile(client, platforms, rep):
    match_by(SsoPolicy.MatchBy.MOBILE)
    rep.phone = "138 0013 8000"
    rep.save()
    platforms.issue_code("ding-code", DINGTALK_PERSON)
    response = come_back(client, "dingtalk", "ding-code")
    assert response.status_code == 302
    assert signed_in_as(client) == rep.pk
    assert Identity.objects.get(user=rep).subject == "union-zhang"


def test_dingtalk_email_is_not_taken_as_verified(client, platforms, rep):
    rep.email = "zhang@example.com"
    rep.save()
    platforms.issue_code("ding-code", {**DINGTALK_PERSON, "email": "zhang@example.com"})
    response = come_back(client, "dingtalk", "ding-code")
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not Identity.objects.exists()


def test_feishu_signs_in_the_member_with_the_same_employee_id(client, platforms, rep):
    match_by(SsoPolicy.MatchBy.EMPLOYEE_ID)
    platforms.issue_code("feishu-code", FEISHU_PERSON)
    response = come_back(client, "feishu", "feishu-code")
    assert response.status_code == 302
    assert signed_in_as(client) == rep.pk
    assert Identity.objects.get(user=rep).provider == "feishu"


def test_feishu_enterprise_email_counts_as_verified(client, platforms, rep):
    rep.email = "zhang@corp.example.com"
    rep.save()
    platforms.issue_code("feishu-code", {**FEISHU_PERSON, "enterprise_email": "Zhang@corp.example.com"})
    assert come_back(client, "feishu", "feishu-code").status_code == 302
    assert signed_in_as(client) == rep.pk


def test_wecom_scan_signs_in_the_member_whose_username_is_the_wecom_userid(client, platforms, rep):
    match_by(SsoPolicy.MatchBy.EMPLOYEE_ID)
    platforms.issue_code("wecom-code", WECOM_PERSON)
    response = come_back(client, "wecom", "wecom-code")
    assert response.status_code == 302
    assert signed_in_as(client) == rep.pk
    identity = Identity.objects.get(user=rep)
    assert (identity.subject, identity.email) == ("ww-corp:rep", "rep@example.com")


@pytest.mark.parametrize(
    "provider,person", [("dingtalk", DINGTALK_PERSON), ("feishu", FEISHU_PERSON), ("wecom", WECOM_PERSON)]
)
def test_a_code_used_twice_is_refused_the_second_time(client, platforms, rep, provider, person):
    match_by(SsoPolicy.MatchBy.MOBILE)
    rep.phone = "13800138000"
    rep.save()
    platforms.issue_code("once", person)
    assert come_back(client, provider, "once").status_code == 302
    client.logout()
    replay = come_back(client, provider, "once")
    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()
    assert signed_in_as(client) is None


def test_a_callback_whose_state_is_not_ours_is_refused_before_the_code_is_used(client, platforms, rep):
    platforms.issue_code("ding-code", DINGTALK_PERSON)
    response = come_back(client, "dingtalk", "ding-code", state="forged")
    assert response.status_code == 400
    assert "ding-code" not in platforms.used
    assert signed_in_as(client) is None


def test_a_platform_answering_garbage_gets_a_clear_page_and_an_audit_entry(client, platforms, rep):
    platforms.issue_code("feishu-code", FEISHU_PERSON)
    platforms.garbage = True
    response = come_back(client, "feishu", "feishu-code")
    assert response.status_code == 502
    assert "did not answer as expected" in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(note__startswith="feishu failed").exists()


def test_a_platform_that_is_down_gets_a_clear_page(client, platforms, rep, settings):
    settings.SSO_WECOM_API_URL = "http://127.0.0.1:9"
    response = come_back(client, "wecom", "wecom-code")
    assert response.status_code == 502
    assert "did not answer as expected" in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="wecom failed").exists()


@pytest.mark.parametrize(
    "language,names",
    [
        ("en", ["Sign in with DingTalk", "Sign in with Feishu", "Sign in with WeCom"]),
        ("zh-hans", ["钉钉", "飞书", "企业微信"]),
    ],
)
def test_the_login_page_shows_the_configured_platforms_in_the_visitors_language(client, platforms, language, names):
    page = client.get("/accounts/login/", headers={"accept-language": language}).content.decode()
    for name in names:
        assert name in page
    assert 'name="password"' in page


def test_the_login_page_shows_no_buttons_when_nothing_is_configured(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "sso-providers" not in page
    assert 'name="password"' in page
