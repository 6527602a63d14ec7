"""The sales log, for higher apps to hear about; sent after commit (reports.signals.send_on_commit)."""

from django.dispatch import Signal

# activity: the new Activity (author, team and customer loaded).
activity_created = Signal()
