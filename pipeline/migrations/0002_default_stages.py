from django.db import migrations

STAGES = [
    ("线索", 10, False, False),
    ("需求确认", 25, False, False),
    ("方案报价", 50, False, False),
    ("商务谈判", 75, False, False),
    ("赢单", 100, True, False),
    ("输单", 0, False, True),
]
SOURCES = ["展会", "转介绍", "线上", "陌生拜访"]


def add_defaults(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    LeadSource = apps.get_model("pipeline", "LeadSource")
    if not Stage.objects.exists():
        for position, (name, probability, won, lost) in enumerate(STAGES):
            Stage.objects.create(name=name, probability=probability, position=position, is_won=won, is_lost=lost)
    if not LeadSource.objects.exists():
        for position, name in enumerate(SOURCES):
            LeadSource.objects.create(name=name, position=position)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
