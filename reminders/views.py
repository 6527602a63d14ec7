"""The reminder schedule and the working calendar: admins see when each team's reminders go out
and enter days off; everyone records their own leave. Rules live in reminders/services.py."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification
from reminders import services
from reminders.forms import DayOffForm, LeaveForm
from reminders.models import Reminder
from reports.models import DayOff
from teams import access
from teams.forms import save_or_show_errors
from teams.models import Leave, Team

RECENT = 30


def schedule(request):
    access.require_template_admin(request.user)
    form = DayOffForm(request.POST or None, teams=Team.objects.active())
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show_errors(form, lambda: services.add_day_off(actor=request.user, **form.cleaned_data))
    ):
        messages.success(request, _("Day off added."))
        return redirect("reminders:schedule")
    teams = list(Team.objects.active().filter(kind=Team.Kind.TEAM))
    today = timezone.localdate()
    return render(
        request,
        "reminders/schedule.html",
        {
            "form": form,
            "rows": services.schedule(teams),
            "uncovered_years": services.coverage_warning(today),
            "days_off": DayOff.objects.filter(on__gte=today - datetime.timedelta(days=30)).select_related("team"),
            "recent": Reminder.objects.select_related("recipient", "team")[:RECENT],
            "failed_emails": Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).count(),
        },
    )


@require_POST
def day_off_delete(request, pk):
    access.require_template_admin(request.user)
    day_off = get_object_or_404(DayOff, pk=pk)
    services.remove_day_off(actor=request.user, day_off=day_off)
    messages.success(request, _("Day off removed."))
    return redirect("reminders:schedule")


def my_leave(request):
    form = LeaveForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show_errors(form, lambda: services.record_leave(member=request.user, **form.cleaned_data))
    ):
        messages.success(request, _("Leave recorded: no reminders for those days."))
        return redirect("reminders:leave")
    leaves = Leave.objects.filter(member=request.user)
    return render(request, "reminders/leave.html", {"form": form, "leaves": leaves, "today": timezone.localdate()})


@require_POST
def leave_delete(request, pk):
    leave = get_object_or_404(Leave, pk=pk, member=request.user)
    try:
        services.cancel_leave(leave=leave)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Leave removed."))
    return redirect("reminders:leave")
