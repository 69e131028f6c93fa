"""The dashboard benchmark (issue 6): `bench/run.py --only dashboard`.

Seeds a year of complaints with COPY (1,000,000 over 100,000 merchants by default), builds the daily rollups from
them with one INSERT ... SELECT, then times, for typical filters, the dashboard page and each stats API call as
the server serves them (django.test.Client, middleware and template rendering included), and the same headline
aggregates as hand-written SQL over the raw complaints table, in the same run and on the same connection.
PostgreSQL only. See bench/README.md, "Dashboard".
"""

import logging
import math
import os
import random
import statistics
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.run import MERCHANT_COLUMNS, copy_rows, percentile, shop_name, verdict

DAYS = 365
SEED = 20250610
TZ = ZoneInfo("Asia/Shanghai")

TARGET_PAGE_MS = 150.0
TARGET_API_MS = 50.0
TARGET_RATIO = 10.0
PAGE_RUNS, API_RUNS, RAW_RUNS, WARM_UP = 15, 20, 5, 2

# Merchant popularity: the complaint share of the merchant of rank r is proportional to 1 / (r + ZIPF_Q) ** ZIPF_S.
# With 100,000 merchants and 1,000,000 complaints the busiest draws about 5,600, rank 100 about 1,000, rank 10,000
# about a dozen; half the merchants draw three or fewer, one in nine none.
ZIPF_S, ZIPF_Q = 1.0, 20
# Some busy merchants run away: most of their complaints fall in a three-week wave, a few of them right now.
WAVE_MERCHANTS, WAVE_SHARE, WAVE_DAYS = 60, 0.7, 21

# Complainants' provinces, roughly by online shoppers; "" is a complaint that did not say.
REGIONS = {
    "440000": 12, "330000": 8, "320000": 8, "370000": 6.5, "410000": 6, "510000": 5.5, "310000": 5, "110000": 4.5,
    "420000": 4.5, "350000": 4, "430000": 4, "130000": 4, "340000": 3.5, "500000": 3, "610000": 2.8, "210000": 2.8,
    "360000": 2.5, "450000": 2.5, "530000": 2.2, "140000": 2, "120000": 1.8, "520000": 1.8, "230000": 1.7,
    "220000": 1.3, "150000": 1.2, "620000": 1.1, "650000": 1.1, "460000": 0.8, "640000": 0.4, "630000": 0.3,
    "540000": 0.15, "810000": 0.1, "": 3,
}  # fmt: skip
# Where merchants sell.
PLATFORMS = {
    "wechat_mini_program": 22, "taobao_tmall": 16, "pinduoduo": 14, "douyin": 13, "wechat_social": 8, "jd": 6,
    "kuaishou": 6, "xiaohongshu": 4, "meituan": 3, "alipay_mini_program": 2, "wechat_official_account": 2,
    "website": 2, "app": 1.5, "offline": 1, "other": 0.5,
}  # fmt: skip
CATEGORIES = {
    "not_delivered": 24, "refund_refused": 18, "not_as_described": 16, "merchant_vanished": 9, "counterfeit": 7,
    "promotion_not_honoured": 7, "hidden_fees": 6, "other": 6, "induced_sharing": 4, "personal_data": 3,
}  # fmt: skip
# Statuses of complaints older than two weeks, and of newer ones (most still waiting for a moderator).
STATUSES_OLD = {
    "accepted": 38, "closed_monetary_relief": 12, "rejected": 11, "unresolved": 9, "closed_explanation": 8,
    "submitted": 6, "closed_non_monetary_relief": 5, "withdrawn": 5, "in_review": 3, "needs_info": 3,
}  # fmt: skip
STATUSES_NEW = {
    "submitted": 50, "in_review": 15, "accepted": 15, "rejected": 8, "needs_info": 7, "withdrawn": 3,
    "closed_monetary_relief": 2,
}  # fmt: skip
PAYMENTS = {"wechat_pay": 45, "alipay": 35, "bank_transfer": 8, "card": 6, "cash": 2, "other": 2, "": 2}
CURRENCIES = {"CNY": 85, "USD": 6, "HKD": 5, "EUR": 2, "JPY": 2}
# Filing hours in Beijing time: few at night, most in the evening.
HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 6, 6.5, 6.5, 5, 3]
NO_AMOUNT = 0.08

