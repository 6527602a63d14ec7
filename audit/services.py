from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEntry


def _as_text(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(obj: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """The {field: [old, new]} of `fields` whose value on `obj` differs from `before`."""
    changes = {}
    for field in fields:
        old, new = before.get(field), getattr(obj, field)
        if old != new:
            changes[field] = [_as_text(old), _as_text(new)]
    return changes


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of `fields`, to compare against after a change."""
    return {field: getattr(obj, field) for field in fields}


def record(
    *,
    actor,
    action: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry to the audit trail; call inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_repr=str(target)[:200],
        changes=changes or {},
        note=note[:200],
    )
