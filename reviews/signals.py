"""What the reviews app tells the apps above it. Sent inside the writing transaction."""

from django.dispatch import Signal

# Feedback was given on a report: `feedback` (a Feedback, its goals saved).
feedback_given = Signal()

# A comment was posted, edited or removed: `comment` (a Comment; `deleted_at` is set once removed).
comment_written = Signal()