NARRATIVES = [
    "我在{name}下单购买商品并付款{amount}元，商家承诺三天内发货，至今已过去两周仍未发货，联系客服一直不回复，要求退款也被拖延。",
    "{name}的客服说七天无理由退货，收到货后发现与描述严重不符，申请退货后商家拒绝退款，还把我拉黑了，付款金额{amount}元。",
    "通过朋友圈广告进入{name}，参加拼团活动付了{amount}元定金，活动结束后商家以各种理由不兑现优惠，也不退还定金。",
    "在{name}购买的化妆品疑似假货，包装和官方旗舰店不一致，使用后皮肤过敏，商家否认售假并拒绝提供进货凭证，共支付{amount}元。",
    "{name}预售商品付款{amount}元后，店铺突然关闭，小程序无法打开，客服电话停机，很多人和我一样被骗，希望平台和监管部门介入。",
    "在{name}充值会员{amount}元，商家在结算时额外收取服务费和包装费，事先没有任何说明，要求退还多收的费用被拒绝。",
    "{name}要求分享给二十个好友才能领取奖品，并收集了身份证号和手机号，之后我不断接到推销电话，怀疑个人信息被泄露，曾付款{amount}元。",
]


def cumulative(weights) -> list[float]:
    """Cumulative weights for random.choices: drawing from a long list is then a binary search, not a sum."""
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def zipf_weights(count: int, s: float = ZIPF_S, q: float = ZIPF_Q) -> list[float]:
    """Zipf-Mandelbrot weights of ranks 1..count: a few merchants draw most complaints, most draw a handful."""
    return [1 / (rank + q) ** s for rank in range(1, count + 1)]


def midnight(day: date) -> datetime:
    """The start of a day in Beijing time."""
    return datetime.combine(day, datetime.min.time(), tzinfo=TZ)


def lognormal_amount(rng: random.Random) -> str:
    """A claimed loss in yuan: a median of about 260, a long tail to tens of thousands."""
    return f"{min(10_000_000.0, math.exp(rng.gauss(math.log(260), 1.3))):.2f}"


@dataclass
class Seeded:
    """What was loaded, with the ids the filters need."""

    complaints: int = 0
    merchants: int = 0
    rollup_rows: int = 0
    risk_rows: int = 0
    busiest_merchant: int = 0  # pk of the merchant with the most complaints
    seconds: dict[str, float] = field(default_factory=dict)


def merchant_rows(rng: random.Random, count: int, platform_pks: dict[str, int], now: datetime):
    """(pk, platform code, row) of each merchant, in MERCHANT_COLUMNS order."""
    codes = list(PLATFORMS)
    cum = cumulative(PLATFORMS.values())
    for pk in range(1, count + 1):
        code = rng.choices(codes, cum_weights=cum)[0]
        name = shop_name(rng)
        uid = uuid.UUID(int=rng.getrandbits(128), version=4)
        yield pk, code, (pk, uid, name, "online_shop", "active", platform_pks[code], "", "", "", now, now)


COMPLAINT_COLUMNS = [
    "uuid", "code", "complainant_id", "merchant_id", "linked_merchant_id", "merchant_links", "status",
    "reject_reason", "merchant_name", "platform", "mini_program_name", "app_id", "shop_url", "merchant_phone",
    "wechat_id", "payee_account", "company_name", "company_uscc", "category", "narrative", "amount", "currency",
    "payment_method", "paid_at", "order_number", "region", "narrative_redacted", "vulnerable", "consent_publish",
    "hide_identity", "priority", "client_ip_hash", "complainant_key", "source", "source_row", "submitted_at",
    "updated_at",
]  # fmt: skip


