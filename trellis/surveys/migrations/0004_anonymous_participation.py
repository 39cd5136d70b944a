"""Anonymous web answers keep no link to who gave them (docs/decisions.md, "anonymous web
answers keep no link"): the respondent key goes, and with it the submissions' moments.

Who answered an anonymous administration before this migration is found where it still can be:
the old key was HMAC-SHA256("surveys:<administration>:<person>") under SECRET_KEY, so with the
same SECRET_KEY each person of the administration's system is tried once, and a match becomes a
Participation (answered: not asked again), created in the people's order with a random key, never
in the answers' order. A submitted answer whose key matches nobody (SECRET_KEY changed since)
keeps its answers without a Participation: that person may answer once more (said in the
decision). A draft's key becomes its person (drafts hold their person until submitted); a draft
that matches nobody is deleted. Migration 0005 then drops the keys and the moments (apart, since
PostgreSQL does not alter a table with pending trigger events in the transaction that wrote it).
"""

import hashlib
import hmac
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _key(administration_id, person_id):
    message = f"surveys:{administration_id}:{person_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def keys_to_participations(apps, schema_editor):
    Submission = apps.get_model("surveys", "Submission")
    Participation = apps.get_model("surveys", "Participation")
    Person = apps.get_model("people", "Person")
    keyed = Submission.objects.exclude(respondent_key="")
    keyed.update(source="web")
    by_administration = {}
    for sub in keyed.select_related("administration"):
        by_administration.setdefault(sub.administration, {})[sub.respondent_key] = sub
    for administration, subs in by_administration.items():
        people = Person.objects.filter(system_id=administration.system_id).order_by("pk")
        matched = set()
        for person_id in people.values_list("pk", flat=True).iterator():
            sub = subs.get(_key(administration.pk, person_id))
            if sub is None:
                continue
            matched.add(sub.pk)
            if sub.submitted_at is None:
                Submission.objects.filter(pk=sub.pk).update(person_id=person_id)
            else:
                Participation.objects.create(administration=administration, person_id=person_id)
        unmatched_drafts = [
            s.pk for s in subs.values() if s.pk not in matched and s.submitted_at is None
        ]
        Submission.objects.filter(pk__in=unmatched_drafts).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_person_active"),
        ("surveys", "0003_web_answers"),
    ]

    operations = [
        migrations.CreateModel(
            name="Participation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "administration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participations",
                        to="surveys.administration",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.person",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                fields=("administration", "person"), name="participation_once_per_person"
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="source",
            field=models.CharField(
                choices=[("file", "A response file"), ("web", "The web form")],
                default="file",
                max_length=4,
            ),
        ),
        migrations.RunPython(keys_to_participations, migrations.RunPython.noop),
    ]
