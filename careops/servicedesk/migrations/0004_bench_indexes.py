"""An index for the ticket list filtered by priority (bench/sla_recompute_db.py: at a
million tickets the count of a priority filter was a full scan)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0003_mail_reply_channel"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["priority", "opened_at"],
                               name="ticket_bench_priority_opened"),
        ),
    ]
