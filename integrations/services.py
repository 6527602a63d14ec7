"""Sending to team chat robots and webhooks through a durable outbox (Delivery).

An event creates one Delivery per robot or webhook that wants it, in the transaction of the event
itself (or just after it commits), keyed by what happened so a retried task or a second tick adds
nothing. Each row is claimed before it is sent, so two workers, a retried task and the sweep never
send it twice; a failure puts it back with a growing wait (1, 2, 4, 8 minutes) until
MAX_ATTEMPTS, and the answer of the platform or receiver is recorded either way. Robots are kept
to their platform's rate limit (platforms.RATE_LIMITS, counted in the cache), are never sent to in
the first minute of an hour or half hour (Feishu throttles those), and are paused with a notice to
the admins after ROBOT_PAUSE_AFTER failed attempts in a row. The same claim rule as the email
outbox (notifications.services) applies: a claim older than CLAIM_TIMEOUT belongs to a dead worker.
"""

import datetime
import hashlib
import hmac
import json
import logging
import random
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from audit.services import record
from integrations import platforms, safety
from integrations.models import Delivery, Robot, Subscription
from integrations.platforms import Message
from notifications.models import Notification
from notifications.services import CLAIM_TIMEOUT, notify
from teams.models import Team, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
ROBOT_PAUSE_AFTER = 5
SWEEP_BATCH = 200
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-SalesReports-Signature"


def absolute(path: str) -> str:
    """A link for a message: every link points at SITE_URL."""
    return settings.SITE_URL.rstrip("/") + path


# Robots and webhooks ----------------------------------------------------------------------------


