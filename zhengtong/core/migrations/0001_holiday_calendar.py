"""The holiday calendar moves from permits to core, its tables kept as they are: this migration
only tells Django's state that core owns them (permits 0006 lets go of them), and moves the content
types so that admin log entries and permissions follow."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("holidayoverride", "historicalholidayoverride")


def move_content_types(apps, schema_editor, source="permits", target="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="core", target="permits")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("permits", "0005_application_documents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="HolidayOverride",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True, verbose_name="day")),
                        ("kind", models.CharField(choices=[("holiday", "Statutory holiday"), ("workday", "Make-up working day")], max_length=8, verbose_name="kind")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "holiday calendar entry",
                        "verbose_name_plural": "holiday calendar entries",
                        "db_table": "permits_holidayoverride",
                        "ordering": ["day"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalHolidayOverride",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("day", models.DateField(db_index=True, verbose_name="day")),
                        ("kind", models.CharField(choices=[("holiday", "Statutory holiday"), ("workday", "Make-up working day")], max_length=8, verbose_name="kind")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical holiday calendar entry",
                        "verbose_name_plural": "historical holiday calendar entries",
                        "db_table": "permits_historicalholidayoverride",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
