"""The token pages: your own tokens (create, shown once; revoke), and the admins' list of all."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api import access, services
from api.forms import TokenForm
from teams.forms import save_or_show_errors


def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = []
        if save_or_show_errors(
            form,
            lambda: created.append(services.create_token(user=request.user, **form.cleaned_data)),
        ):
            # Rendered, not redirected: the token is in this answer only and nowhere else.
            return render(request, "api/token_created.html", {"new": created[0]})
    own = access.visible_tokens(request.user).filter(user=request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": own})


@require_POST
def revoke(request, pk):
    token = access.token_for_revoke(request.user, pk)
    services.revoke_token(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("api:all_tokens")
    return redirect("api:tokens")


@require_GET
def all_tokens(request):
    access.require_token_admin(request.user)
    rows = access.visible_tokens(request.user).select_related("user", "revoked_by")
    return render(request, "api/all_tokens.html", {"tokens": rows})
