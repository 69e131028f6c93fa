"""Reads for bench/surge.py: "check before you pay" and the public merchant page over 100,000 merchants and
1,000,000 complaints, and EXPLAIN of the hot queries.

The data set is the dashboard benchmark's (bench.dashboard.seed, loaded with COPY); when the database already
holds it (bench/run.py ran the dashboard part first) it is used as it is. That seed gives merchants no
identifiers, so each merchant without one gets its name (normalised and in pinyin, as the resolver writes it)
and a mobile phone, loaded with COPY too. Server time is the wall time of django.test.Client: routing,
middleware, the throttle, the queries, the serializer or the template; each request from another client
address, as visitors' are.
"""

import statistics
import time
import warnings
from dataclasses import dataclass, field

from bench.intake import median, percentile

LOOKUP_RUNS, PAGE_RUNS, WARM_UP = 20, 15, 2
PHONE_PREFIX = "138"


@dataclass
class ReadTiming:
    what: str
    url: str
    ms: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median(self) -> float:
        return median(self.ms)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 0.95)


def ensure_dataset(complaints: int, merchants: int) -> str:
    """Seed the dashboard's data set unless the database holds one at least that large; say which."""
    from bench.dashboard import print_seeded, seed
    from complaints.models import Complaint
    from merchants.models import Merchant

    have = Complaint.objects.count()
    if have >= complaints and Merchant.objects.count() >= merchants:
        return f"the {have:,} complaints already in the database (bench/run.py's dashboard part seeded them)"
    seeded = seed(complaints, merchants)
    print_seeded(seeded)
    return f"{complaints:,} complaints over {merchants:,} merchants seeded by bench.dashboard.seed"


def add_identifiers() -> int:
    """A name and a mobile phone for every merchant that has no name identifier; returns how many merchants."""
    from django.db import connection
    from django.utils import timezone

    from bench.run import copy_rows
    from merchants import identifiers as ids
    from merchants.models import Identifier

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.id, m.name FROM merchants_merchant m WHERE NOT EXISTS (SELECT 1 FROM merchants_identifier i"
            " WHERE i.merchant_id = m.id AND i.kind = %s) ORDER BY m.id",
            [ids.NAME],
        )
        bare = cursor.fetchall()
    if not bare:
        return 0
    # The phone of merchant pk is 138 followed by pk in eight digits: unique, and valid as the resolver reads it.
    assert ids.normalize_phone(phone_of(bare[0][0])) == "+86" + phone_of(bare[0][0])
    now = timezone.now()

    def rows():
        for pk, name in bare:
            yield (pk, ids.NAME, "weak", name, ids.normalize_name(name), ids.name_pinyin(name), now)
            yield (pk, ids.PHONE, "strong", phone_of(pk), "+86" + phone_of(pk), "", now)

    copy_rows(Identifier, ["merchant_id", "kind", "strength", "value", "normalized", "pinyin", "created_at"], rows())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE merchants_identifier")
    return len(bare)


def phone_of(pk: int) -> str:
    return f"{PHONE_PREFIX}{pk:08d}"


def _timed(client, url: str, runs: int, address: list[int], data: dict | None = None) -> ReadTiming:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timing = ReadTiming(what="", url=url)

    def get():
        address[0] += 1
        response = client.get(
            url, data, REMOTE_ADDR=f"10.{address[0] >> 16 & 255}.{address[0] >> 8 & 255}.{address[0] & 255}"
        )
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: HTTP {response.status_code}\n{response.content[:1000]!r}")

    with CaptureQueriesContext(connection) as captured:
        get()
    timing.queries = len(captured.captured_queries)
    for _ in range(WARM_UP - 1):
        get()
    for _ in range(runs):
        started = time.perf_counter()
        get()
        timing.ms.append((time.perf_counter() - started) * 1000)
    return timing


