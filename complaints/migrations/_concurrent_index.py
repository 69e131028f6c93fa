"""An index built without blocking writes, for migrations (the loader takes no module starting with "_" for one).

On PostgreSQL CREATE INDEX CONCURRENTLY lets filings go on while a large table is indexed, which AddIndex would
hold up; it cannot run in a transaction, so a migration using this sets `atomic = False`. The state learns of the
index apart from the database (SeparateDatabaseAndState), so the model declares it as usual.
"""

from django.db import migrations


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def add_index_concurrently(*, model_name: str, table: str, index, columns: list[str], where: str = ""):
    """The operation adding `index` (a models.Index) to `model_name`'s state, built in the database as `columns`
    of `table` (column names), partial on the SQL `where` when given."""

    def create(apps, schema_editor):
        quote = schema_editor.quote_name
        predicate = f" WHERE {where}" if where else ""
        schema_editor.execute(
            f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {quote(index.name)} ON {quote(table)}"
            f" ({', '.join(quote(column) for column in columns)}){predicate}"
        )

    def drop(apps, schema_editor):
        name = schema_editor.quote_name(index.name)
        schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {name}")

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(create, drop)],
        state_operations=[migrations.AddIndex(model_name=model_name, index=index)],
    )
