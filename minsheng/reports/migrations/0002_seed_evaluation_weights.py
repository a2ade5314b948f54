"""Seed the department evaluation's weights (editable in the admin afterwards).

Rates share 100 points: timeliness 40, resolution 30, satisfaction 30. Each case counted
deducts: returned as not ours 0.5, extended 0.2, urged or supervised 1, circulated 5.
"""

from decimal import Decimal

from django.db import migrations

WEIGHTS = {
    "timeliness": Decimal("40"),
    "resolution": Decimal("30"),
    "satisfaction": Decimal("30"),
    "returns": Decimal("0.5"),
    "extensions": Decimal("0.2"),
    "notices": Decimal("1"),
    "circulations": Decimal("5"),
}


def seed(apps, schema_editor):
    EvaluationWeight = apps.get_model("reports", "EvaluationWeight")
    for part, weight in WEIGHTS.items():
        EvaluationWeight.objects.get_or_create(part=part, defaults={"weight": weight})


def unseed(apps, schema_editor):
    EvaluationWeight = apps.get_model("reports", "EvaluationWeight")
    EvaluationWeight.objects.filter(part__in=list(WEIGHTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_evaluation_weights_and_exports")]

    operations = [migrations.RunPython(seed, unseed)]
