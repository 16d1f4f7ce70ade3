"""The access log (issue 15): one row per view of health data, who, when, whose, where from."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_holiday_calendar'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('username', models.CharField(max_length=150, verbose_name='username')),
                ('via', models.CharField(blank=True, help_text='The API token or gate device the view was made with, if any.', max_length=120, verbose_name='token or device')),
                ('kind', models.CharField(choices=[('id_number', 'Unmasked ID number'), ('health', 'Temperatures and health checks'), ('entries', 'Entry log'), ('case', 'Case'), ('trace', 'Contact trace')], max_length=16, verbose_name='kind of data')),
                ('subject_type', models.CharField(choices=[('person', 'Person'), ('site', 'Site'), ('list', 'List'), ('case', 'Case')], max_length=16, verbose_name='whose data (kind)')),
                ('subject_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='whose data (id)')),
                ('subject', models.CharField(max_length=200, verbose_name='whose data')),
                ('detail', models.CharField(blank=True, help_text='For a list: its filter and page.', max_length=300, verbose_name='detail')),
                ('path', models.CharField(max_length=300, verbose_name='page or endpoint')),
                ('route', models.CharField(blank=True, max_length=120, verbose_name='route')),
                ('address', models.CharField(blank=True, max_length=64, verbose_name='client address')),
                ('user', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'access record',
                'verbose_name_plural': 'access records',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['at'], name='access_at'), models.Index(fields=['user', 'at'], name='access_user_at'), models.Index(fields=['subject_type', 'subject_id', 'at'], name='access_subject_at'), models.Index(fields=['kind', 'at'], name='access_kind_at')],
            },
        ),
    ]
