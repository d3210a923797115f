"""Database triggers that keep audit records append-only (see careops.core.dbtriggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from careops.core import dbtriggers

    for sql in (dbtriggers.drop_statements(schema_editor.connection.vendor)
                + dbtriggers.create_statements(schema_editor.connection.vendor)):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    from careops.core import dbtriggers

    for sql in dbtriggers.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_notifications"),
    ]

    operations = [
        # MySQL/MariaDB cannot run DDL inside a transaction.
        migrations.RunPython(install, uninstall, atomic=False, elidable=False),
    ]
