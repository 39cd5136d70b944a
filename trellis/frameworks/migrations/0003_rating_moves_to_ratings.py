"""The Rating model moves to the ratings app. Its table (frameworks_rating) and rows stay where
they are: this migration only removes the model from the frameworks app's state, and
ratings.0001 adds it to the ratings app's state with the same table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_rating")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Rating")],
            database_operations=[],
        )
    ]
