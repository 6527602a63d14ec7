"""Two-factor login pages: one's own (overview, setup, the code at login, backup codes, turning it
off) and the admins' (the policy, resetting someone's)."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from security import services
from security.forms import CodeForm, PasswordResetRequestForm, PolicyForm
from security.login import client_ip
from teams import access


def overview(request):
    return render(
        request,
        "security/two_factor.html",
        {
            "status": services.status_for(request.user, fresh=True),
            "codes_left": services.backup_codes_left(request.user),
            "form": CodeForm(),
        },
    )


def setup(request):
    if services.has_two_factor(request.user):
        return redirect("security:two_factor")
    device = services.pending_authenticator(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_authenticator(device=device, token=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return render(request, "security/codes.html", {"codes": codes, "next": _next_url(request)})
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "manual_key": services.manual_key(device),
            "required": services.status_for(request.user).is_required,
            "next": _next_url(request),
        },
    )


def verify(request):
    next_url = _next_url(request)
    if request.user.is_verified() or not services.has_two_factor(request.user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "code", _("That code is not right. Wrong codes make you wait longer before the next try; use the newest.")
        )
    return render(request, "security/verify.html", {"form": form, "next": next_url})


@require_POST
def backup_codes(request):
    try:
        codes = services.new_backup_codes(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("security:two_factor")
    return render(request, "security/codes.html", {"codes": codes, "next": ""})


@require_POST
def turn_off(request):
    form = CodeForm(request.POST)
    if not form.is_valid() or services.verify(user=request.user, token=form.cleaned_data["code"]) is None:
        messages.error(request, _("Enter a current code to turn two-factor login off."))
        return redirect("security:two_factor")
    try:
        services.turn_off(user=request.user, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Two-factor login is off."))
    return redirect("security:two_factor")


def policy(request):
    access.require_security_admin(request.user)
    form = PolicyForm(request.POST or None, instance=services.get_policy())
    if request.method == "POST" and form.is_valid():
        services.set_policy(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Two-factor policy saved."))
        return redirect("security:policy")
    return render(request, "security/policy.html", {"form": form})


@require_POST
def member_reset(request, pk):
    member = access.member_for_edit(request.user, pk)
    services.turn_off(user=member, actor=request.user)
    messages.success(request, _("Two-factor login of %(name)s was reset.") % {"name": member})
    return redirect(member)


@login_not_required
def password_reset(request):
    """Ask for a reset link. The answer is the same whether or not an account uses the address;
    the email is sent by a worker. Too many requests are refused with 429 and say so."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_password_reset(email=form.cleaned_data["email"], ip_address=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, "registration/password_reset_form.html", {"form": form}, status=429)
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=allowed, require_https=request.is_secure()):
        return candidate
    return "/"


def _qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here: the secret never leaves the server."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 # nosec B308, B703 # our drawing, no user text
