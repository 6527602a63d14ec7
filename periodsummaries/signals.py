"""Signals the periodsummaries app sends, for higher apps (integrations: chat robots and webhooks)
to connect to in their AppConfig.ready(). All are sent after the transaction commits
(reports.signals.send_on_commit)."""

from django.dispatch import Signal

# summary: the submitted PeriodSummary; first: a first submission (not a resubmission).
summary_submitted = Signal()
# summary: the PeriodSummary; reviewer: the User; reason: what the author should change.
summary_returned = Signal()
# summary: the PeriodSummary; reviewer: the User; feedback: the SummaryFeedback given.
summary_reviewed = Signal()
