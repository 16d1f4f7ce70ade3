"""Facts per industry line (issue 17 §3): the facts a unit declared as one set move to the line
whose rows ask them.

The facts of the whole fixed source (the rules file's ``unit_facts``) stay in ``facts``. Every other
fact goes to ``lines[code]`` for each of the unit's industry codes whose catalogue rows (or row 108,
for a code no row names) ask it: before, every line read it, so each line that reads it keeps the
value it read, and each unit keeps its class and its open points' keys. A fact none of the unit's
lines asks (declared under industries since changed) goes to every line, so nothing is lost and a
later change of industry reads it as before. Keys the catalogue does not know stay where they are.
"""

from django.db import migrations, models


def split(apps, schema_editor):
    from zhengtong.permits.catalogue import OTHER_INDUSTRIES_ROW, load_catalogue

    catalogue = load_catalogue()
    UnitFacts = apps.get_model("permits", "UnitFacts")
    Unit = apps.get_model("registry", "Unit")
    batch = []
    for record in UnitFacts.objects.exclude(facts={}).iterator(chunk_size=2000):
        keep, per_line = {}, {}
        for key, value in record.facts.items():
            (per_line if catalogue.is_line_fact(key) else keep)[key] = value
        if not per_line:
            continue
        unit = Unit.objects.get(pk=record.unit_id)
        codes = [unit.industry.code, *sorted(i.code for i in unit.other_industries.all())]
        lines: dict = {code: {} for code in codes}
        unread = dict(per_line)
        for code in codes:
            asked = {k for n in (catalogue.rows_for(code) or (OTHER_INDUSTRIES_ROW,)) for k in catalogue.rows[n].facts}
            for key, value in per_line.items():
                if key.partition("__")[0] in asked:
                    lines[code][key] = value
                    unread.pop(key, None)
        for code in codes:
            lines[code].update({k: v for k, v in unread.items() if k not in lines[code]})
        record.facts, record.lines = keep, {c: f for c, f in lines.items() if f}
        batch.append(record)
        if len(batch) >= 500:
            UnitFacts.objects.bulk_update(batch, ["facts", "lines"])
            batch = []
    UnitFacts.objects.bulk_update(batch, ["facts", "lines"])


def join(apps, schema_editor):
    UnitFacts = apps.get_model("permits", "UnitFacts")
    for record in UnitFacts.objects.exclude(lines={}).iterator(chunk_size=2000):
        for own in record.lines.values():
            record.facts = {**own, **record.facts}
        record.lines = {}
        record.save(update_fields=["facts", "lines"])


class Migration(migrations.Migration):

    dependencies = [
        ("permits", "0008_enforcement_documents"),
        ("registry", "0010_inmate_release_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalunitfacts",
            name="lines",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts per industry line"),
        ),
        migrations.AddField(
            model_name="unitfacts",
            name="lines",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts per industry line"),
        ),
        migrations.RunPython(split, join),
    ]
