"""The built-in instruments (trellis/surveys/builtin.py), shared read-only by every system."""

from django.db import migrations


def install(apps, schema_editor):
    from trellis.surveys.builtin import INSTRUMENTS

    Instrument = apps.get_model("surveys", "Instrument")
    Item = apps.get_model("surveys", "Item")
    for spec in INSTRUMENTS:
        instrument, created = Instrument.objects.get_or_create(
            system=None, code=spec.code, defaults={"title": spec.title, "measures": spec.measures}
        )
        if created:
            Item.objects.bulk_create(
                Item(
                    instrument=instrument,
                    code=code,
                    text=text,
                    scale=scale,
                    subscale=subscale,
                    reverse=reverse,
                    position=position,
                )
                for position, (code, text, scale, subscale, reverse) in enumerate(spec.items)
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
