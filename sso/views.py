"""Signing in through a provider, the admins' policy page, unlinking, and logging out."""

import logging

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from security.services import PROVIDER_MFA_SESSION_KEY
from sso import access, providers, services
from sso.forms import PolicyForm

logger = logging.getLogger(__name__)
# Signed-in sessions are kept by this backend's get_user(); the identity was checked by the provider.
SESSION_BACKEND = "teams.backends.EmailOrUsernameBackend"


def _provider_or_404(key: str) -> providers.BrowserProvider:
    provider = providers.browser_provider(key)
    if provider is None:
        raise Http404
    return provider


def _callback_uri(request, key: str) -> str:
    return request.build_absolute_uri(reverse("sso:callback", args=[key]))


@login_not_required
@never_cache
@require_GET
def start(request, provider):
    provider = _provider_or_404(provider)
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        request.session["sso_next"] = next_url
    try:
        return provider.start(request, _callback_uri(request, provider.key))
    except providers.ProviderError as exc:
        return _refused(request, exc.message, status=502, provider=provider.key, detail=exc.detail, audit=True)


@login_not_required
@never_cache
@require_GET
def callback(request, provider):
    provider = _provider_or_404(provider)
    try:
        claims = provider.finish(request, _callback_uri(request, provider.key))
    except providers.ProviderError as exc:
        status = 502 if exc.is_admin_matter else 400
        return _refused(
            request, exc.message, status=status, provider=provider.key, detail=exc.detail, audit=exc.is_admin_matter
        )
    try:
        user = services.sign_in(claims=claims)
    except services.SignInRefused as exc:
        return _refused(request, exc.message, status=403, provider=provider.key)
    id_token = request.session.pop("sso_id_token", "")
    next_url = request.session.pop("sso_next", "") or reverse("home")
    auth_login(request, user, backend=SESSION_BACKEND)
    request.session["sso_provider"] = provider.key
    request.session["sso_id_token"] = id_token
    if services.provider_enforces_mfa(provider.key):
        request.session[PROVIDER_MFA_SESSION_KEY] = provider.key
    return redirect(next_url)


def _refused(request, message: str, *, status: int, provider: str, detail: str = "", audit: bool = False):
    logger.warning("sso %s sign-in failed: %s", provider, detail or message)
    if audit:
        services.record_provider_failure(provider=provider, detail=detail)
    return render(request, "sso/refused.html", {"message": message}, status=status)


def policy(request):
    access.require_policy_admin(request.user)
    form = PolicyForm(request.POST or None, instance=services.get_policy())
    if request.method == "POST" and form.is_valid():
        services.set_policy(actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Single sign-on policy saved."))
        return redirect("sso:policy")
    return render(
        request,
        "sso/policy.html",
        {
            "form": form,
            "providers": providers.browser_providers(),
            "ldap": providers.ldap_configured(),
            "oidc_from_environment": providers.oidc_config(None) is not None,
        },
    )


@require_POST
def unlink(request, pk):
    identity = access.identity_for_unlink(request.user, pk)
    member = identity.user
    services.unlink(identity=identity, actor=request.user)
    messages.success(
        request, _("%(identity)s is no longer linked to %(name)s.") % {"identity": identity, "name": member}
    )
    return redirect(member)


class LogoutView(auth_views.LogoutView):
    """Ends our session; after a sign-in through a provider that has a logout of its own, offers it
    (the provider's session would otherwise sign the person straight back in)."""

    def post(self, request, *args, **kwargs):
        provider = providers.browser_provider(request.session.get("sso_provider", ""))
        id_token = request.session.get("sso_id_token", "")
        if provider is None:
            return super().post(request, *args, **kwargs)
        auth_logout(request)
        url = provider.end_session_url(request, id_token, request.build_absolute_uri(reverse("login")))
        if not url:
            return redirect(self.get_success_url())
        return render(request, "sso/logged_out.html", {"provider": provider, "url": url})
