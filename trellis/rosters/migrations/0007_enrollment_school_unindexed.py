import django.db.models.deletion
from django.db import migrations, models

from trellis.core.schema import drop_field_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_partner_name_unique_per_system"),
        ("rosters", "0006_enrollment_system_unchecked"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enrollment",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.school",
                    ),
                ),
            ],
            database_operations=[drop_field_indexes(("rosters", "enrollment", "school"))],
        ),
    ]
