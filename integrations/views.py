"""Managing team chat robots (admins, and managers for their subtree) and webhooks (admins): the
lists, the forms, a test message that shows the platform's answer, and each target's delivery log
with a redeliver button. Rules live in integrations/services.py."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations import access, selectors, services
from integrations.forms import RobotForm, SubscriptionForm
from integrations.models import Delivery, Robot, Subscription
from teams.forms import save_or_show_errors

LOG_LENGTH = 50


def robot_list(request):
    access.require_robot_manager(request.user)
    robots = access.visible_robots(request.user)
    failing = set(selectors.failing_robots(robots).values_list("pk", flat=True))
    return render(request, "integrations/robot_list.html", {"robots": robots, "failing": failing})


def robot_create(request):
    access.require_robot_manager(request.user)
    return _robot_form(request, Robot(events=[Robot.Event.DEADLINE, Robot.Event.DIGEST, Robot.Event.SUMMARY]))


def robot_edit(request, pk):
    return _robot_form(request, access.robot_for_edit(request.user, pk))


def _robot_form(request, robot: Robot):
    form = RobotForm(request.POST or None, instance=robot, teams=access.robot_teams(request.user))
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show_errors(
            form,
            lambda: services.save_robot(
                robot=form.instance, actor=request.user, new_secret=form.cleaned_data["new_secret"]
            ),
        )
    ):
        messages.success(request, _("Robot saved."))
        return redirect("integrations:robot_edit", form.instance.pk)
    deliveries = robot.deliveries.all()[:LOG_LENGTH] if robot.pk else []
    return render(request, "integrations/robot_form.html", {"form": form, "robot": robot, "deliveries": deliveries})


@require_POST
def robot_test(request, pk):
    robot = access.robot_for_edit(request.user, pk)
    delivery = services.send_test(robot=robot, actor=request.user)
    answer = {"code": delivery.response_code or "—", "answer": delivery.response or "—"}
    if delivery.status == Delivery.Status.SENT:
        messages.success(request, _("Test message sent. The platform answered %(code)s: %(answer)s") % answer)
    elif delivery.status == Delivery.Status.PENDING and not delivery.attempts:
        messages.warning(request, _("The robot's rate limit is reached; the test message goes out in a minute."))
    else:
        messages.error(request, _("The platform refused the test message (%(code)s): %(answer)s") % answer)
    return redirect("integrations:robot_edit", robot.pk)


@require_POST
def robot_delete(request, pk):
    services.remove_robot(robot=access.robot_for_edit(request.user, pk), actor=request.user)
    messages.success(request, _("Robot removed."))
    return redirect("integrations:robot_list")


def webhook_list(request):
    access.require_webhook_admin(request.user)
    subscriptions = Subscription.objects.all()
    failing = set(selectors.failing_subscriptions(subscriptions).values_list("pk", flat=True))
    return render(request, "integrations/webhook_list.html", {"subscriptions": subscriptions, "failing": failing})


def webhook_create(request):
    access.require_webhook_admin(request.user)
    return _webhook_form(request, Subscription(events=list(Subscription.Event.values)))


def webhook_edit(request, pk):
    return _webhook_form(request, access.subscription_for_edit(request.user, pk))


def _webhook_form(request, subscription: Subscription):
    is_new = subscription.pk is None
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_show_errors(
            form, lambda: services.save_subscription(subscription=form.instance, actor=request.user)
        )
    ):
        if is_new:  # the only time the whole secret is shown
            messages.success(
                request,
                _("Webhook saved. Its signing secret, shown only this once: %(secret)s")
                % {"secret": form.instance.secret},
            )
        else:
            messages.success(request, _("Webhook saved."))
        return redirect("integrations:webhook_edit", form.instance.pk)
    deliveries = subscription.deliveries.all()[:LOG_LENGTH] if subscription.pk else []
    return render(
        request,
        "integrations/webhook_form.html",
        {"form": form, "subscription": subscription, "deliveries": deliveries},
    )


@require_POST
def webhook_delete(request, pk):
    services.remove_subscription(subscription=access.subscription_for_edit(request.user, pk), actor=request.user)
    messages.success(request, _("Webhook removed."))
    return redirect("integrations:webhook_list")


@require_POST
def redeliver(request, pk):
    delivery = services.redeliver(delivery=access.delivery_for_redelivery(request.user, pk))
    messages.success(request, _("The delivery is queued again."))
    if delivery.robot_id:
        return redirect("integrations:robot_edit", delivery.robot_id)
    return redirect("integrations:webhook_edit", delivery.subscription_id)
