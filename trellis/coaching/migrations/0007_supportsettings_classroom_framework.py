import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0006_backfill_tier_history"),
        ("frameworks", "0004_merge_20261129_1327"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportsettings",
            name="classroom_framework",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="frameworks.framework",
            ),
        ),
    ]
