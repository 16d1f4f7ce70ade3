"""Load the 112 rows of the 2019 classification catalogue from permits/data (see SOURCES.md).

Reversible: going back removes the 2019 rows."""

from django.db import migrations

from zhengtong.permits.refdata import load_catalogue_entries


def load(apps, schema_editor):
    load_catalogue_entries(apps.get_model("permits", "CatalogueEntry"))


def unload(apps, schema_editor):
    apps.get_model("permits", "CatalogueEntry").objects.filter(version="2019").delete()


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
