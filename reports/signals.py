"""What happens to reports, for higher apps to hear about (integrations: robots and webhooks).

Each signal is sent after the transaction that made the change commits, so a rolled-back change
tells nobody; receivers get the saved objects as keyword arguments.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

# report: the submitted WeeklyReport; first: a first submission (not a resubmission).
report_submitted = Signal()
# report: the WeeklyReport; reviewer: the User; reason: what the author should change.
report_returned = Signal()
# report: the WeeklyReport; reviewer: the User; feedback: the Feedback given.
report_reviewed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(signal.send, sender=sender, **kwargs))
