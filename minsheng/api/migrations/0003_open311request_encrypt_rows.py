"""Encrypt the Open311 device and account ids already stored; the reverse decrypts them."""

from django.db import migrations

from minsheng.lib.crypto import columns_rewrite

COLUMNS = ["device_id", "account_id"]


def encrypt(apps, schema_editor):
    table = apps.get_model("api", "Open311Request")._meta.db_table
    columns_rewrite(schema_editor.connection, table=table, columns=COLUMNS, seal=True)


def decrypt(apps, schema_editor):
    table = apps.get_model("api", "Open311Request")._meta.db_table
    columns_rewrite(schema_editor.connection, table=table, columns=COLUMNS, seal=False)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_open311request_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
