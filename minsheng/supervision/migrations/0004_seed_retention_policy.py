"""The one retention policy row: closed cases archived after 30 days, complainants'
personal data anonymised 5 years after the case closed."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("supervision", "RetentionPolicy").objects.get_or_create(
        pk=1, defaults={"archive_after_days": 30, "anonymise_after_years": 5}
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "RetentionPolicy").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_retention_policy")]

    operations = [migrations.RunPython(seed, unseed)]
