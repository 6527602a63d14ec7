"""What a reminder tick delivered, for higher apps (team chat robots) to turn into one message per
team and event. Sent after the tick's transaction commits, with the same holiday and leave rules
already applied: people on leave or on a day off are not among the reminders."""

from django.dispatch import Signal

# reminders: the Reminder rows this tick delivered (recipient and team loaded); now: the tick's time.
reminders_delivered = Signal()
