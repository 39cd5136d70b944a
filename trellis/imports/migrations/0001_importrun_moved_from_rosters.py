"""ImportRun moves from rosters to imports: the model's state only; its table stays
rosters_importrun, so no row moves and nothing is locked."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0001_initial"),
        ("rosters", "0002_remove_enrollment_enrollment_one_member_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("oneroster", "OneRoster bundle"),
                                    ("people_csv", "People CSV"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Waiting to start"),
                                    ("checking", "Checking the file"),
                                    ("ready", "Checked: ready to commit"),
                                    ("rejected", "Rejected: nothing was written"),
                                    ("committing", "Writing the changes"),
                                    ("done", "Committed"),
                                    ("failed", "Failed: nothing was written"),
                                    ("discarded", "Discarded without changes"),
                                ],
                                default="queued",
                                max_length=20,
                            ),
                        ),
                        ("source_name", models.CharField(max_length=255)),
                        ("source_path", models.CharField(max_length=1000)),
                        ("file_digest", models.CharField(blank=True, max_length=64)),
                        ("oneroster_version", models.CharField(blank=True, max_length=10)),
                        ("mode", models.CharField(blank=True, max_length=10)),
                        ("created_by_label", models.CharField(max_length=254)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("checked_at", models.DateTimeField(blank=True, null=True)),
                        ("committed_at", models.DateTimeField(blank=True, null=True)),
                        ("progress_done", models.PositiveIntegerField(default=0)),
                        ("progress_total", models.PositiveIntegerField(default=0)),
                        ("progress_label", models.CharField(blank=True, max_length=200)),
                        ("summary", models.JSONField(blank=True, default=dict)),
                        ("errors", models.JSONField(blank=True, default=list)),
                        ("error_count", models.PositiveIntegerField(default=0)),
                        ("notes", models.JSONField(blank=True, default=list)),
                        ("seconds", models.FloatField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.system",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "db_table": "rosters_importrun",
                        "indexes": [
                            models.Index(fields=["system", "-created_at"], name="importrun_system")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
