"""The audit trail page (admins): the entries audit.services records, read through the access policy."""

from django.core.paginator import Paginator
from django.shortcuts import render

from audit.models import AuditEntry
from teams import access

ENTRIES_PER_PAGE = 50


def entry_list(request):
    access.require_audit_access(request.user)
    entries = AuditEntry.objects.select_related("actor", "target_type")
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(target_repr__icontains=query)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "actions": AuditEntry.Action.choices,
            "action": action,
            "query": query,
        },
    )