def complaint_rows(
    rng: random.Random,
    count: int,
    merchants: list[tuple[int, str, str]],
    complainant_ids: list[int],
    today: date,
    now: datetime,
):
    """Complaint rows in COMPLAINT_COLUMNS order, spread over the DAYS days ending today (Beijing time).

    `merchants` is (pk, platform code, name) in popularity order: the first draws the most complaints.
    """
    ranks = range(len(merchants))
    merchant_cum = cumulative(zipf_weights(len(merchants)))
    regions, region_cum = list(REGIONS), cumulative(REGIONS.values())
    categories, category_cum = list(CATEGORIES), cumulative(CATEGORIES.values())
    old, old_cum = list(STATUSES_OLD), cumulative(STATUSES_OLD.values())
    new, new_cum = list(STATUSES_NEW), cumulative(STATUSES_NEW.values())
    payments, payment_cum = list(PAYMENTS), cumulative(PAYMENTS.values())
    currencies, currency_cum = list(CURRENCIES), cumulative(CURRENCIES.values())
    hour_cum = cumulative(HOURS)
    other_platforms = list(PLATFORMS)
    # The waves: busy merchants (among the top 2,000) whose complaints mostly come within three weeks; the first
    # few waves are running now, so "rising merchants" has something to find.
    wave_ranks = rng.sample(range(min(2000, len(merchants))), min(WAVE_MERCHANTS, len(merchants)))
    waves = {
        rank: (DAYS - WAVE_DAYS if i < WAVE_MERCHANTS // 6 else rng.randrange(DAYS - WAVE_DAYS))
        for i, rank in enumerate(wave_ranks)
    }
    start_of_today = midnight(today)
    links = '[{"kind": "name", "outcome": "name_match"}]'
    for n in range(count):
        rank = rng.choices(ranks, cum_weights=merchant_cum)[0]
        merchant_pk, merchant_platform, merchant_name = merchants[rank]
        # Days back from today: a wave's days, or for a third of the complaints weighted to recent months (the
        # service grows), or any day of the year.
        if rank in waves and rng.random() < WAVE_SHARE:
            days_back = DAYS - 1 - (waves[rank] + rng.randrange(WAVE_DAYS))
        elif rng.random() < 1 / 3:
            days_back = int(DAYS * (1 - math.sqrt(rng.random())))
        else:
            days_back = rng.randrange(DAYS)
        hour = rng.choices(range(24), cum_weights=hour_cum)[0]
        submitted = start_of_today - timedelta(days=days_back, hours=-hour, seconds=-rng.randrange(3600))
        if submitted > now:
            # Later today: filed at that hour yesterday instead, drawing nothing more, so the stream of random
            # numbers (and the data set) does not depend on the time of day the benchmark runs.
            submitted -= timedelta(days=1)
        recent = days_back < 14
        status = rng.choices(new if recent else old, cum_weights=new_cum if recent else old_cum)[0]
        platform = merchant_platform if rng.random() < 0.9 else rng.choice([*other_platforms, ""])
        amount = None if rng.random() < NO_AMOUNT else lognormal_amount(rng)
        narrative = rng.choice(NARRATIVES).format(name=merchant_name, amount=amount or "若干")
        yield (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            f"BN-{n:09d}",
            rng.choice(complainant_ids),
            merchant_pk,
            merchant_pk,
            links,
            status,
            "spam" if status == "rejected" else "",
            merchant_name,
            platform,
            *("",) * 8,  # mini_program_name ... company_uscc: names are enough to find a merchant
            rng.choices(categories, cum_weights=category_cum)[0],
            narrative,
            amount,
            rng.choices(currencies, cum_weights=currency_cum)[0],
            rng.choices(payments, cum_weights=payment_cum)[0],
            (submitted - timedelta(days=rng.randrange(30))).astimezone(TZ).date(),
            f"{rng.getrandbits(60):018d}",
            rng.choices(regions, cum_weights=region_cum)[0],
            narrative,
            rng.random() < 0.03,
            rng.random() < 0.6,
            True,
            rng.randrange(1000),
            f"{rng.getrandbits(256):064x}",
            f"u{rng.randrange(count // 2 + 1)}",
            "",
            "",
            submitted,
            submitted,
        )


def build_rollups() -> int:
    """Fill complaints_dailyrollup from the complaints with one statement: the rollup's own definition
    (complaints.rollups.counted_cell), cell by cell; then complaints_dailytotal, its sum over merchants, and
    complaints_merchantday, its sum over each merchant's cells of a day."""
    from django.db import connection

    from complaints.models import ACCEPTED_STATUSES, UNCOUNTED_STATUSES

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE complaints_dailyrollup, complaints_merchantday, complaints_dailytotal")
        cursor.execute(
            """
            INSERT INTO complaints_dailyrollup (day, merchant_id, category, region, platform, verified, complaints,
                                                loss)
            SELECT (submitted_at AT TIME ZONE %(tz)s)::date, merchant_id, category, region, platform,
                   status = ANY(%(accepted)s), count(*), coalesce(sum(amount) FILTER (WHERE currency = 'CNY'), 0)
            FROM complaints_complaint
            WHERE NOT status = ANY(%(uncounted)s)
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY 1
            """,
            {"tz": "Asia/Shanghai", "uncounted": sorted(UNCOUNTED_STATUSES), "accepted": sorted(ACCEPTED_STATUSES)},
        )
        rollup_rows = cursor.rowcount
        # Ordered by day, as filings append them in production: a day range then reads neighbouring pages.
        cursor.execute(
            """
            INSERT INTO complaints_dailytotal (day, category, region, platform, verified, complaints, loss)
            SELECT day, category, region, platform, verified, sum(complaints), sum(loss)
            FROM complaints_dailyrollup
            GROUP BY 1, 2, 3, 4, 5
            ORDER BY 1
            """
        )
        cursor.execute(
            """
            INSERT INTO complaints_merchantday (day, merchant_id, complaints, loss)
            SELECT day, merchant_id, sum(complaints), sum(loss)
            FROM complaints_dailyrollup
            GROUP BY 1, 2
            ORDER BY 1
            """
        )
        return rollup_rows


def merchant_stats_rows() -> int:
    """Fill MerchantStats (each merchant's totals) from the complaints, as filing would have kept them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE complaints_merchantstats")
        cursor.execute(
            """
            INSERT INTO complaints_merchantstats (merchant_id, complaints, complainants, loss, by_status, by_category,
                                                  first_at, last_at)
            SELECT merchant_id, count(*), count(DISTINCT complainant_key),
                   coalesce(sum(amount) FILTER (WHERE currency = 'CNY'), 0), '{}'::jsonb, '{}'::jsonb,
                   min(submitted_at), max(submitted_at)
            FROM complaints_complaint GROUP BY merchant_id
            """
        )
        return cursor.rowcount


def seed(complaint_count: int, merchant_count: int) -> Seeded:
    """Load merchants, complaints, risk scores and rollups; returns what the filters need."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection
    from django.utils import timezone

    from complaints.models import Complaint
    from merchants.models import Merchant, Platform
    from portal.accounts.models import User
    from portal.escalations.models import MerchantRisk

    rng = random.Random(SEED)
    result = Seeded(complaints=complaint_count, merchants=merchant_count)
    now = timezone.now()
    today = timezone.localdate(now)
    platform_pks = dict(Platform.objects.values_list("code", "pk"))
    missing = set(PLATFORMS) - platform_pks.keys()
    if missing:
        raise SystemExit(f"platforms missing from the database: {sorted(missing)}")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE complaints_dailyrollup, complaints_merchantstats, complaints_complaint,"
            " merchants_merchant RESTART IDENTITY CASCADE"
        )
    complainants = User.objects.bulk_create(
        User(email=f"bench-complainant-{i}@example.com", password=make_password(None), email_verified=True)
        for i in range(20)
    )

    started = time.perf_counter()
    merchants = []

    def merchants_kept():
        for pk, code, row in merchant_rows(rng, merchant_count, platform_pks, now):
            merchants.append((pk, code, row[2]))
            yield row

    copy_rows(Merchant, MERCHANT_COLUMNS, merchants_kept())
    # Popularity does not follow the pk: shuffle which merchant gets which rank.
    rng.shuffle(merchants)
    result.busiest_merchant = merchants[0][0]
    result.seconds["merchants"] = time.perf_counter() - started

    started = time.perf_counter()
    copy_rows(
        Complaint,
        COMPLAINT_COLUMNS,
        complaint_rows(rng, complaint_count, merchants, [u.pk for u in complainants], today, now),
    )
    result.seconds["complaints"] = time.perf_counter() - started

    started = time.perf_counter()
    result.risk_rows = seed_risk(rng, merchants, now)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Merchant, Complaint]):
            cursor.execute(statement)
    merchant_stats_rows()
    result.seconds["risk and merchant totals"] = time.perf_counter() - started

    started = time.perf_counter()
    result.rollup_rows = build_rollups()
    result.seconds["rollups"] = time.perf_counter() - started

    started = time.perf_counter()
    # VACUUM as well as ANALYZE: the raw-table queries get their best plans (index-only scans need the
    # visibility map), so the comparison is with SQL at its fastest.
    tables = [
        Complaint._meta.db_table,
        "complaints_dailyrollup",
        "complaints_dailytotal",
        "complaints_merchantday",
        "complaints_merchantstats",
        "merchants_merchant",
    ]
    tables.append(MerchantRisk._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    result.seconds["vacuum analyze"] = time.perf_counter() - started
    return result


# Risk scores, by popularity rank: a third of the busiest 2,000 merchants score high (80 to 94), one in twenty of
# the next ones up to rank 20,000 medium (45 to 59), a few of the rest low (15 to 29).
RISK_TIERS = [(80, 0.3, 2000), (45, 0.05, 20_000), (15, 0.02, 100_000)]  # (score, share of ranks, among the top n)


def seed_risk(rng: random.Random, merchants: list[tuple[int, str, str]], now: datetime) -> int:
    """MerchantRisk rows, so the risk filter selects some 600 high-risk merchants among the busy ones."""
    from portal.escalations.models import MerchantRisk

    rows, scored = [], set()
    for score, share, top in RISK_TIERS:
        for pk, _platform, _name in merchants[:top]:
            if pk not in scored and rng.random() < share:
                scored.add(pk)
                rows.append((pk, score + rng.randrange(15), "[]", now))
    copy_rows(MerchantRisk, ["merchant_id", "score", "reasons", "computed_at"], rows)
    return len(rows)


# Filters ----------------------------------------------------------------------------------------------------


@dataclass
class Filter:
    """One typical dashboard view: who looks, over which days, with which query parameters."""

    name: str
    viewer: str  # "moderator", "regulator" (Guangdong), "regulator_zj" (Zhejiang), "platform_owner" (Taobao)
    days: int
    params: dict[str, str | list[str]]
    interval: str = "day"
    # One merchant's view reads that merchant's rows through an index on both sides (complaint_merchant_idx on
    # the raw table), so the 10x target applies to the views that aggregate across merchants.
    across_merchants: bool = True

    def query(self, today: date) -> str:
        start = today - timedelta(days=self.days - 1)
        params = {"from": start.isoformat(), "to": today.isoformat(), **self.params, "interval": self.interval}
        return urlencode(params, doseq=True)


def typical_filters(busiest_merchant_uuid: str) -> list[Filter]:
    return [
        Filter("national, 30 days", "moderator", 30, {}),
        Filter("Guangdong, 90 days", "regulator", 90, {"province": "440000"}),
        Filter("Taobao, 90 days", "platform_owner", 90, {"platform": "taobao_tmall"}),
        Filter("Zhejiang not delivered, 30 d", "regulator_zj", 30, {"province": "330000", "category": "not_delivered"}),
        Filter("busiest merchant, 365 days", "moderator", 365, {"merchant": busiest_merchant_uuid}, "week", False),
        Filter("high risk, 90 days", "moderator", 90, {"risk": "high"}),
    ]


# Raw SQL: the same headline figures over complaints_complaint -------------------------------------------


def raw_where(f: Filter, today: date, merchant_pk: int | None) -> tuple[str, dict]:
    """WHERE clause and parameters of a filter over the raw complaints table, from the start of the previous
    period of the same length (the summary compares with it) to the end of today."""
    from complaints.models import UNCOUNTED_STATUSES
    from portal.escalations.selectors import RISK_HIGH, RISK_MEDIUM

    start = today - timedelta(days=f.days - 1)
    params: dict = {
        "previous": midnight(start - timedelta(days=f.days)),
        "start": midnight(start),
        "end": midnight(today + timedelta(days=1)),
        "uncounted": sorted(UNCOUNTED_STATUSES),
    }
    clauses = ["c.submitted_at >= %(previous)s", "c.submitted_at < %(end)s", "NOT c.status = ANY(%(uncounted)s)"]
    for key, column in [("province", "region"), ("platform", "platform"), ("category", "category")]:
        if key in f.params:
            values = f.params[key]
            clauses.append(f"c.{column} = ANY(%({key})s)")
            params[key] = [values] if isinstance(values, str) else list(values)
    if "merchant" in f.params:
        clauses.append("c.merchant_id = %(merchant)s")
        params["merchant"] = merchant_pk
    if "risk" in f.params:
        bounds = {"high": (RISK_HIGH, 101), "medium": (RISK_MEDIUM, RISK_HIGH)}[f.params["risk"]]
        clauses.append(
            "c.merchant_id IN (SELECT merchant_id FROM escalations_merchantrisk"
            " WHERE score >= %(risk_min)s AND score < %(risk_max)s)"
        )
        params["risk_min"], params["risk_max"] = bounds
    return " AND ".join(clauses), params


CNY = "c.currency = 'CNY'"
CURRENT = "c.submitted_at >= %(start)s"


def raw_summary_sql(where: str) -> str:
    """Complaints, CNY loss and merchants in the period and in the one before it, in one scan."""
    return (
        f"SELECT count(*) FILTER (WHERE {CURRENT}),"  # noqa: S608 (constants only, no user input)
        f" coalesce(sum(c.amount) FILTER (WHERE {CURRENT} AND {CNY}), 0),"
        f" count(DISTINCT c.merchant_id) FILTER (WHERE {CURRENT}),"
        f" count(*) FILTER (WHERE NOT {CURRENT}),"
        f" coalesce(sum(c.amount) FILTER (WHERE NOT {CURRENT} AND {CNY}), 0),"
        f" count(DISTINCT c.merchant_id) FILTER (WHERE NOT {CURRENT})"
        f" FROM complaints_complaint c WHERE {where}"
    )


def raw_timeseries_sql(where: str, interval: str) -> str:
    """Complaints and CNY loss per day, week or month of the period (days in Beijing time)."""
    day = "(c.submitted_at AT TIME ZONE 'Asia/Shanghai')::date"
    bucket = day if interval == "day" else f"date_trunc('{interval}', {day})::date"
    return (
        f"SELECT {bucket} AS period, count(*), coalesce(sum(c.amount) FILTER (WHERE {CNY}), 0)"  # noqa: S608
        f" FROM complaints_complaint c WHERE {where} AND {CURRENT} GROUP BY 1 ORDER BY 1"
    )


@dataclass
class Timing:
    """Milliseconds per call: wall time, and the part of it spent in the database."""

    wall: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return percentile(self.wall, 0.95)

    @property
    def db_median(self) -> float:
        return statistics.median(self.db) if self.db else 0.0


def timed(call, runs: int, warm_up: int = WARM_UP) -> tuple[Timing, object]:
    """Time `runs` calls after `warm_up` untimed ones; returns the timings and the last call's result. The first
    warm-up call counts the queries (CaptureQueriesContext), outside the timed calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import QueryTimer

    timing = Timing()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    timing.queries = len(captured.captured_queries)
    for _ in range(warm_up - 1):
        call()
    for _ in range(runs):
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            result = call()
        timing.wall.append((time.perf_counter() - started) * 1000)
        timing.db.append(timer.seconds * 1000)
    return timing, result


def raw_aggregates(f: Filter, today: date, merchant_pk: int | None) -> tuple[Timing, Timing, tuple]:
    """Time the raw-table summary and time series of a filter; returns both timings and the summary row."""
    from django.db import connection

    where, params = raw_where(f, today, merchant_pk)

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    summary_timing, summary = timed(lambda: run(raw_summary_sql(where)), RAW_RUNS, 1)
    series_timing, _series = timed(lambda: run(raw_timeseries_sql(where, f.interval)), RAW_RUNS, 1)
    return summary_timing, series_timing, summary[0]


# The page and the API, as the server serves them -------------------------------------------------------

API_CALLS = {
    "summary": "/api/v1/stats/summary/",
    "timeseries": "/api/v1/stats/timeseries/",
    "breakdown": "/api/v1/stats/breakdown/?by=category",
    "merchants": "/api/v1/stats/merchants/",
}


def signed_in(viewer: str, number: int):
    """A test client signed in as a new user of this kind: a moderator, or staff of the Guangdong or Zhejiang
    market regulator or of Taobao's owner (authorities the migrations seed). A new user per filter, as the stats
    API's throttle counts calls per user."""
    from django.test import Client

    from portal.accounts.models import User
    from portal.escalations.models import Authority, AuthorityMember

    authorities = {
        "regulator": Authority.objects.filter(kind="market_regulator", region="440000"),
        "regulator_zj": Authority.objects.filter(kind="market_regulator", region="330000"),
        "platform_owner": Authority.objects.filter(kind="platform_owner", platforms__code="taobao_tmall"),
    }
    email = f"bench-{viewer}-{number}@example.com"
    if viewer == "moderator":
        user = User.objects.create_user(email, role=User.Role.MODERATOR)
    else:
        authority = authorities[viewer].first()
        if authority is None:
            raise SystemExit(f"no {viewer} authority in the database")
        user = User.objects.create_user(email, role=User.Role.AUTHORITY)
        AuthorityMember.objects.create(user=user, authority=authority)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    # django-axes logs every sign-in at INFO: noise in the report.
    axes = logging.getLogger("axes")
    level = axes.level
    axes.setLevel(logging.WARNING)
    try:
        client.force_login(user)
    finally:
        axes.setLevel(level)
    return client


def fetch(client, url: str):
    """GET a page or API call that must answer 200."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code}\n{response.content[:2000].decode(errors='replace')}")
    return response


def with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


@dataclass
class FilterResult:
    f: Filter
    page: Timing
    api: dict[str, Timing]
    raw_summary: Timing
    raw_series: Timing
    raw_row: tuple
    api_row: tuple

    @property
    def rollup_ms(self) -> float:
        """The API's server time for the figures the raw SQL computes: the summary and the time series."""
        return self.api["summary"].median + self.api["timeseries"].median

    @property
    def raw_ms(self) -> float:
        return self.raw_summary.median + self.raw_series.median

    @property
    def ratio(self) -> float:
        return self.raw_ms / self.rollup_ms


def api_headline(summary: dict) -> tuple:
    """The summary API's figures in the raw summary row's order: this period's, then the previous one's."""
    names = ("complaints", "loss", "merchants")
    current = tuple(summary[name]["value"] for name in names)
    previous = tuple(summary[name]["previous"] for name in names)
    return tuple(Decimal(str(value)) for value in current + previous)


def measure(f: Filter, client, today: date, merchant_pk: int | None) -> FilterResult:
    query = f.query(today)
    page, _response = timed(lambda: fetch(client, f"/dashboard/?{query}"), PAGE_RUNS)
    api, api_row = {}, ()
    for name, url in API_CALLS.items():
        api[name], response = timed(lambda url=url: fetch(client, with_query(url, query)), API_RUNS)
        if name == "summary":
            api_row = api_headline(response.json())
    raw_summary, raw_series, raw_row = raw_aggregates(f, today, merchant_pk)
    raw_row = tuple(Decimal(str(value)) for value in raw_row)
    return FilterResult(f, page, api, raw_summary, raw_series, raw_row, api_row)


def cell(timing: Timing) -> str:
    return f"{timing.median:6.1f} {timing.p95:6.1f} {timing.queries:3}"


def report(results: list[FilterResult]) -> bool:
    names = list(API_CALLS)
    print("\n  Server time, ms (median, p95) and queries per request:")
    print(f"    {'filter':30} {'dashboard page':>17}" + "".join(f" {name:>17}" for name in names))
    for r in results:
        print(f"    {r.f.name:30} {cell(r.page)}" + "".join(f" {cell(r.api[name])}" for name in names))
    print("\n  The same figures over the raw complaints table (summary with the previous period, and time series):")
    print(
        f"    {'filter':30} {'complaints':>10} {'raw summary':>11} {'raw series':>10}"
        f" {'API summary+series':>18} {'DB part':>7} {'raw / API':>9}  figures"
    )
    for r in results:
        db = r.api["summary"].db_median + r.api["timeseries"].db_median
        print(
            f"    {r.f.name:30} {int(r.raw_row[0]):>10,} {r.raw_summary.median:11.1f} {r.raw_series.median:10.1f}"
            f" {r.rollup_ms:18.1f} {db:7.1f} {r.ratio:8.1f}x  {'agree' if r.raw_row == r.api_row else 'DIFFER'}"
        )
    page = max(r.page.median for r in results)
    api = max(t.median for r in results for t in r.api.values())
    ratio = min(r.ratio for r in results if r.f.across_merchants)
    differ = [r for r in results if r.raw_row != r.api_row]
    for r in differ:
        print(f"    {r.f.name}: raw {r.raw_row} API {r.api_row}")
    checks = [
        (f"slowest median page {page:.1f} ms   target < {TARGET_PAGE_MS:.0f} ms", page < TARGET_PAGE_MS),
        (f"slowest median API call {api:.1f} ms   target < {TARGET_API_MS:.0f} ms", api < TARGET_API_MS),
        (
            f"smallest raw / API ratio across merchants {ratio:.1f}x   target >= {TARGET_RATIO:.0f}x",
            ratio >= TARGET_RATIO,
        ),
        (f"API figures equal the raw SQL's for {len(results) - len(differ)} of {len(results)} filters", not differ),
    ]
    print()
    for text, ok in checks:
        print(f"  {text}   {verdict(ok)}")
    return all(ok for _text, ok in checks)


def print_seeded(seeded: Seeded) -> None:
    total = sum(seeded.seconds.values())
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in seeded.seconds.items())
    print(
        f"  seeded {seeded.complaints:,} complaints over {seeded.merchants:,} merchants in {total:.0f} s ({steps});"
        f" {seeded.rollup_rows:,} rollup rows ({seeded.rollup_rows / max(1, seeded.complaints):.2f} per complaint),"
        f" {seeded.risk_rows:,} merchant risk scores"
    )


