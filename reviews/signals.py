"""Comments, for higher apps to hear about; sent after commit (reports.signals.send_on_commit)."""

from django.dispatch import Signal

# comment: the new Comment (its report and author loaded).
comment_created = Signal()
