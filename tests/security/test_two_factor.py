"""Optional two-factor login (TOTP apps and backup codes), and the admins' policy that requires it
of managers and directors or of admins."""

import datetime
import re

import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from security import services

PASSWORD = "pw-Secret-123"


def code_for(device: TOTPDevice) -> str:
    """What the phone shows now (time-machine's now, inside a travel)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    # Set up two minutes ago: a code is accepted once, so today's codes must come from a later step.
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=2), tick=False):
        device = services.pending_authenticator(user=user)
        codes = services.confirm_authenticator(device=device, token=code_for(device))
    device.refresh_from_db()
    return device, codes


def log_in(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "password login failed"
    return response


def test_setting_up_shows_a_qr_code_and_the_key_and_takes_effect_only_with_a_right_code(client, rep):
    client.force_login(rep)
    page = client.get(reverse("security:setup"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=rep)
    assert "<svg" in html and services.manual_key(device) in html
    assert client.post(reverse("security:setup"), {"code": "000000"}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed and not services.has_two_factor(rep)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        response = client.post(reverse("security:setup"), {"code": code_for(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == services.BACKUP_CODE_COUNT
    assert services.has_two_factor(rep)
    assert AuditEntry.objects.filter(target_id=rep.pk, note="two-factor login turned on").exists()
    # This session proved it holds the phone: it goes on without asking again.
    assert client.get(reverse("home")).status_code == 200


def test_after_the_password_every_page_waits_for_the_code(client, rep):
    device, _ = enrolled(rep)
    log_in(client, "rep")
    for name in ["home", "reports:my", "notifications:inbox", "teams:preferences"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("security:verify")), name
    assert client.get(reverse("admin:index")).status_code == 302
    verify = f"{reverse('security:verify')}?next={reverse('reports:my')}"
    assert client.post(verify, {"code": "123456"}).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        response = client.post(verify, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("reports:my")
    assert client.get(reverse("home")).status_code == 200


def test_a_backup_code_logs_in_once(client, rep):
    _, codes = enrolled(rep)
    log_in(client, "rep")
    assert client.post(reverse("security:verify"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    other = type(client)()
    log_in(other, "rep")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        assert other.post(reverse("security:verify"), {"code": codes[0]}).status_code == 200
    assert services.backup_codes_left(rep) == services.BACKUP_CODE_COUNT - 1


def test_wrong_codes_make_even_the_right_one_wait(client, rep):
    device, _ = enrolled(rep)
    log_in(client, "rep")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for _ in range(3):
            client.post(reverse("security:verify"), {"code": "000000"})
        # Three wrong codes: the device waits 4 s before it looks at another one.
        assert client.post(reverse("security:verify"), {"code": code_for(device)}).status_code == 200
    with time_machine.travel(now + datetime.timedelta(seconds=35), tick=False):
        response = client.post(reverse("security:verify"), {"code": code_for(device)})
    assert response.status_code == 302


def test_the_code_page_sends_only_to_this_site(client, rep):
    device, _ = enrolled(rep)
    log_in(client, "rep")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        response = client.post(reverse("security:verify") + "?next=https://evil.example/", {"code": code_for(device)})
    assert response.status_code == 302 and response.url == "/"


def test_an_htmx_request_is_sent_to_the_code_page_as_a_whole_page(client, rep):
    enrolled(rep)
    log_in(client, "rep")
    response = client.post(reverse("notifications:read_all"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("security:verify"))


def test_an_admin_requires_it_of_managers_who_then_set_it_up_before_anything_else(client, admin, lead, rep):
    client.force_login(admin)
    response = client.post(reverse("security:policy"), {"is_required_for_managers": "on", "is_required_for_admins": ""})
    assert response.status_code == 302
    assert services.get_policy().is_required_for_managers
    entry = AuditEntry.objects.get(target_type__model="twofactorpolicy")
    assert entry.actor == admin and entry.changes == {"is_required_for_managers": [False, True]}
    # Admins are not required (yet): the admin goes on as before.
    assert client.get(reverse("home")).status_code == 200

    manager = type(client)()
    log_in(manager, "lead")
    response = manager.get(reverse("reviews:queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("security:setup"))
    assert "Your role requires two-factor login" in manager.get(response.url).content.decode()
    device = TOTPDevice.objects.get(user=lead)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        manager.post(reverse("security:setup"), {"code": code_for(device)})
    assert manager.get(reverse("reviews:queue")).status_code == 200

    salesperson = type(client)()
    log_in(salesperson, "rep")
    assert salesperson.get(reverse("home")).status_code == 200


def test_required_people_cannot_turn_it_off_but_an_admin_resets_a_lost_phone(client, admin, lead):
    device, _ = enrolled(lead)
    services.set_policy(actor=admin, is_required_for_admins=False, is_required_for_managers=True)
    client.force_login(lead)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        client.post(reverse("security:verify"), {"code": code_for(device)})
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=40), tick=False):
        client.post(reverse("security:turn_off"), {"code": code_for(device)})
    assert services.has_two_factor(lead)

    admin_client = type(client)()
    admin_client.force_login(admin)
    response = admin_client.post(reverse("security:member_reset", args=[lead.pk]))
    assert response.status_code == 302
    assert not services.has_two_factor(lead)
    assert AuditEntry.objects.filter(actor=admin, target_id=lead.pk, note="two-factor login reset by an admin").exists()
    # At the next login the policy sends them to set it up again.
    fresh = type(client)()
    log_in(fresh, "lead")
    assert fresh.get(reverse("home")).url.startswith(reverse("security:setup"))


def test_people_may_turn_their_own_off_with_a_current_code(client, rep):
    device, _ = enrolled(rep)
    client.force_login(rep)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        client.post(reverse("security:verify"), {"code": code_for(device)})
    assert client.post(reverse("security:turn_off"), {"code": "999999"}).status_code == 302
    assert services.has_two_factor(rep)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=40), tick=False):
        client.post(reverse("security:turn_off"), {"code": code_for(device)})
    assert not services.has_two_factor(rep)


def test_with_the_cache_server_down_the_database_decides(client, rep, settings):
    enrolled(rep)
    # Nothing listens on port 1: every cache call fails as when Redis is down.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    log_in(client, "rep")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("security:verify"))


def test_a_new_policy_reaches_sessions_that_are_already_open(client, admin, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)
    assert client.get(reverse("reviews:queue")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.set_policy(actor=admin, is_required_for_admins=False, is_required_for_managers=True)
    response = client.get(reverse("reviews:queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("security:setup"))
