# Operations: service heartbeats (/readyz) and run tallies (/metrics counters).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('runs', '0005_syncstate_synced_spec_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='RunTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('partial', 'Succeeded with errors'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=20, unique=True)),
                ('runs', models.PositiveBigIntegerField(default=0)),
                ('salesforce_calls', models.PositiveBigIntegerField(default=0)),
                ('smartsheet_calls', models.PositiveBigIntegerField(default=0)),
                ('timed', models.PositiveBigIntegerField(default=0)),
                ('duration_seconds', models.FloatField(default=0.0)),
                ('le_1', models.PositiveBigIntegerField(default=0)),
                ('le_5', models.PositiveBigIntegerField(default=0)),
                ('le_15', models.PositiveBigIntegerField(default=0)),
                ('le_30', models.PositiveBigIntegerField(default=0)),
                ('le_60', models.PositiveBigIntegerField(default=0)),
                ('le_120', models.PositiveBigIntegerField(default=0)),
                ('le_300', models.PositiveBigIntegerField(default=0)),
                ('le_600', models.PositiveBigIntegerField(default=0)),
                ('le_1200', models.PositiveBigIntegerField(default=0)),
                ('le_1800', models.PositiveBigIntegerField(default=0)),
                ('le_3600', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='ServiceHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service', models.CharField(choices=[('scheduler', 'Scheduler tick'), ('listener', 'Real-time listener')], max_length=20, unique=True)),
                ('beat_at', models.DateTimeField()),
                ('worker', models.CharField(blank=True, max_length=120)),
            ],
        ),
    ]
