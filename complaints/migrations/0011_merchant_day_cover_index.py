"""A covering index for national figures over MerchantDay (complaints.statistics._totals):

    SELECT SUM(complaints), SUM(loss), COUNT(DISTINCT merchant_id) FROM complaints_merchantday
    WHERE day BETWEEN %s AND %s

The unique (day, merchant) index counted the merchants, and the sums took a second scan over DailyTotal; with the
sums' columns in the index one index-only scan gives all three.

Built CONCURRENTLY on PostgreSQL, so that filings, which upsert their merchant's day, are not held up while it is
built.
"""

from django.db import migrations, models

from complaints.migrations._concurrent_index import add_index_concurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("complaints", "0010_complaint_reply_record_index"),
    ]

    operations = [
        add_index_concurrently(
            model_name="merchantday",
            table="complaints_merchantday",
            index=models.Index(fields=["day", "merchant", "complaints", "loss"], name="merchant_day_cover_idx"),
            columns=["day", "merchant_id", "complaints", "loss"],
        ),
    ]
