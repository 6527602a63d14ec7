"""What the reports app tells the apps above it. Sent inside the writing transaction, so a
receiver's writes commit or roll back with the change itself."""

from django.dispatch import Signal

# A report's content was saved, or its status left or went back to draft (submitted, withdrawn):
# `report` (a WeeklyReport).
report_written = Signal()

# Reports were written in bulk, bypassing the services (the large demo): receivers rebuild what
# they derive from reports, feedback and comments.
reports_loaded = Signal()
