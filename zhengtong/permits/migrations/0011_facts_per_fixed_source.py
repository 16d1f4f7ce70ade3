"""Facts, classes and reviewers' decisions keyed by fixed source (issue 17 §3): a permit belongs to
one fixed source (one unit at one location), and two locations of a unit can differ.

Until now a unit declared one set of facts, which every one of its fixed sources read, and had one
class. Each record moves to source 1 (001), and a unit that already numbered other fixed sources
gets the same facts, class and decisions for each of them: each source reads what it read before,
so no class changes. The unit's clerk then corrects a source's facts where they differ."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_to_sources(apps, schema_editor):
    FixedSource = apps.get_model("permits", "FixedSource")
    models_ = [apps.get_model("permits", name) for name in ("UnitFacts", "Classification", "ReadingDecision")]
    others: dict[int, list[int]] = {}
    for unit_id, sequence in FixedSource.objects.exclude(sequence=1).values_list("unit_id", "sequence"):
        others.setdefault(unit_id, []).append(sequence)
    for model in models_:
        copies = []
        for record in model.objects.filter(unit_id__in=list(others), source=1).iterator(chunk_size=2000):
            for sequence in others[record.unit_id]:
                record.pk, record.source = None, sequence
                copies.append(model(**{f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields}))
        model.objects.bulk_create(copies, batch_size=500)


def keep_first(apps, schema_editor):
    for name in ("UnitFacts", "Classification", "ReadingDecision"):
        apps.get_model("permits", name).objects.exclude(source=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('permits', '0010_application_form'),
        ('registry', '0010_inmate_release_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='readingdecision',
            name='reading_decision_once_per_point',
        ),
        migrations.AddField(
            model_name='classification',
            name='source',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='fixed source'),
        ),
        migrations.AddField(
            model_name='fixedsource',
            name='industry_codes',
            field=models.JSONField(blank=True, default=list, verbose_name='industries at this location'),
        ),
        migrations.AddField(
            model_name='historicalreadingdecision',
            name='source',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='fixed source'),
        ),
        migrations.AddField(
            model_name='historicalunitfacts',
            name='source',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='fixed source'),
        ),
        migrations.AddField(
            model_name='readingdecision',
            name='source',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='fixed source'),
        ),
        migrations.AddField(
            model_name='unitfacts',
            name='source',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='fixed source'),
        ),
        migrations.AlterField(
            model_name='classification',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='classifications', to='registry.unit', verbose_name='unit'),
        ),
        migrations.AlterField(
            model_name='unitfacts',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='discharge_facts', to='registry.unit', verbose_name='unit'),
        ),
        migrations.AddConstraint(
            model_name='classification',
            constraint=models.UniqueConstraint(fields=('unit', 'source'), name='classification_once_per_source'),
        ),
        migrations.AddConstraint(
            model_name='readingdecision',
            constraint=models.UniqueConstraint(fields=('unit', 'source', 'key'), name='reading_decision_once_per_point'),
        ),
        migrations.AddConstraint(
            model_name='unitfacts',
            constraint=models.UniqueConstraint(fields=('unit', 'source'), name='unit_facts_once_per_source'),
        ),
        migrations.RunPython(copy_to_sources, keep_first),
    ]
