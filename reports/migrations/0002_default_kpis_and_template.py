from django.db import migrations

KPIS = [
    # code, Chinese, English, unit, decimals, aggregation
    ("sales_amount", "销售额", "Sales amount", "cny", 2, "sum"),
    ("contracts_signed", "签约数", "Contracts signed", "count", 0, "sum"),
    ("visits", "客户拜访", "Customer visits", "count", 0, "sum"),
    ("calls", "电话沟通", "Calls", "count", 0, "sum"),
    ("new_customers", "新客户", "New customers", "count", 0, "sum"),
    ("payments_collected", "回款", "Payments collected", "cny", 2, "sum"),
]


def create_defaults(apps, schema_editor):
    KPI = apps.get_model("reports", "KPI")
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    TemplateVersion = apps.get_model("reports", "TemplateVersion")
    TemplateKPI = apps.get_model("reports", "TemplateKPI")
    kpis = []
    for position, (code, zh, en, unit, decimals, aggregation) in enumerate(KPIS):
        kpi, _ = KPI.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "unit": unit, "decimals": decimals, "aggregation": aggregation,
            "position": position,
        })
        kpis.append(kpi)
    template, created = ReportTemplate.objects.get_or_create(name="标准销售周报")
    if created:
        version = TemplateVersion.objects.create(
            template=template, number=1, sections=["review", "kpis", "problems", "plan", "custom"], fields=[]
        )
        TemplateKPI.objects.bulk_create(TemplateKPI(version=version, kpi=kpi, position=i) for i, kpi in enumerate(kpis))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
