# Issue 12: the usual absence rate stored per school-day; the students who count towards chronic
# absence at more than one school (a set of schools counts them once); the students on each
# school-day's family-contact worklist.

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every school-day already rolled up: its usual figures, the transfers' rows and the
    contact roll-up (with its worklist count) a school year at a time (the same computations
    the imports run: attendance.rollups)."""
    from trellis.attendance.rollups import (
        contact_rollups_rebuild,
        school_year_end,
        transfer_rollups_rebuild,
        usual_refresh,
    )

    Daily = apps.get_model("attendance", "DailySchoolAttendance")
    School = apps.get_model("orgs", "School")
    for system_id in Daily.objects.values_list("system_id", flat=True).distinct().order_by():
        ids = list(School.objects.filter(system_id=system_id).values_list("pk", flat=True))
        days = Daily.objects.filter(system_id=system_id).order_by("date")
        first = days.values_list("date", flat=True).first()
        last = days.reverse().values_list("date", flat=True).first()
        if first is None or last is None:
            continue
        usual_refresh(school_ids=ids, start=first, end=last)
        while first is not None and first <= last:
            end = min(school_year_end(first), last)
            transfer_rollups_rebuild(system_id=system_id, start=first, end=end)
            contact_rollups_rebuild(system_id=system_id, start=first, end=end, school_ids=ids)
            first = days.filter(date__gt=end).values_list("date", flat=True).first()


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0006_merge_20261130_0258"),
        ("orgs", "0002_partner_name_unique_per_system"),
        ("students", "0004_school_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyschoolattendance",
            name="usual_absent",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dailyschoolattendance",
            name="usual_enrolled",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dailyschoolcontacts",
            name="on_worklist",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="DailyChronicTransfer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("grade", models.CharField(blank=True, max_length=8)),
                ("chronic", models.BooleanField(default=False)),
                (
                    "school",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.school",
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="students.student",
                    ),
                ),
                (
                    "system",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.system",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["system", "date"], name="chronic_transfer_system_day")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("school", "date", "student"), name="chronic_transfer_school_day"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
