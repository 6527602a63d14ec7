"""What happens to reports, for the apps above to hear about.

Two kinds of signal:
- sent after the transaction that made the change commits (`send_on_commit`), for receivers that
  reach outside (integrations: robots and webhooks). A rolled-back change tells nobody; a receiver
  that fails is logged and does not fail the change, which has already been saved.
- sent inside the writing transaction (`report_written`, `reports_loaded`), for receivers that
  keep something derived in the same database (search: its index), so their writes commit or roll
  back with the change itself.
"""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# After commit. report: the submitted WeeklyReport; first: a first submission (not a resubmission).
report_submitted = Signal()
# After commit. report: the WeeklyReport; reviewer: the User; reason: what the author should change.
report_returned = Signal()
# After commit. report: the WeeklyReport; reviewer: the User; feedback: the Feedback given.
report_reviewed = Signal()

# In the transaction. A report's content was saved, or its status left or went back to draft
# (submitted, withdrawn): `report` (a WeeklyReport).
report_written = Signal()
# In the transaction. Reports were written in bulk, bypassing the services (the large demo):
# receivers rebuild what they derive from reports, feedback and comments.
reports_loaded = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(_send, signal, sender, kwargs))


def _send(signal: Signal, sender, kwargs: dict) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("%s failed on %s", receiver, signal, exc_info=result)
