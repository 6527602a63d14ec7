"""Events put in words, for notifications and the pages that show the same facts."""

from django.utils.translation import gettext as _


def duration_text(delta) -> str:
    """How late, in words: "1 d 2 h 5 min" / "1天 2小时 5分钟"."""
    if delta is None:
        return ""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)
