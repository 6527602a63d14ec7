"""Display names become unique within the company, compared by name_key (issue 16, finding 10).

People who already share a name (in any case or width) keep it with their username added, oldest
account first untouched: "王伟" and "王伟 (wangwei2)". Admins can rename them afterwards.
"""

import unicodedata

from django.db import migrations, models

NAME_MAX_LENGTH = 100


def name_key(name: str) -> str:  # frozen copy of teams.models.name_key
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")


def fill_keys(apps, schema_editor):
    User = apps.get_model("teams", "User")
    taken = set()
    for user in User.objects.order_by("pk").only("pk", "username", "display_name"):
        name = user.display_name
        key = name_key(name or user.username)
        if key in taken:
            suffix = f" ({user.username})"
            name = name[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
            key = name_key(name)
            if key in taken:
                suffix = f" ({user.username} {user.pk})"
                name = name[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
                key = name_key(name)
        taken.add(key)
        User.objects.filter(pk=user.pk).update(display_name=name, name_key=key)


class Migration(migrations.Migration):
    dependencies = [("teams", "0004_working_calendar")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=150),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("name_key",), name="user_name_unique", violation_error_message="Another person already uses this name."
            ),
        ),
    ]
