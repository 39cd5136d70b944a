from typing import Any

from django.db import migrations, models


def disambiguate_codes(apps: Any, schema_editor: Any) -> None:
    """Before codes become unique per version, a repeated code gets a suffix (“1.A (2)”) so that
    existing data migrates; nothing else changes."""
    item_model = apps.get_model("frameworks", "FrameworkItem")
    seen: set[tuple[int, str]] = set()
    renamed = []
    for item in item_model.objects.exclude(human_coding_scheme="").order_by("version_id", "pk"):
        key = (item.version_id, item.human_coding_scheme)
        if key in seen:
            n = 2
            while (item.version_id, f"{item.human_coding_scheme[:190]} ({n})") in seen:
                n += 1
            item.human_coding_scheme = f"{item.human_coding_scheme[:190]} ({n})"
            renamed.append(item)
        seen.add((item.version_id, item.human_coding_scheme))
    item_model.objects.bulk_update(renamed, ["human_coding_scheme"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0002_rating"),
    ]

    operations = [
        migrations.RunPython(disambiguate_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="frameworkitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("human_coding_scheme", ""), _negated=True),
                fields=("version", "human_coding_scheme"),
                name="item_code_key",
            ),
        ),
    ]
