import pytest

from reports.models import KPI


@pytest.fixture
def kpis(db):
    return {
        "sales": KPI.objects.get(code="sales_amount"),
        "satisfaction": KPI.objects.create(
            code="satisfaction", name_zh="满意度", name_en="Satisfaction", aggregation="average"
        ),
        "pipeline": KPI.objects.create(code="pipeline", name_zh="商机", name_en="Pipeline", aggregation="latest"),
    }
