"""The per-case summary keeps the handling time in working days: read every event again on the next
`facts_refresh` (a page, the watch or `manage.py stats_refresh`) so each row gets them."""

from django.db import migrations


def reread(apps, schema_editor):
    FactCursor = apps.get_model("reports", "FactCursor")
    FactCursor.objects.update(last_event_id=0)


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_case_fact_handling_days")]

    # Backwards: nothing to undo, the summary is rebuilt from the timeline anyway.
    operations = [migrations.RunPython(reread, migrations.RunPython.noop)]