@transaction.atomic
def save_robot(*, robot: Robot, actor: User, new_secret: str = "") -> Robot:
    """Create or change a robot; an empty `new_secret` keeps the stored one. Turning a paused robot
    back on starts its failure count afresh. Raises ValidationError (by field) for a URL that is
    not http(s) or points into a private network."""
    try:
        safety.check_url(robot.url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    if new_secret:
        robot.secret = new_secret.strip()
    if robot.is_active:
        robot.paused_at, robot.failures_in_a_row = None, 0
    is_new = robot.pk is None
    if is_new:
        robot.created_by = actor
    robot.save()
    _audit(actor, robot, AuditEntry.Action.CREATED if is_new else AuditEntry.Action.UPDATED)
    return robot


def _audit(actor: User, target: Robot | Subscription, action: str) -> None:
    """Who added, changed or removed a robot or webhook, and where it posts (never its secret,
    nor the token in a robot's URL)."""
    url = target.masked_url if isinstance(target, Robot) else target.url
    record(actor=actor, action=action, target=target, changes={"url": [None, url], "events": [None, target.events]})


@transaction.atomic
def remove_robot(*, robot: Robot, actor: User) -> None:
    """Delete a robot with its delivery log, audited."""
    _audit(actor, robot, AuditEntry.Action.DELETED)
    robot.delete()


@transaction.atomic
def remove_subscription(*, subscription: Subscription, actor: User) -> None:
    """Delete a webhook with its delivery log, audited."""
    _audit(actor, subscription, AuditEntry.Action.DELETED)
    subscription.delete()


@transaction.atomic
def save_subscription(*, subscription: Subscription, actor: User) -> Subscription:
    """Create or change a webhook; a new one gets its own signing secret. Raises ValidationError
    (by field) for a URL that is not http(s) or points into a private network."""
    try:
        safety.check_url(subscription.url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    is_new = subscription.pk is None
    if is_new:
        subscription.secret = "whsec_" + secrets.token_urlsafe(24)
        subscription.created_by = actor
    subscription.save()
    _audit(actor, subscription, AuditEntry.Action.CREATED if is_new else AuditEntry.Action.UPDATED)
    return subscription


# Publishing events ------------------------------------------------------------------------------


def off_the_half_hour(moment: datetime.datetime) -> datetime.datetime:
    """`moment`, or a random second of the following minute when it falls in the first minute of
    an hour or half hour: Feishu throttles the crowd that posts exactly then."""
    if moment.minute % 30:
        return moment
    return moment.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1, seconds=random.randint(0, 59))  # noqa: S311 # nosec B311 # spreading, not secrecy


def robots_for(team: Team, event: str) -> list[Robot]:
    """The active robots of `team` and of the teams above it that want `event`."""
    robots = Robot.objects.filter(is_active=True, team__is_active=True).select_related("team")
    return [r for r in robots if team.path.startswith(r.team.path) and event in r.events]


@transaction.atomic
def publish(
    *,
    key: str,
    team: Team | None,
    webhook_event: str = "",
    data: dict | None = None,
    robot_event: str = "",
    message: Callable[[], Message | None] | None = None,
    now: datetime.datetime | None = None,
) -> list[Delivery]:
    """Put one event in the outbox: a JSON document for each webhook subscribed to
    `webhook_event`, and `message()` (built in each robot's language; None: nothing to say) for
    each robot of `team` and above that wants `robot_event`. A target that already has `key`
    gets nothing new. Returns the new deliveries, queued after commit."""
    now = now or timezone.now()
    rows = []
    if webhook_event:
        envelope = {"event": webhook_event, "created": now.isoformat(), "data": data or {}}
        for subscription in Subscription.objects.filter(is_active=True):
            if webhook_event in subscription.events:
                body = {"event": webhook_event, "id": str(uuid.uuid4()), **envelope}
                rows.append(Delivery(subscription=subscription, event=webhook_event, key=key, body=body))
    if robot_event and team is not None and message is not None:
        built: dict[str, Message | None] = {}
        for robot in robots_for(team, robot_event):
            if robot.language not in built:
                with translation.override(robot.language):
                    built[robot.language] = message()
            text = built[robot.language]
            if text is not None:
                rows.append(Delivery(robot=robot, event=robot_event, key=key, body=text.as_json()))
    for row in rows:
        row.next_attempt_at = off_the_half_hour(now) if row.robot else now
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    robots = [r.robot for r in rows if r.robot]
    subscriptions = [r.subscription for r in rows if r.subscription]
    new = list(
        Delivery.objects.filter(key=key, status=Delivery.Status.PENDING, attempts=0).filter(
            Q(robot__in=robots) | Q(subscription__in=subscriptions)
        )
    )
    for delivery in new:
        transaction.on_commit(partial(queue, delivery.pk, delivery.next_attempt_at))
    return new


def queue(delivery_id: int, when: datetime.datetime | None = None) -> None:
    """Hand a delivery to a worker; when the broker is down the row waits for the sweep."""
    from integrations import tasks

    try:
        tasks.send_delivery.apply_async((delivery_id,), eta=when)
    except Exception:
        logger.warning("Could not queue delivery %s; the sweep will send it", delivery_id)


# Sending ----------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead past the address check: it is an answer, not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST `body`; (HTTP status, answer), with status None when nothing answered."""
    safety.check_url(url)
    request = urllib.request.Request(  # noqa: S310 # nosec B310 # check_url allows http(s) only
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(1000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(1000).decode(errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def rate_limited_until(robot: Robot, now: datetime.datetime) -> datetime.datetime | None:
    """Count one message against each of the robot's platform limits; None when it may be sent
    now, else the moment its window ends. Works on any cache (Redis, local memory)."""
    stamp = now.timestamp()
    for limit, seconds in platforms.RATE_LIMITS[robot.platform]:
        window = int(stamp // seconds)
        key = f"integrations:rate:{robot.pk}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds * 2)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds * 2)
            used = 1
        if used > limit:
            return datetime.datetime.fromtimestamp((window + 1) * seconds, tz=datetime.UTC)
    return None


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    """Take the row for sending; False when it is sent, failed, not due, or someone else has it.
    The condition is on the row's own columns, which the database checks again under its lock."""
    claimable = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _put_back(delivery: Delivery, when: datetime.datetime) -> None:
    """Not this time, and not counted as an attempt (rate limit, paused target, half hour)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1, next_attempt_at=when
    )


def deliver(*, delivery_id: int, now: datetime.datetime | None = None, is_test: bool = False) -> bool:
    """Send one delivery unless it is sent, not due, or being sent by someone else; record the
    answer. Returns True when this call sent it and the receiver accepted it. A test message
    (someone pressed the button) may go out in the first minute of a half hour."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return False
    delivery = Delivery.objects.select_related("robot__team", "subscription").get(pk=delivery_id)
    target = delivery.robot or delivery.subscription
    if target is None or not target.is_active:
        _put_back(delivery, now + datetime.timedelta(minutes=5))
        return False
    if isinstance(target, Robot):
        later = off_the_half_hour(now) if not is_test and now.minute % 30 == 0 else None
        later = later or rate_limited_until(target, now)
        if later is not None:
            _put_back(delivery, later)
            return False
        platform = target.platform
        message = Message.from_json(delivery.body)
        url, body = platforms.request(platform, target.url, target.secret, message, int(stamp(now)))
        headers: dict[str, str] = {}
    else:
        platform = ""
        url, body = target.url, json.dumps(delivery.body, ensure_ascii=False).encode()
        headers = {
            SIGNATURE_HEADER: webhook_signature(target.secret, int(now.timestamp()), body),
            "X-SalesReports-Event": delivery.event,
            "X-SalesReports-Delivery": str(delivery.body.get("id", "")),
            "User-Agent": "SalesReports-Webhooks/1",
        }
    try:
        status, answer = post(url, body, headers)
    except ValidationError as exc:  # the host now resolves into a private network
        status, answer = None, exc.messages[0]
    ok = platforms.accepted(platform, status or 0, answer.encode()) if platform else status in range(200, 300)
    _record(delivery, now, ok=ok, status=status, answer=answer)
    return ok


def stamp(now: datetime.datetime) -> float:
    """Milliseconds since the epoch, as DingTalk signs them."""
    return now.timestamp() * 1000


def _record(delivery: Delivery, now: datetime.datetime, *, ok: bool, status: int | None, answer: str) -> None:
    answer = answer[:1000]
    if ok:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=now, response_code=status, response=answer
        )
        if delivery.robot_id:
            Robot.objects.filter(pk=delivery.robot_id).update(failures_in_a_row=0, last_error="")
        return
    final = delivery.attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
        claimed_at=None,
        next_attempt_at=now + datetime.timedelta(minutes=2 ** (delivery.attempts - 1)),
        response_code=status,
        response=answer,
    )
    logger.warning("Delivery %s failed (attempt %s): %s %s", delivery.pk, delivery.attempts, status, answer[:200])
    if delivery.robot is not None:
        _count_robot_failure(delivery.robot, now, f"{status or ''} {answer}".strip())


def _count_robot_failure(robot: Robot, now: datetime.datetime, error: str) -> None:
    Robot.objects.filter(pk=robot.pk).update(failures_in_a_row=F("failures_in_a_row") + 1, last_error=error[:500])
    paused = Robot.objects.filter(pk=robot.pk, is_active=True, failures_in_a_row__gte=ROBOT_PAUSE_AFTER).update(
        is_active=False, paused_at=now
    )
    if paused:
        notify(
            recipients=User.objects.filter(Q(is_staff=True) | Q(pk=robot.created_by_id), is_active=True),
            kind=Notification.Kind.ROBOT_PAUSED,
            event=f"robot-paused:{robot.pk}:{now.isoformat()}",
            url=reverse("integrations:robot_edit", args=[robot.pk]),
            excerpt=error,
            data={"robot": robot.name, "team": robot.team.name, "failures": ROBOT_PAUSE_AFTER},
        )


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Send what is due: new rows whose task was lost, retries whose wait is over, claims left by
    a dead worker. Returns how many were accepted. Safe to run from several workers at once."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .filter(Q(robot__is_active=True) | Q(subscription__is_active=True))
        .order_by("next_attempt_at", "pk")
    )
    return sum(deliver(delivery_id=pk, now=now) for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]))


def send_test(*, robot: Robot, actor: User) -> Delivery:
    """Send a test message to the robot now and return its delivery, with the platform's answer."""
    with translation.override(robot.language):
        message = Message(
            title=translation.gettext("Test message from Sales Weekly Reports"),
            lines=[
                translation.gettext("%(name)s set up this robot for %(team)s.")
                % {"name": actor.name_with_handle, "team": robot.team.name}
            ],
            link=absolute(reverse("home")),
        )
    now = timezone.now()
    delivery = Delivery.objects.create(
        robot=robot, event="test", key=f"test:{uuid.uuid4().hex}", body=message.as_json(), next_attempt_at=now
    )
    deliver(delivery_id=delivery.pk, now=now, is_test=True)
    delivery.refresh_from_db()
    return delivery


def redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again (a failed one, or one the receiver lost), with the same id."""
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, attempts=0, claimed_at=None, next_attempt_at=timezone.now()
    )
    transaction.on_commit(partial(queue, delivery.pk))
    delivery.refresh_from_db()
    return delivery
