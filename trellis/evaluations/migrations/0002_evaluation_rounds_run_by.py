from django.db import migrations


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Evaluation rounds made before `run_by` existed are run from the evaluation pages too."""
    Evaluation = apps.get_model("evaluations", "Evaluation")
    RatingRound = apps.get_model("ratings", "RatingRound")
    RatingRound.objects.filter(pk__in=Evaluation.objects.values("round_id"), run_by="").update(
        run_by="evaluations"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_evaluation_cycles"),
        ("ratings", "0003_round_run_by"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
