"""The reminder schedule and the working calendar: admins see when each team's reminders go out
and enter days off; everyone records their own leave, and managers approve or decline the leave
that needs it. Rules live in reminders/services.py."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import services as notification_services
from reminders import services
from reminders.forms import DayOffForm, LeaveForm
from reminders.models import Reminder
from reports import access as report_access
from reports.models import DayOff
from teams import access
from teams.forms import save_or_show_errors
from teams.models import Leave, Team

RECENT = 30


def schedule(request):
    report_access.require_template_admin(request.user)
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
            "failed_emails": notification_services.failed_email_count(),
        },
    )


@require_POST
def day_off_delete(request, pk):
    report_access.require_template_admin(request.user)
    day_off = get_object_or_404(DayOff, pk=pk)
    services.remove_day_off(actor=request.user, day_off=day_off)
    messages.success(request, _("Day off removed."))
    return redirect("reminders:schedule")


def my_leave(request):
    form = LeaveForm(request.POST or None)
    recorded = []
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show_errors(
            form, lambda: recorded.append(services.record_leave(member=request.user, **form.cleaned_data))
        )
    ):
        if recorded[0].status == Leave.Status.PENDING:
            messages.success(request, _("Leave requested: your manager is asked to approve it."))
        else:
            messages.success(request, _("Leave recorded: no reminders for those days."))
        return redirect("reminders:leave")
    leaves = Leave.objects.filter(member=request.user)
    return render(
        request,
        "reminders/leave.html",
        {
            "form": form,
            "leaves": leaves,
            "today": timezone.localdate(),
            "approval_after_days": settings.LEAVE_APPROVAL_AFTER_DAYS,
            "can_view_team_leave": access.can_view_team_leave(request.user),
        },
    )


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


RECORDED_LEAVE_SHOWN = 100


@require_GET
def team_leave(request):
    """The leave of the members in the user's reach: requests waiting for a decision, then what is
    recorded from the last month on."""
    access.require_team_leave(request.user)
    leaves = access.visible_leave(request.user).exclude(member=request.user).select_related("member", "decided_by")
    pending = list(leaves.filter(status=Leave.Status.PENDING).order_by("starts_on", "pk"))
    for leave in pending:
        leave.can_decide = access.can_decide_leave(request.user, leave)
    since = timezone.localdate() - datetime.timedelta(days=31)
    recorded = leaves.exclude(status=Leave.Status.PENDING).filter(ends_on__gte=since)[:RECORDED_LEAVE_SHOWN]
    return render(request, "reminders/team_leave.html", {"pending": pending, "recorded": recorded})


def _decide(request, pk, *, approve: bool):
    leave = access.leave_for_decision(request.user, pk)
    try:
        services.decide_leave(leave=leave, decided_by=request.user, approve=approve)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        text = _("%(name)s's leave is approved.") if approve else _("%(name)s's leave is declined.")
        messages.success(request, text % {"name": leave.member})
    return redirect("reminders:team_leave")


@require_POST
def leave_approve(request, pk):
    return _decide(request, pk, approve=True)


@require_POST
def leave_decline(request, pk):
    return _decide(request, pk, approve=False)
