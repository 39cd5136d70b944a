"""Schema changes that Django's own operations make too expensive on a big live table."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def drop_field_indexes(*fields: tuple[str, str, str]) -> migrations.RunPython:
    """Drop the single-column indexes of foreign keys (app label, model, field) that another
    index leading with the same column already serves.

    `AlterField(db_index=False)` would also drop and re-add each foreign key constraint, which
    re-checks every row of the table (millions of enrollments) under a lock; only the index has
    to go. Use it as the database half of a SeparateDatabaseAndState whose state half is the
    AlterField. Reversing recreates the index under Django's own name.
    """

    def targets(apps: Any, schema_editor: Any) -> list[tuple[Any, Any]]:
        found = []
        for app_label, model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            found.append((model, model._meta.get_field(field_name)))
        return found

    def forwards(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        for model, field in targets(apps, schema_editor):
            with connection.cursor() as cursor:
                constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for name, info in constraints.items():
                if (
                    info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                    and info["columns"] == [field.column]
                ):
                    schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backwards(apps: Any, schema_editor: Any) -> None:
        for model, field in targets(apps, schema_editor):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forwards, backwards)
