"""Per-merchant totals and the daily rollup table, kept up to date as complaints come and change.

Filing and status changes adjust the numbers in place, under a row lock on the merchant's totals. A merge or
its undoing rebuilds the totals of the merchants involved from their own complaints (index scans of one
merchant each, never of all complaints).
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from complaints.models import ACCEPTED_STATUSES, UNCOUNTED_STATUSES, Complaint, DailyRollup, DailyTotal, MerchantStats
from complaints.models.rollups import MerchantDay

ZERO = Decimal("0.00")


def _cny(complaint: Complaint) -> Decimal:
    return complaint.amount if complaint.amount is not None and complaint.currency == "CNY" else ZERO


def counted_cell(complaint: Complaint, status: str) -> dict | None:
    """The daily rollup cell a complaint in `status` counts in, or None when rejected or withdrawn."""
    if status in UNCOUNTED_STATUSES:
        return None
    return {
        "day": timezone.localdate(complaint.submitted_at),
        "merchant_id": complaint.merchant_id,
        "category": complaint.category,
        "region": complaint.region,
        "platform": complaint.platform,
        "verified": status in ACCEPTED_STATUSES,
    }


def _total_cell(cell: dict) -> dict:
    return {key: value for key, value in cell.items() if key != "merchant_id"}


def _merchant_day(cell: dict) -> dict:
    return {"day": cell["day"], "merchant_id": cell["merchant_id"]}


def _upsert_add(model, key: dict, loss: Decimal) -> tuple[str, list]:
    """The statement adding one complaint to the cell `key`, creating it if need be: INSERT ... ON CONFLICT DO
    UPDATE.

    A total cell is shared by every merchant, so no merchant's lock serialises it. Reading the row and then
    updating it by id loses the count when another transaction empties and deletes that row in between (its
    UPDATE finds nothing); the upsert instead waits for that transaction and inserts the cell afresh."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in key]
    columns = [quote(field.column) for field in fields]
    values = [field.get_db_prep_save(key[name], connection) for name, field in zip(key, fields, strict=True)]
    loss_field = model._meta.get_field("loss")
    # Only the model's own table and column names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, {quote('complaints')}, {quote('loss')}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}, 1, %s) "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET "
        f"{quote('complaints')} = {table}.{quote('complaints')} + 1, "
        f"{quote('loss')} = {table}.{quote('loss')} + EXCLUDED.{quote('loss')}"
    )
    return sql, [*values, loss_field.get_db_prep_save(loss, connection)]


def _execute_in_order(statements: list[tuple[str, list]]) -> None:
    """Run the statements one after the other, in one round trip where the driver allows it.

    They take the merchant's hottest row locks, held until the commit: in a surge every filing against the merchant
    waits for them, so each round trip spent holding them costs the whole queue. psycopg's client-side binding (the
    default cursor) sends them as one simple query, in which each statement still takes its own snapshot.
    """
    one_trip = connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get("server_side_binding")
    with connection.cursor() as cursor:
        if one_trip:
            sql = "; ".join(sql for sql, _params in statements)
            cursor.execute(sql, [value for _sql, params in statements for value in params])
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def _rows_of(cell: dict) -> tuple:
    """Where one complaint counted in the rollup cell `cell` adds up, by table: the cell, its merchant's day and the
    day's total cell."""
    return ((DailyRollup, cell), (MerchantDay, _merchant_day(cell)), (DailyTotal, _total_cell(cell)))


def _cell_statements(cell: dict | None, loss: Decimal) -> list[tuple[str, list]]:
    """The statements counting one complaint in its rollup cell, its merchant's day and the day's total cell."""
    if cell is None:
        return []
    return [_upsert_add(model, key, loss) for model, key in _rows_of(cell)]


def _cell_add(cell: dict | None, loss: Decimal) -> None:
    _execute_in_order(_cell_statements(cell, loss))


def _cell_remove(cell: dict | None, loss: Decimal) -> None:
    if cell is None:
        return
    for model, key in _rows_of(cell):
        model.objects.filter(**key, complaints__gt=0).update(complaints=F("complaints") - 1, loss=F("loss") - loss)
        model.objects.filter(**key, complaints=0).delete()


def _stats_locked(merchant_id: int) -> MerchantStats:
    """The merchant's totals row, locked: one query when it exists (it does once a complaint was counted)."""
    stats = MerchantStats.objects.select_for_update().filter(merchant_id=merchant_id).first()
    if stats is None:
        MerchantStats.objects.get_or_create(merchant_id=merchant_id)
        stats = MerchantStats.objects.select_for_update().get(merchant_id=merchant_id)
    return stats


