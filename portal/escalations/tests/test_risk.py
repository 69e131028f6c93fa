import math
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from complaints.selectors import RiskInput
from portal.escalations.risk import (
    MANUAL,
    SURGE,
    VANISHED,
    VOLUME,
    YOUNG_COMPANY,
    Rule,
    lookback,
    poisson_tail,
    reason_text,
    risk_evaluate,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def complaints(count, *, hours_ago=1.0, category="refund_refused", amount="100.00", spread_hours=0.0):
    """`count` complaints from `hours_ago` back, spread evenly over `spread_hours` before that."""
    step = spread_hours / count if count else 0
    return [
        RiskInput(
            submitted_at=NOW - timedelta(hours=hours_ago + i * step),
            category=category,
            amount=None if amount is None else Decimal(amount),
            region="310000",
        )
        for i in range(count)
    ]


def evaluate(inputs, *rules, **kwargs):
    return risk_evaluate(inputs=inputs, rules=rules, now=NOW, **kwargs)


def reference_tail(k: int, lam: str) -> Decimal:
    """P(X >= k) to 50 digits: 1 minus the sum of the terms below k."""
    with localcontext() as context:
        context.prec = 50
        rate = Decimal(lam)
        term = (-rate).exp()
        below = Decimal(0)
        for i in range(k):
            below += term
            term = term * rate / (i + 1)
        return +(1 - below)


# Poisson tail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "lam", "expected"),
    [
        (0, 3.0, 1.0),
        (1, 1.0, 1 - math.exp(-1)),
        (2, 1.0, 1 - 2 * math.exp(-1)),
        (3, 0.5, 1 - math.exp(-0.5) * (1 + 0.5 + 0.125)),
        (10, 2.0, 4.6498075017264e-05),
        (5, 0.1, 7.66780168618931e-08),
        (50, 50.0, 0.518808315472043),
    ],
)
def test_poisson_tail_known_values(k, lam, expected):
    assert poisson_tail(k, lam) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("k", "lam"), [(30, "1"), (60, "50"), (5, "0.1"), (200, "3")])
def test_poisson_tail_keeps_precision_far_in_the_tail(k, lam):
    """1 - CDF in floats gives 0 for these; the direct sum must match a 50-digit reference."""
    assert poisson_tail(k, float(lam)) == pytest.approx(float(reference_tail(k, lam)), rel=1e-9)
    assert poisson_tail(k, float(lam)) > 0


def test_poisson_tail_without_rate():
    assert poisson_tail(1, 0.0) == 0.0
    assert poisson_tail(0, 0.0) == 1.0


def test_poisson_tail_falls_as_k_rises():
    tails = [poisson_tail(k, 4.0) for k in range(0, 25)]
    assert tails == sorted(tails, reverse=True)


# Surge --------------------------------------------------------------------------------------------


def test_surge_fires_at_five_for_a_merchant_without_history():
    assessment = evaluate(complaints(5, spread_hours=20), Rule(SURGE, 40))
    assert assessment.fired == [SURGE]
    reason = assessment.reasons[0]
    assert reason["count"] == 5
    assert reason["daily_rate"] == 0.1  # the floor
    assert reason["tail"] == pytest.approx(poisson_tail(5, 0.1))


def test_surge_needs_five_even_when_improbable():
    assert evaluate(complaints(4, spread_hours=20), Rule(SURGE, 40)).fired == []


def test_surge_needs_an_improbable_count_against_the_merchants_own_rate():
    # One a day for the 30 days before the window: 5 in a day has P = 0.0037, 6 has P = 0.00059.
    baseline = complaints(30, hours_ago=24.5, spread_hours=30 * 24 - 1)
    assert evaluate(baseline + complaints(5, spread_hours=20), Rule(SURGE, 40)).fired == []
    assessment = evaluate(baseline + complaints(6, spread_hours=20), Rule(SURGE, 40))
    assert assessment.fired == [SURGE]
    assert assessment.reasons[0]["daily_rate"] == 1.0


def test_surge_baseline_excludes_the_window_and_older_complaints():
    # Complaints older than the 30-day baseline do not raise the usual rate.
    ancient = complaints(300, hours_ago=24 + 31 * 24, spread_hours=24)
    assert evaluate(ancient + complaints(5, spread_hours=20), Rule(SURGE, 40)).fired == [SURGE]


def test_surge_threshold_is_editable():
    strict = Rule(SURGE, 40, {"max_tail": 1e-9})
    assert evaluate(complaints(5, spread_hours=20), strict).fired == []
    assert evaluate(complaints(7, spread_hours=20), strict).fired == [SURGE]


def test_steady_merchant_never_surges():
    """50 a day, evenly, for 60 days: evaluated every hour of the last 30 days, the surge rule stays quiet."""
    inputs = complaints(50 * 60, hours_ago=0, spread_hours=60 * 24)
    for hour in range(30 * 24):
        at = NOW - timedelta(hours=hour)
        assert risk_evaluate(inputs=inputs, rules=[Rule(SURGE, 40)], now=at).fired == []


# Volume -------------------------------------------------------------------------------------------


def test_volume_fires_at_twenty_complaints_in_thirty_days():
    rule = Rule(VOLUME, 20)
    assert evaluate(complaints(19, spread_hours=29 * 24), rule).fired == []
    assessment = evaluate(complaints(20, spread_hours=29 * 24), rule)
    assert assessment.fired == [VOLUME]
    assert assessment.reasons[0] == {"rule": VOLUME, "count": 20, "loss": "2000.00", "days": 30}


def test_volume_fires_at_one_hundred_thousand_claimed():
    rule = Rule(VOLUME, 20)
    assert evaluate(complaints(1, amount="99999.99"), rule).fired == []
    assert evaluate(complaints(1, amount="100000.00"), rule).fired == [VOLUME]


