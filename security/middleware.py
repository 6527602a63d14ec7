from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from security import services

# What a person who still owes a code (or has to set up two-factor login) may reach.
ALWAYS_ALLOWED = {"security:verify", "security:setup", "logout", "login", "teams:set_language", "healthz"}


class TwoFactorMiddleware:
    """People with two-factor login answer for a code once per session before anything else; people
    the admins' policy requires it of set it up first. Everyone else passes untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in ALWAYS_ALLOWED:
            return None
        if request.session.get(services.PROVIDER_MFA_SESSION_KEY):
            return None
        status = services.status_for(user)
        if status.is_enabled:
            target = "security:verify"
        elif status.is_required:
            target = "security:setup"
        else:
            return None
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
