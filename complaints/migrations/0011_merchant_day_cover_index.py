"""A covering index for national figures over MerchantDay (complaints.statistics._totals):

    SELECT SUM(complaints), SUM(loss), COUNT(DISTINCT merchant_id) FROM complaints_merchantday
    WHERE day BETWEEN %s AND %s

The unique (day, merchant) index counted the merchants, and the sums took a second scan over DailyTotal; with the
sums' columns in the index one index-only scan gives all three.

Built CONCURRENTLY on PostgreSQL, so that filings, which upsert their merchant's day, are not held up while it is
built; the state learns of it apart from the database (as in 0010).
"""

from django.db import migrations, models

INDEX = "merchant_day_cover_idx"
COLUMNS = ["day", "merchant_id", "complaints", "loss"]


def create_index(apps, schema_editor):
    quote = schema_editor.quote_name
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX{concurrently} IF NOT EXISTS {quote(INDEX)} ON {quote('complaints_merchantday')}"
        f" ({', '.join(quote(column) for column in COLUMNS)})"
    )


def drop_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("complaints", "0010_complaint_reply_record_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_index, drop_index)],
            state_operations=[
                migrations.AddIndex(
                    model_name="merchantday",
                    index=models.Index(fields=["day", "merchant", "complaints", "loss"], name=INDEX),
                )
            ],
        ),
    ]
