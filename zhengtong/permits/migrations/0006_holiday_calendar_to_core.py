"""The holiday calendar now belongs to core (core 0001 takes its tables as they are): permits lets
go of it in Django's state only; nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0005_application_documents"),
        ("core", "0001_holiday_calendar"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="HistoricalHolidayOverride"),
                migrations.DeleteModel(name="HolidayOverride"),
            ],
        ),
    ]