def test_volume_ignores_older_complaints_and_unknown_amounts():
    rule = Rule(VOLUME, 20)
    old = complaints(30, hours_ago=31 * 24, amount="100000.00")
    assert evaluate(old + complaints(5, amount=None), rule).fired == []


# Vanished -----------------------------------------------------------------------------------------


def test_vanished_fires_at_three_in_seven_days():
    rule = Rule(VANISHED, 40)
    two = complaints(1, category="not_delivered") + complaints(1, hours_ago=6 * 24, category="merchant_vanished")
    assert evaluate(two, rule).fired == []
    assessment = evaluate(two + complaints(1, hours_ago=3, category="not_delivered"), rule)
    assert assessment.fired == [VANISHED]
    assert assessment.reasons[0]["count"] == 3


def test_vanished_counts_only_its_categories_within_the_window():
    rule = Rule(VANISHED, 40)
    inputs = complaints(2, category="not_delivered") + complaints(5, category="refund_refused")
    assert evaluate(inputs + complaints(1, hours_ago=8 * 24, category="not_delivered"), rule).fired == []
    assert evaluate(complaints(3, category="not_delivered"), Rule(VANISHED, 40, {"min_count": 4})).fired == []


# Young company ------------------------------------------------------------------------------------


def test_young_company_fires_with_three_complaints_under_180_days():
    rule = Rule(YOUNG_COMPANY, 30)
    young = date(2025, 3, 1) - timedelta(days=179)
    assert evaluate(complaints(2), rule, registered_on=young).fired == []
    assessment = evaluate(complaints(3), rule, registered_on=young)
    assert assessment.fired == [YOUNG_COMPANY]
    assert assessment.reasons[0] == {"rule": YOUNG_COMPANY, "age_days": 179, "count": 3}


def test_young_company_needs_a_known_recent_registration():
    rule = Rule(YOUNG_COMPANY, 30)
    assert evaluate(complaints(3), rule, registered_on=date(2025, 3, 1) - timedelta(days=180)).fired == []
    assert evaluate(complaints(3), rule, registered_on=None).fired == []


# Manual, score, lookback --------------------------------------------------------------------------


def test_manual_fires_while_a_moderator_escalation_is_open():
    assert evaluate([], Rule(MANUAL, 50)).fired == []
    assert evaluate([], Rule(MANUAL, 50), manual=True).reasons == [{"rule": MANUAL}]


def test_score_is_the_sum_of_fired_rules_capped_at_100():
    wave = complaints(8, category="not_delivered", amount="20000.00", spread_hours=10)
    young = date(2024, 12, 1)
    rules = [Rule(SURGE, 40), Rule(VOLUME, 20), Rule(VANISHED, 40), Rule(YOUNG_COMPANY, 30), Rule(MANUAL, 50)]
    assessment = evaluate(wave, *rules, registered_on=young, manual=True)
    assert assessment.fired == [SURGE, VOLUME, VANISHED, YOUNG_COMPANY, MANUAL]
    assert assessment.score == 100
    assert evaluate(wave, Rule(VOLUME, 20), Rule(VANISHED, 40), Rule(SURGE, 0)).score == 60
    assert evaluate(complaints(1), *rules).score == 0


def test_complaints_after_now_are_ignored():
    future = [RiskInput(submitted_at=NOW + timedelta(hours=1), category="not_delivered", amount=None, region="")]
    assert evaluate(future * 5, Rule(VANISHED, 40), Rule(SURGE, 40)).fired == []


def test_lookback_reads_back_to_a_young_companys_registration_only():
    rules = [Rule(SURGE, 40), Rule(VOLUME, 20), Rule(VANISHED, 40), Rule(YOUNG_COMPANY, 30)]
    assert lookback(rules, None, NOW) == NOW - timedelta(days=31)
    assert lookback(rules, date(2020, 1, 1), NOW) == NOW - timedelta(days=31)
    assert lookback(rules, date(2025, 1, 1), NOW) == NOW - timedelta(days=180)


# Reasons as sentences -----------------------------------------------------------------------------


def test_reason_text_in_english():
    surge = {"rule": SURGE, "count": 7, "hours": 24, "daily_rate": 0.3, "expected": 0.3, "tail": 1e-5, "max_tail": 1e-3}
    with translation.override("en"):
        assert reason_text(surge) == (
            "7 accepted complaints in 24 hours against a usual 0.3 a day (chance under 1 in 1,000)"
        )
        assert reason_text({"rule": VOLUME, "count": 25, "loss": "123456.5", "days": 30}) == (
            "25 complaints claiming 123,456.50 CNY in 30 days"
        )
        assert reason_text({"rule": VANISHED, "count": 3, "days": 7, "categories": []}) == (
            "3 complaints of non-delivery or a vanished merchant in 7 days"
        )
        assert reason_text({"rule": YOUNG_COMPANY, "age_days": 40, "count": 1}) == (
            "Company registered 40 days ago, with 1 complaint"
        )
        assert reason_text({"rule": MANUAL}) == "Escalated by a moderator"


def test_reason_text_for_every_fired_rule_is_not_empty_in_both_languages():
    wave = complaints(8, category="not_delivered", amount="20000.00", spread_hours=10)
    rules = [Rule(SURGE, 40), Rule(VOLUME, 20), Rule(VANISHED, 40), Rule(YOUNG_COMPANY, 30), Rule(MANUAL, 50)]
    reasons = evaluate(wave, *rules, registered_on=date(2025, 1, 1), manual=True).reasons
    for language in ("en", "zh-hans"):
        with translation.override(language):
            texts = [reason_text(reason) for reason in reasons]
        assert all(texts) and len(set(texts)) == len(reasons)
