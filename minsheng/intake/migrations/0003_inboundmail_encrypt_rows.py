"""Encrypt the raw e-mails and their senders already stored; the reverse decrypts them."""

from django.db import migrations

from minsheng.lib.crypto import columns_rewrite

COLUMNS = ["raw", "envelope_from", "sender"]


def encrypt(apps, schema_editor):
    table = apps.get_model("intake", "InboundMail")._meta.db_table
    columns_rewrite(schema_editor.connection, table=table, columns=COLUMNS, seal=True)


def decrypt(apps, schema_editor):
    table = apps.get_model("intake", "InboundMail")._meta.db_table
    columns_rewrite(schema_editor.connection, table=table, columns=COLUMNS, seal=False)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_inboundmail_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
