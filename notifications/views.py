"""The notifications inbox: list, open (marks read), mark read, mark all read, email choices.
Each person only ever reaches their own notifications (others' answer 404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.forms import EmailPreferencesForm
from notifications.models import Notification

PER_PAGE = 30


def _own(request, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@require_GET
def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user).select_related("actor", "report__author")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "only_unread": only_unread})


@require_GET
def open_notification(request, pk):
    notification = _own(request, pk)
    services.mark_read(notification=notification)
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@require_POST
def mark_read(request, pk):
    services.mark_read(notification=_own(request, pk))
    return redirect("notifications:inbox")


@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


def email_settings(request):
    form = EmailPreferencesForm(
        request.POST or None, initial={"wanted": sorted(services.email_preferences(request.user))}
    )
    if request.method == "POST" and form.is_valid():
        services.set_email_preferences(user=request.user, wanted=form.cleaned_data["wanted"])
        messages.success(request, _("Your email choices are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form, "has_email": bool(request.user.email)})
