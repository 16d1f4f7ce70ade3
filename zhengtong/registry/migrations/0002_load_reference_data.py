"""Load GB/T 2260 regions and GB/T 4754-2017 industries from registry/data (see SOURCES.md).

Reversible: going back removes the rows this migration added."""

from django.db import migrations

from zhengtong.registry.refdata import load_tree


def load(apps, schema_editor):
    load_tree(apps.get_model("registry", "Region"), "regions-hengyang.csv", ("name", "level"))
    load_tree(apps.get_model("registry", "Industry"), "gbt4754-2017.csv", ("name", "level"))


def unload(apps, schema_editor):
    for name in ("Industry", "Region"):
        model = apps.get_model("registry", name)
        for level in ("class", "group", "division", "section", "county", "county_city", "district",
                      "city", "prefecture", "province"):
            model.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