def sample_merchants():
    """The busiest merchant, the 100th and one with a median number of complaints (by MerchantStats)."""
    from complaints.models import MerchantStats
    from merchants.models import Merchant

    ranked = list(MerchantStats.objects.order_by("-complaints", "merchant_id").values_list("merchant_id", "complaints"))
    picks = [("busiest", ranked[0]), ("100th busiest", ranked[min(99, len(ranked) - 1)])]
    picks.append(("median", ranked[len(ranked) // 2]))
    merchants = Merchant.objects.in_bulk([pk for _label, (pk, _n) in picks])
    return [(f"{label} ({count:,} complaints)", merchants[pk]) for label, (pk, count) in picks]


def lookup_queries(merchants) -> list[tuple[str, str]]:
    from merchants import identifiers as ids

    busiest = merchants[0][1]
    median_one = merchants[2][1]
    return [
        ("exact name", busiest.name),
        ("near name", busiest.name + "官方旗舰店"),
        ("pinyin", ids.name_pinyin(median_one.name)),
        ("phone", "+86 " + phone_of(median_one.pk)),
        ("unknown name", "完全没有这家店铺名称"),
    ]


def measure(runs_scale: float = 1.0) -> list[ReadTiming]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    merchants = sample_merchants()
    lookup_runs = max(3, int(LOOKUP_RUNS * runs_scale))
    page_runs = max(3, int(PAGE_RUNS * runs_scale))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    timings, address = [], [0]
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES={**settings.STORAGES, "staticfiles": plain}):
        for kind, query in lookup_queries(merchants):
            for label, path in [("lookup API", "/api/v1/merchants/"), ("check page", "/check/")]:
                timing = _timed(client, path, lookup_runs, address, {"q": query})
                timing.what, timing.url = f"{label}, {kind}", f"{path}?q={query}"
                timings.append(timing)
        for label, merchant in merchants:
            for page, url in [("merchant page", f"/merchants/{merchant.uuid}/"), ("merchant API", None)]:
                timing = _timed(client, url or f"/api/v1/merchants/{merchant.uuid}/", page_runs, address)
                timing.what = f"{page}, {label}"
                timings.append(timing)
    return timings


# EXPLAIN ----------------------------------------------------------------------------------------------------


def _selects(call) -> list[str]:
    """The SELECTs `call` sends, in order, once each, run in a transaction that is rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        call()
        transaction.set_rollback(True)
    # The name search's set_config (merchants.selectors.TRIGRAM_SETTINGS) is a SELECT too; _explain applies it.
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    return list(dict.fromkeys(sql for sql in selects if not sql.lstrip().startswith("SELECT set_config(")))


def _explain(sql: str) -> str:
    from django.db import connection

    from merchants.selectors import TRIGRAM_SETTINGS

    with connection.cursor() as cursor:
        # The name search runs with these settings in its own transaction (merchants.selectors); EXPLAIN needs them.
        for name, value in TRIGRAM_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        for name in TRIGRAM_SETTINGS:
            cursor.execute(f"RESET {name}")
    return plan


def _over_complaints(sql: str) -> bool:
    """A profile's queries worth explaining: those that read complaints or their rollups (the others look rows up
    by primary key)."""
    return "complaints_complaint" in sql or "complaints_dailyrollup" in sql


def explain_hot_queries() -> list[tuple[str, str, str]]:
    """(what, SQL, plan) for the lookup by name and by phone, the busiest merchant's profile (its queries over
    complaints and rollups), and the filing's merchant resolution by an app ID it knows and by a name only."""
    from merchants.lookup import merchant_lookup
    from merchants.services import MerchantClaims, merchant_resolve
    from portal.pages.profiles import merchant_profile

    merchants = sample_merchants()
    busiest = merchants[0][1]
    cases = [
        ("lookup by name", lambda: merchant_lookup(q=busiest.name + "官方旗舰店")),
        # As timed above: a phone typed with its country code.
        ("lookup by phone", lambda: merchant_lookup(q="+86 " + phone_of(merchants[2][1].pk))),
        ("merchant page, busiest", lambda: merchant_profile(busiest), _over_complaints),
        (
            "filing: resolve by phone and name",
            lambda: merchant_resolve(
                claims=MerchantClaims(merchant_name=busiest.name, merchant_phone=phone_of(busiest.pk))
            ),
        ),
        (
            "filing: resolve by a new name",
            lambda: merchant_resolve(claims=MerchantClaims(merchant_name="从未听说的小店")),
        ),
    ]
    explained = []
    for what, call, *keep in cases:
        selects = [sql for sql in _selects(call) if not keep or keep[0](sql)]
        for index, sql in enumerate(selects, start=1):
            explained.append((f"{what}, query {index}", sql, _explain(sql)))
    return explained


def summary(timings: list[ReadTiming]) -> dict[str, float]:
    """Median of the medians per kind of read."""
    kinds = {}
    for timing in timings:
        kinds.setdefault(timing.what.split(",")[0], []).append(timing.median)
    return {kind: statistics.median(values) for kind, values in kinds.items()}
