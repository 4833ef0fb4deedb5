# Each variant may be linked to the marketing data's campaign or ad set its counts are read from.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("experiments", "0003_sequential_method_and_correction"),
    ]

    operations = [
        migrations.AddField(
            model_name="experiment",
            name="data_trials",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="experiment",
            name="data_successes",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="variant",
            name="data_source",
            field=models.CharField(blank=True, default="", max_length=12),
        ),
        migrations.AddField(
            model_name="variant",
            name="data_campaign",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="variant",
            name="data_ad_set",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