def table_sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('complaints_complaint')),"
            " pg_size_pretty(pg_total_relation_size('complaints_dailyrollup')),"
            " pg_size_pretty(pg_total_relation_size('complaints_dailytotal')),"
            " (SELECT count(*) FROM complaints_dailytotal),"
            " pg_size_pretty(pg_total_relation_size('complaints_merchantday')),"
            " (SELECT count(*) FROM complaints_merchantday)"
        )
        raw, rollup, totals, total_rows, days, day_rows = cursor.fetchone()
    return (
        f"complaints table {raw}, rollup table {rollup}, totals table {totals} ({total_rows:,} rows), merchant days"
        f" table {days} ({day_rows:,} rows), with indexes"
    )


def run_dashboard(complaint_count: int, merchant_count: int) -> bool:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from merchants.models import Merchant

    if connection.vendor != "postgresql":
        print(
            f"\nDashboard: skipped on {connection.vendor}. The targets are for PostgreSQL and the seeding uses COPY;"
            " run DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench make bench"
        )
        return True
    print(f"\nDashboard on PostgreSQL ({connection.settings_dict['NAME']}):")
    seeded = seed(complaint_count, merchant_count)
    print_seeded(seeded)
    print(f"  {table_sizes()}")
    busiest = Merchant.objects.get(pk=seeded.busiest_merchant)
    today = timezone.localdate()
    print(
        f"  timing {PAGE_RUNS} page loads and {API_RUNS} calls of each API per filter (after {WARM_UP} to warm up),"
        f" {RAW_RUNS} raw queries (after 1); the busiest merchant is #{busiest.pk} {busiest.name}"
    )
    # Everything runs on one machine: other work on it shows in the times, so say how busy it was.
    print(f"  load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    # The test client's host name, whatever ALLOWED_HOSTS the environment sets; static file URLs without the
    # manifest collectstatic writes (a dictionary lookup in production).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    # WhiteNoise warns once that collectstatic has not run, which does not matter here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages):
        results = [
            measure(f, signed_in(f.viewer, number), today, seeded.busiest_merchant)
            for number, f in enumerate(typical_filters(str(busiest.uuid)))
        ]
    print(f"  load average after timing: {os.getloadavg()[0]:.1f}")
    return report(results)
