"""Anonymous web answers keep no link (after 0004 has turned the keys into Participations):
the respondent key goes, and submissions keep the day they were submitted, not the moment."""

from django.db import migrations, models


def days_only(apps, schema_editor):
    # PostgreSQL casts the column (timestamptz::date, in UTC); SQLite keeps the text it had.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "UPDATE surveys_submission SET submitted_at = substr(submitted_at, 1, 10) "
            "WHERE submitted_at IS NOT NULL"
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_anonymous_participation")]

    operations = [
        migrations.RemoveConstraint(model_name="submission", name="submission_once_per_key"),
        migrations.RemoveField(model_name="submission", name="respondent_key"),
        migrations.RemoveField(model_name="submission", name="created_at"),
        migrations.RemoveField(model_name="submission", name="updated_at"),
        migrations.AlterField(
            model_name="submission",
            name="submitted_at",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(days_only, migrations.RunPython.noop),
    ]
