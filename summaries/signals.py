"""Documents, for higher apps to hear about; sent after the file is stored."""

from django.dispatch import Signal

# document: the Document whose file is ready (team weekly summaries among others).
document_ready = Signal()
