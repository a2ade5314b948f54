"""Encrypt the personal data already stored (complainants, attachments' file names) and fill
the keyed hashes of names and e-mail addresses; the reverse writes the clear text back.

The normalisation of the hashed values is copied here as it was when this migration was
written (`cases.services.name_hash`/`email_hash`), as migrations never import app code.
"""

import re
import unicodedata

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

from minsheng.lib.crypto import decrypt_text, encrypt_text

BATCH = 500
COLUMNS = {
    "Complainant": ["name", "phone", "email", "id_number", "address"],
    "Attachment": ["original_name"],
}
_SPACE = re.compile(r"\s+")


def _hash(value, purpose):
    return salted_hmac(purpose, value, secret=settings.HASH_KEY, algorithm="sha256").hexdigest()


def _name_hash(name):
    clean = _SPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()
    return _hash(clean, "minsheng.complainant.name") if clean else ""


def _email_hash(email):
    clean = email.strip().lower()
    return _hash(clean, "minsheng.complainant.email") if clean else ""


def _rewrite(apps, schema_editor, model_name, transform, hashes):
    model = apps.get_model("cases", model_name)
    table = schema_editor.connection.ops.quote_name(model._meta.db_table)
    columns = COLUMNS[model_name]
    quoted = [schema_editor.connection.ops.quote_name(c) for c in columns]
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                f"SELECT id, {', '.join(quoted)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608 - names from the model
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            for pk, *values in rows:
                clear = [decrypt_text(v) if v else v for v in values]
                sets = [f"{q} = %s" for q in quoted]
                params = [transform(v) if v else v for v in clear]
                if hashes:
                    by_name = dict(zip(columns, clear, strict=True))
                    sets += ["name_hash = %s", "email_hash = %s"]
                    params += [
                        _name_hash(by_name["name"] or ""),
                        _email_hash(by_name["email"] or ""),
                    ]
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608 - names from the model
                    [*params, pk],
                )
                last = pk


def encrypt(apps, schema_editor):
    _rewrite(apps, schema_editor, "Complainant", encrypt_text, hashes=True)
    _rewrite(apps, schema_editor, "Attachment", encrypt_text, hashes=False)


def decrypt(apps, schema_editor):
    _rewrite(apps, schema_editor, "Complainant", lambda v: v, hashes=False)
    _rewrite(apps, schema_editor, "Attachment", lambda v: v, hashes=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_complainant_encrypted_hashes"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
