"""What happens to reports, for higher apps to hear about (integrations: robots and webhooks).

Each signal is sent after the transaction that made the change commits, so a rolled-back change
tells nobody; receivers get the saved objects as keyword arguments. A receiver that fails is
logged and does not fail the change, which has already been saved.
"""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# report: the submitted WeeklyReport; first: a first submission (not a resubmission).
report_submitted = Signal()
# report: the WeeklyReport; reviewer: the User; reason: what the author should change.
report_returned = Signal()
# report: the WeeklyReport; reviewer: the User; feedback: the Feedback given.
report_reviewed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(_send, signal, sender, kwargs))


def _send(signal: Signal, sender, kwargs: dict) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("%s failed on %s", receiver, signal, exc_info=result)
