"""ImportRun now belongs to the imports app (same table): drop it from rosters' state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rosters", "0002_remove_enrollment_enrollment_one_member_and_more"),
        ("imports", "0001_importrun_moved_from_rosters"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRun")],
            database_operations=[],
        ),
    ]
