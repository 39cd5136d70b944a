"""Rating joins the ratings app with the table it has had since frameworks.0002 (no data is
copied: the state moves, the table stays)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("frameworks", "0003_rating_moves_to_ratings"),
        ("orgs", "0001_initial"),
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Rating",
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
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("selection", "Selection"),
                                    ("progress", "Progress monitoring"),
                                    ("evaluation", "Evaluation"),
                                    ("conditions", "School conditions"),
                                    ("self_assessment", "Self-assessment"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("rater_label", models.CharField(max_length=254)),
                        ("rated_on", models.DateField()),
                        ("evidence", models.TextField(blank=True)),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="ratings",
                                to="frameworks.frameworkitem",
                            ),
                        ),
                        (
                            "level",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="frameworks.performancelevel",
                            ),
                        ),
                        (
                            "rater",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "subject_person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                        (
                            "subject_school",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.school",
                            ),
                        ),
                        (
                            "subject_system",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.system",
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
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="frameworks.frameworkversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "frameworks_rating",
                        "ordering": ["rated_on", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["subject_person", "purpose", "rated_on"],
                                name="rating_person",
                            ),
                            models.Index(
                                fields=["subject_school", "purpose", "rated_on"],
                                name="rating_school",
                            ),
                            models.Index(
                                fields=["system", "purpose", "rated_on"], name="rating_system"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("subject_person__isnull", False),
                                        ("subject_school__isnull", True),
                                        ("subject_system__isnull", True),
                                    ),
                                    models.Q(
                                        ("subject_person__isnull", True),
                                        ("subject_school__isnull", False),
                                        ("subject_system__isnull", True),
                                    ),
                                    models.Q(
                                        ("subject_person__isnull", True),
                                        ("subject_school__isnull", True),
                                        ("subject_system__isnull", False),
                                    ),
                                    _connector="OR",
                                ),
                                name="rating_one_subject",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
