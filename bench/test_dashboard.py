import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from bench.dashboard import (
    COMPLAINT_COLUMNS,
    DAYS,
    TZ,
    Filter,
    complaint_rows,
    cumulative,
    raw_summary_sql,
    raw_timeseries_sql,
    raw_where,
    zipf_weights,
)
from complaints.models import Complaint
from merchants.models import Platform
from merchants.regions import Region
from portal.escalations.selectors import RISK_HIGH, RISK_MEDIUM

MERCHANTS = [(pk, "taobao_tmall" if pk % 2 else "douyin", f"果园小店{pk}") for pk in range(1, 501)]


def rows(count=3000, today=None, now=None):
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    generated = complaint_rows(random.Random(7), count, MERCHANTS, [11, 12], today, now)
    return [dict(zip(COMPLAINT_COLUMNS, row, strict=True)) for row in generated]


def test_every_column_copied_is_a_complaint_column_and_every_required_one_is_copied():
    columns = {f.column: f for f in Complaint._meta.concrete_fields}
    assert set(COMPLAINT_COLUMNS) <= columns.keys()
    # COPY fills the other columns with the field's default: a NOT NULL column without one would fail the seed.
    required = {c for c, f in columns.items() if not f.null and not f.has_default() and not f.primary_key}
    assert required <= set(COMPLAINT_COLUMNS)


def test_generated_complaints_pass_the_models_validation():
    for values in rows(300):
        complaint = Complaint(**values)
        complaint.full_clean(
            exclude=["complainant", "merchant", "linked_merchant"], validate_unique=False, validate_constraints=False
        )


def test_generated_complaints_are_unique_and_spread_over_the_year_up_to_now():
    now = datetime(2025, 6, 10, 9, 30, tzinfo=TZ)
    generated = rows(3000, today=now.date(), now=now)

    assert len({r["code"] for r in generated}) == len({r["uuid"] for r in generated}) == 3000
    assert all(len(r["code"]) <= 12 and r["complainant_key"] for r in generated)
    submitted = [r["submitted_at"] for r in generated]
    first_day = datetime.combine(now.date() - timedelta(days=DAYS - 1), datetime.min.time(), tzinfo=TZ)
    assert first_day <= min(submitted) and max(submitted) <= now
    # Every month has complaints, the recent ones more (the service grows, and waves run now).
    months = Counter((s.year, s.month) for s in submitted)
    assert len(months) >= 12
    assert months[(2025, 5)] > months[(2024, 7)]


def test_the_data_set_is_skewed_like_real_complaints():
    generated = rows(5000)
    regions = Counter(r["region"] for r in generated)
    merchants = Counter(r["merchant_id"] for r in generated)
    statuses = Counter(r["status"] for r in generated)
    currencies = Counter(r["currency"] for r in generated if r["amount"] is not None)

    assert regions["440000"] > 3 * regions["610000"] > 0
    assert {r for r in regions if r} <= set(Region.values)
    assert {r["platform"] for r in generated} - {""} <= set(Platform.Code.values)
    # The busiest merchant (the first one given) draws many times the median merchant's complaints.
    assert merchants[1] > 10 * sorted(merchants.values())[len(merchants) // 2]
    assert statuses["accepted"] > statuses["rejected"] > statuses["withdrawn"] > 0
    assert 0.8 < currencies["CNY"] / sum(currencies.values()) < 0.9
    assert all(Decimal(r["amount"]) >= 0 for r in generated if r["amount"] is not None)


def test_generation_is_reproducible_whatever_the_time_of_day():
    morning = datetime(2025, 6, 10, 0, 5, tzinfo=TZ)
    evening = datetime(2025, 6, 10, 23, 55, tzinfo=TZ)
    early, late = rows(500, now=morning), rows(500, now=evening)
    assert [r["merchant_id"] for r in early] == [r["merchant_id"] for r in late]
    assert [r["status"] for r in early] == [r["status"] for r in late]


def test_zipf_weights_put_a_few_merchants_far_ahead():
    weights = zipf_weights(100_000)
    total = sum(weights)
    share = [w / total for w in weights]
    # Of a million complaints, the busiest merchant draws thousands, the 10,000th about a dozen.
    assert 4000 < share[0] * 1_000_000 < 8000
    assert 5 < share[9999] * 1_000_000 < 20
    assert cumulative([1, 2, 3]) == [1, 3, 6]


def test_raw_where_is_the_filter_over_the_previous_and_current_period_in_beijing_time():
    f = Filter("Zhejiang", "regulator", 30, {"province": "330000", "category": ["not_delivered", "counterfeit"]})
    where, params = raw_where(f, date(2025, 6, 10), None)

    assert "c.region = ANY(%(province)s)" in where and "c.category = ANY(%(category)s)" in where
    assert params["province"] == ["330000"]
    assert params["category"] == ["not_delivered", "counterfeit"]
    assert params["start"] == datetime(2025, 5, 12, tzinfo=TZ)
    assert params["previous"] == datetime(2025, 4, 12, tzinfo=TZ)
    assert params["end"] == datetime(2025, 6, 11, tzinfo=TZ)
    assert sorted(params["uncounted"]) == ["rejected", "withdrawn"]


def test_raw_where_reads_risk_levels_and_merchants_as_the_dashboard_does():
    where, params = raw_where(Filter("risky", "moderator", 90, {"risk": "high"}), date(2025, 6, 10), None)
    assert "escalations_merchantrisk" in where and params["risk_min"] == RISK_HIGH
    _where, params = raw_where(Filter("risky", "moderator", 90, {"risk": "medium"}), date(2025, 6, 10), None)
    assert (params["risk_min"], params["risk_max"]) == (RISK_MEDIUM, RISK_HIGH)

    where, params = raw_where(Filter("one", "moderator", 365, {"merchant": str(uuid.uuid4())}), date(2025, 6, 10), 42)
    assert "c.merchant_id = %(merchant)s" in where and params["merchant"] == 42
    assert "date_trunc('week'" in raw_timeseries_sql(where, "week")
    assert "count(DISTINCT c.merchant_id)" in raw_summary_sql(where)
