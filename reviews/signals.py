"""Feedback and comments, for the apps above to hear about.

`comment_created` is sent after commit (reports.signals.send_on_commit) for receivers that reach
outside (integrations); `feedback_given` and `comment_written` are sent inside the writing
transaction for receivers that keep something derived in the database (search's index).
"""

from django.dispatch import Signal

# After commit. comment: the new Comment (its report and author loaded).
comment_created = Signal()

# In the transaction. Feedback was given on a report: `feedback` (a Feedback, its goals saved).
feedback_given = Signal()
# In the transaction. A comment was posted, edited or removed: `comment` (a Comment;
# `deleted_at` is set once removed).
comment_written = Signal()
