"""The early-warning rules, without the database: given one merchant's counted complaints (accepted or later, not
flagged as brigading) and the rules' parameters, say which rules fire, the score they add up to and why.

Each reason is a dict of the numbers a person needs to judge it (`reason_text` renders it in the reader's
language); it is stored as JSON on MerchantRisk and on escalations, so values are JSON types (money as strings).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

SURGE = "surge"
VOLUME = "volume"
VANISHED = "vanished"
YOUNG_COMPANY = "young_company"
MANUAL = "manual"

# The parameters each rule falls back on when an admin leaves one out (RiskRule.params overrides them).
DEFAULT_PARAMS = {
    SURGE: {
        "min_count": 5,
        "window_hours": 24,
        "baseline_days": 30,
        "max_tail": 0.001,
        # A merchant without history gets this baseline, so its first wave is measured against "almost nothing"
        # rather than refused for want of a rate (a rate of 0 would make any complaint infinitely surprising).
        "min_daily_rate": 0.1,
    },
    VOLUME: {"min_count": 20, "min_loss": "100000", "window_days": 30},
    VANISHED: {"min_count": 3, "window_days": 7, "categories": ["merchant_vanished", "not_delivered"]},
    YOUNG_COMPANY: {"max_age_days": 180, "min_count": 3},
    MANUAL: {},
}


@dataclass(frozen=True)
class Rule:
    """An enabled rule as the engine needs it (RiskRule without the database)."""

    code: str
    points: int
    params: dict = field(default_factory=dict)

    def param(self, name: str):
        return self.params.get(name, DEFAULT_PARAMS[self.code].get(name))


@dataclass(frozen=True)
class Assessment:
    score: int
    reasons: list[dict]
    fired: list[str]


def poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam).

    Far in the tail (k > lam) the terms from k upwards are summed directly, so probabilities like 1e-12 keep their
    precision instead of vanishing in 1 - (something close to 1); otherwise 1 minus the terms below k.
    """
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    if k > lam:
        term = math.exp(log_term)
        total = 0.0
        i = k
        # Terms shrink by lam / (i + 1) < 1 from here on; stop once they no longer change the sum.
        while term > 0 and term > total * 1e-17:
            total += term
            i += 1
            term *= lam / i
        return min(1.0, total)
    term = math.exp(-lam)
    below = 0.0
    for i in range(k):
        below += term
        term *= lam / (i + 1)
    return max(0.0, 1.0 - below)


def _within(inputs: Sequence, start: datetime, end: datetime) -> list:
    """Complaints submitted in (start, end]."""
    return [one for one in inputs if start < one.submitted_at <= end]


def _surge(rule: Rule, inputs: Sequence, now: datetime) -> dict | None:
    window = timedelta(hours=rule.param("window_hours"))
    baseline_days = rule.param("baseline_days")
    recent = len(_within(inputs, now - window, now))
    if recent < rule.param("min_count"):
        return None
    # The merchant's own usual rate, from the weeks before the window (the window itself would dilute it).
    before = len(_within(inputs, now - window - timedelta(days=baseline_days), now - window))
    daily_rate = max(before / baseline_days, float(rule.param("min_daily_rate")))
    expected = daily_rate * window.total_seconds() / 86400
    tail = poisson_tail(recent, expected)
    if tail >= float(rule.param("max_tail")):
        return None
    return {
        "rule": SURGE,
        "count": recent,
        "hours": rule.param("window_hours"),
        "daily_rate": round(daily_rate, 2),
        "expected": round(expected, 2),
        "tail": tail,
        "max_tail": float(rule.param("max_tail")),
    }


def _money(inputs: Iterable) -> Decimal:
    return sum((one.amount for one in inputs if one.amount is not None), Decimal("0.00"))


def _volume(rule: Rule, inputs: Sequence, now: datetime) -> dict | None:
    days = rule.param("window_days")
    window = _within(inputs, now - timedelta(days=days), now)
    loss = _money(window)
    min_loss = Decimal(str(rule.param("min_loss")))
    if len(window) < rule.param("min_count") and loss < min_loss:
        return None
    return {"rule": VOLUME, "count": len(window), "loss": str(loss), "days": days}


def _vanished(rule: Rule, inputs: Sequence, now: datetime) -> dict | None:
    days = rule.param("window_days")
    categories = set(rule.param("categories"))
    matching = [one for one in _within(inputs, now - timedelta(days=days), now) if one.category in categories]
    if len(matching) < rule.param("min_count"):
        return None
    return {"rule": VANISHED, "count": len(matching), "days": days, "categories": sorted(categories)}


