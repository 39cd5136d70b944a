"""Trigram indexes for the people search on PostgreSQL (repairs issue, item 29).

The search (`people.selectors.people_list`) matches each word with `icontains` on the names and
the e-mail, which Django writes as `UPPER(col::text) LIKE UPPER('%word%')`: a B-tree cannot serve
a leading wildcard, so a metro district's search scanned the whole table. A GIN index over the
same expression with `gin_trgm_ops` serves it; the employee number is matched exactly
(`iexact`: `UPPER(col::text) = UPPER('word')`), so a B-tree on that expression serves it, and
with every branch of the OR indexed PostgreSQL combines them (BitmapOr) instead of scanning.

PostgreSQL only: SQLite has no trigram indexes (its demo sizes scan fast enough). Creating the
extension needs a role allowed to (the database owner on PostgreSQL 13+, trusted extension).
`fastupdate = off`: rows inserted go into the index at once, not into a pending list that only
VACUUM merges. With the list (the default), a district loaded after the index was created (the
demo, a first roster import) had its pending rows scanned on every search, and the planner,
counting that cost, chose to scan the table instead (seen on the metro bench, 350 ms).
The indexes are not in the models' state: they exist only on PostgreSQL, so they are SQL here.
"""

from typing import Any

from django.db import migrations

TRIGRAM_COLUMNS = ("given_name", "family_name", "preferred_name", "email")


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS person_{column}_trgm ON people_person "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops) WITH (fastupdate = off)'
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_identifier_upper ON people_person "
        '((UPPER("identifier"::text)))'
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS person_{column}_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS person_identifier_upper")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_position_spells_end_reason")]

    operations = [migrations.RunPython(create, drop)]
