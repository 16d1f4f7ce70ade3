"""Indexes for the count of overdue difficulties on the resumption overview (selectors.overdue_q: reported
past the acceptance date, or waiting past the resolution date): the city's is an index-only scan instead of
reading each of the 100,000 difficulties of the benchmark from the table (46 -> 20 ms under load); a
county's, an index-only probe from each of its units instead of a hash join over all of them (~100 -> ~45 ms
under load)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("resumption", "0008_instruction_event_due_on"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="difficulty",
            index=models.Index(fields=["status", "resolve_due", "accept_due"], name="difficulty_status_due"),
        ),
        migrations.AddIndex(
            model_name="difficulty",
            index=models.Index(fields=["unit", "status", "resolve_due", "accept_due"], name="difficulty_unit_overdue"),
        ),
    ]