def _young_company(rule: Rule, inputs: Sequence, now: datetime, registered_on: date | None) -> dict | None:
    if registered_on is None:
        return None
    max_age = rule.param("max_age_days")
    age = (timezone.localdate(now) - registered_on).days
    if not 0 <= age < max_age:
        return None
    count = len(_within(inputs, now - timedelta(days=max_age), now))
    if count < rule.param("min_count"):
        return None
    return {"rule": YOUNG_COMPANY, "age_days": age, "count": count}


def lookback(rules: Iterable[Rule], registered_on: date | None, now: datetime) -> datetime:
    """How far back the rules read complaints. The young-company rule reads back to the registration only when
    the company is young, so an old merchant's evaluation never reads more than its windows."""
    spans = [timedelta(days=1)]
    for rule in rules:
        if rule.code == SURGE:
            spans.append(timedelta(hours=rule.param("window_hours"), days=rule.param("baseline_days")))
        elif rule.code in (VOLUME, VANISHED):
            spans.append(timedelta(days=rule.param("window_days")))
        elif rule.code == YOUNG_COMPANY and registered_on is not None:
            age = (timezone.localdate(now) - registered_on).days
            if 0 <= age < rule.param("max_age_days"):
                spans.append(timedelta(days=rule.param("max_age_days")))
    return now - max(spans)


def risk_evaluate(
    *, inputs: Sequence, rules: Iterable[Rule], now: datetime, registered_on: date | None = None, manual: bool = False
) -> Assessment:
    """Evaluate the enabled `rules` on a merchant's counted complaints (objects with submitted_at, category,
    amount in CNY or None, region) as of `now`; complaints after `now` are ignored. `manual` is true while a
    moderator's escalation of the merchant is open. The score is the sum of the fired rules' points, at most 100."""
    reasons = []
    fired = []
    points = 0
    for rule in rules:
        if rule.code == SURGE:
            reason = _surge(rule, inputs, now)
        elif rule.code == VOLUME:
            reason = _volume(rule, inputs, now)
        elif rule.code == VANISHED:
            reason = _vanished(rule, inputs, now)
        elif rule.code == YOUNG_COMPANY:
            reason = _young_company(rule, inputs, now, registered_on)
        elif rule.code == MANUAL:
            reason = {"rule": MANUAL} if manual else None
        else:
            raise ValueError(f"unknown risk rule {rule.code!r}")
        if reason is not None:
            reasons.append(reason)
            fired.append(rule.code)
            points += rule.points
    return Assessment(score=min(100, points), reasons=reasons, fired=fired)


def _one_in(tail: float) -> str:
    """The chance threshold as "1 in N" with N grouped (1,000), as people read odds."""
    return number_format(round(1 / tail), force_grouping=True) if tail > 0 else "∞"


def reason_text(reason: dict) -> str:
    """One reason as a sentence in the active language."""
    rule = reason.get("rule")
    if rule == SURGE:
        count = reason["count"]
        return ngettext(
            "%(count)d accepted complaint in %(hours)d hours against a usual %(rate)s a day "
            "(chance under 1 in %(odds)s)",
            "%(count)d accepted complaints in %(hours)d hours against a usual %(rate)s a day "
            "(chance under 1 in %(odds)s)",
            count,
        ) % {
            "count": count,
            "hours": reason["hours"],
            "rate": number_format(reason["daily_rate"], decimal_pos=1),
            "odds": _one_in(reason["max_tail"]),
        }
    if rule == VOLUME:
        count = reason["count"]
        return ngettext(
            "%(count)d complaint claiming %(loss)s CNY in %(days)d days",
            "%(count)d complaints claiming %(loss)s CNY in %(days)d days",
            count,
        ) % {
            "count": count,
            "loss": number_format(Decimal(reason["loss"]), decimal_pos=2, force_grouping=True),
            "days": reason["days"],
        }
    if rule == VANISHED:
        count = reason["count"]
        return ngettext(
            "%(count)d complaint of non-delivery or a vanished merchant in %(days)d days",
            "%(count)d complaints of non-delivery or a vanished merchant in %(days)d days",
            count,
        ) % {"count": count, "days": reason["days"]}
    if rule == YOUNG_COMPANY:
        count = reason["count"]
        return ngettext(
            "Company registered %(age)d days ago, with %(count)d complaint",
            "Company registered %(age)d days ago, with %(count)d complaints",
            count,
        ) % {"age": reason["age_days"], "count": count}
    if rule == MANUAL:
        return gettext("Escalated by a moderator")
    return gettext("Rule %(rule)s") % {"rule": rule}