def _json_plus_one(column: str, key: str) -> tuple[str, list]:
    """SQL for the JSON object in `column` with the count under `key` one higher (added at 1 if missing)."""
    if connection.vendor == "postgresql":
        return f"jsonb_set({column}, ARRAY[%s], to_jsonb(COALESCE(({column} ->> %s)::integer, 0) + 1))", [key, key]
    path = f'$."{key}"'  # keys are status and category codes: [a-z_]
    return f"json_set({column}, %s, COALESCE(json_extract({column}, %s), 0) + 1)", [path, path]


def _stats_statements(complaint: Complaint) -> list[tuple[str, list]]:
    """Add a new complaint to its merchant's totals: an upsert, then the complainant counted if new.

    The upsert takes the row lock that serialises the merchant's filings. The complainant check is a statement of
    its own after it: its snapshot is taken once the lock is held, so it sees the complaint of any filing by the
    same person that held the lock before, and two such filings cannot both count as a new complainant.
    """
    quote = connection.ops.quote_name
    table = quote(MerchantStats._meta.db_table)
    merchant, complaints, complainants, loss, by_status, by_category, first_at, last_at = (
        quote(MerchantStats._meta.get_field(name).column)
        for name in (
            "merchant",
            "complaints",
            "complainants",
            "loss",
            "by_status",
            "by_category",
            "first_at",
            "last_at",
        )
    )
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    status_sql, status_params = _json_plus_one(f"{table}.{by_status}", complaint.status)
    category_sql, category_params = _json_plus_one(f"{table}.{by_category}", complaint.category)
    # Only the models' own table and column names are formatted in; every value is a parameter.
    upsert = (
        f"INSERT INTO {table} ({merchant}, {complaints}, {complainants}, {loss}, {by_status}, {by_category}, "  # noqa: S608
        f"{first_at}, {last_at}) VALUES (%s, 1, 0, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({merchant}) DO UPDATE SET {complaints} = {table}.{complaints} + 1, "
        f"{loss} = {table}.{loss} + EXCLUDED.{loss}, {by_status} = {status_sql}, {by_category} = {category_sql}, "
        f"{first_at} = {least}(COALESCE({table}.{first_at}, EXCLUDED.{first_at}), EXCLUDED.{first_at}), "
        f"{last_at} = {greatest}(COALESCE({table}.{last_at}, EXCLUDED.{last_at}), EXCLUDED.{last_at})"
    )
    prepare = lambda name, value: MerchantStats._meta.get_field(name).get_db_prep_save(value, connection)  # noqa: E731
    upsert_params = [
        complaint.merchant_id,
        prepare("loss", _cny(complaint)),
        prepare("by_status", {complaint.status: 1}),
        prepare("by_category", {complaint.category: 1}),
        prepare("first_at", complaint.submitted_at),
        prepare("last_at", complaint.submitted_at),
        *status_params,
        *category_params,
    ]
    rows = quote(Complaint._meta.db_table)
    column = lambda name: quote(Complaint._meta.get_field(name).column)  # noqa: E731
    new_complainant = (
        f"UPDATE {table} SET {complainants} = {complainants} + 1 WHERE {merchant} = %s "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {rows} WHERE {column('merchant')} = %s "
        f"AND {column('complainant_key')} = %s AND {column('id')} <> %s)"
    )
    key_params = [complaint.merchant_id, complaint.merchant_id, complaint.complainant_key, complaint.pk]
    return [(upsert, upsert_params), (new_complainant, key_params)]


def rollup_complaint_added(*, complaint: Complaint) -> None:
    """Count a new complaint: call last in the filing's transaction, after the complaint row exists.

    One round trip: the merchant's totals, its rollup cell, its day and the day's total cell. Their row locks are
    held until the commit, so they are taken last and all at once.
    """
    cell = counted_cell(complaint, complaint.status)
    _execute_in_order([*_stats_statements(complaint), *_cell_statements(cell, _cny(complaint))])


@transaction.atomic
def rollup_status_changed(*, complaint: Complaint, old_status: str) -> None:
    """Move one complaint between status counts and rollup cells: every status transition calls this."""
    if old_status == complaint.status:
        return
    # The merchant's totals row is the lock that also serialises its rollup cells.
    stats = _stats_locked(complaint.merchant_id)
    old_cell, new_cell = counted_cell(complaint, old_status), counted_cell(complaint, complaint.status)
    if old_cell != new_cell:
        _cell_remove(old_cell, _cny(complaint))
        _cell_add(new_cell, _cny(complaint))
    stats.by_status[old_status] = stats.by_status.get(old_status, 0) - 1
    if stats.by_status[old_status] <= 0:
        del stats.by_status[old_status]
    stats.by_status[complaint.status] = stats.by_status.get(complaint.status, 0) + 1
    stats.save(update_fields=["by_status"])


