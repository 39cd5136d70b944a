from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0002_evaluation_rounds_run_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="acknowledged_on_paper",
            field=models.BooleanField(default=False),
        ),
    ]