def recount(merchant_ids) -> tuple[dict[int, dict], dict[tuple, tuple[int, Decimal]]]:
    """Totals and rollup cells computed from the complaints themselves: what the kept numbers must equal."""
    totals: dict[int, dict] = {}
    cells: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    complainants: dict[int, set] = defaultdict(set)
    rows = Complaint.objects.filter(merchant_id__in=merchant_ids).only(
        "merchant_id", "status", "category", "amount", "currency", "submitted_at", "region", "platform",
        "complainant_key",
    )  # fmt: skip
    for complaint in rows.iterator():
        entry = totals.setdefault(
            complaint.merchant_id,
            {"complaints": 0, "loss": ZERO, "by_status": Counter(), "by_category": Counter(), "first_at": None,
             "last_at": None},
        )  # fmt: skip
        entry["complaints"] += 1
        entry["loss"] += _cny(complaint)
        entry["by_status"][complaint.status] += 1
        entry["by_category"][complaint.category] += 1
        entry["first_at"] = min(filter(None, [entry["first_at"], complaint.submitted_at]))
        entry["last_at"] = max(filter(None, [entry["last_at"], complaint.submitted_at]))
        complainants[complaint.merchant_id].add(complaint.complainant_key)
        counted = counted_cell(complaint, complaint.status)
        if counted is not None:
            cell = cells[tuple(counted.values())]
            cell[0] += 1
            cell[1] += _cny(complaint)
    for merchant_id, entry in totals.items():
        entry["complainants"] = len(complainants[merchant_id])
        entry["by_status"] = dict(entry["by_status"])
        entry["by_category"] = dict(entry["by_category"])
    return totals, {key: (count, loss) for key, (count, loss) in cells.items()}


@transaction.atomic
def rollup_rebuild(*, merchant_ids) -> None:
    """Recompute the totals, rollup cells and days of these merchants from their complaints (after a merge)."""
    merchant_ids = sorted(set(merchant_ids))
    list(MerchantStats.objects.select_for_update().filter(merchant_id__in=merchant_ids))
    totals, cells = recount(merchant_ids)
    MerchantStats.objects.filter(merchant_id__in=merchant_ids).exclude(merchant_id__in=list(totals)).delete()
    for merchant_id, entry in totals.items():
        MerchantStats.objects.update_or_create(merchant_id=merchant_id, defaults=entry)
    DailyRollup.objects.filter(merchant_id__in=merchant_ids).delete()
    DailyRollup.objects.bulk_create(
        DailyRollup(day=day, merchant_id=merchant_id, category=category, region=region, platform=platform,
                    verified=verified, complaints=count, loss=loss)
        for (day, merchant_id, category, region, platform, verified), (count, loss) in cells.items()
    )  # fmt: skip
    days: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    for (day, merchant_id, *_where), (count, loss) in cells.items():
        days[day, merchant_id][0] += count
        days[day, merchant_id][1] += loss
    MerchantDay.objects.filter(merchant_id__in=merchant_ids).delete()
    MerchantDay.objects.bulk_create(
        MerchantDay(day=day, merchant_id=merchant_id, complaints=count, loss=loss)
        for (day, merchant_id), (count, loss) in days.items()
    )


@transaction.atomic
def rollup_totals_rebuild() -> int:
    """Recompute every DailyTotal cell as the sum of the rollup cells over merchants; returns the number of cells.

    For repairs (`manage.py rebuild_rollups`): on PostgreSQL the table is locked against filings meanwhile, which
    wait and then add to the rebuilt cells."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(DailyTotal._meta.db_table)} IN EXCLUSIVE MODE")
    DailyTotal.objects.all().delete()
    cells = (
        DailyRollup.objects.values("day", "category", "region", "platform", "verified")
        .annotate(n=Sum("complaints"), amount=Sum("loss"))
        .order_by("day", "category", "region", "platform", "verified")
    )
    created = DailyTotal.objects.bulk_create(
        (
            DailyTotal(
                day=cell["day"],
                category=cell["category"],
                region=cell["region"],
                platform=cell["platform"],
                verified=cell["verified"],
                complaints=cell["n"],
                loss=cell["amount"],
            )
            for cell in cells.iterator()
        ),
        batch_size=1000,
    )
    return len(created)
