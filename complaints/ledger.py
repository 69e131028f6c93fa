"""The collective case's ledger: what one merchant's victims claim to have lost, each transaction counted once.
Knows no models.

Victims of a run-away merchant often file twice, or file for a relative, quoting the same order. Two complaints
quoting the same order or transaction number (as `order_key` compares them) are one transaction: its amount is
counted once, the largest claimed when they differ, and the row says so. Amounts are exact decimals; each currency
has its own total and nothing in another currency is ever added to the CNY total.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

CNY = "CNY"
CENT = Decimal("0.01")
# Shown instead of all but the last characters of an order number, as many whatever the number's length.
MASK = "••••"
VISIBLE = 4


def _clean(value: str) -> str:
    """NFKC (full-width letters and digits become ASCII) without whitespace or invisible format characters."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(char for char in text if not char.isspace() and unicodedata.category(char) != "Cf")


def order_key(value: str) -> str:
    """The form two order numbers are compared in: " ab 12３" and "AB123" are the same transaction."""
    return _clean(value).casefold()


def order_mask(value: str) -> str:
    """An order number as the public may see it: its last four characters, or nothing of a number that short."""
    cleaned = _clean(value)
    return MASK + cleaned[-VISIBLE:] if len(cleaned) > VISIBLE else MASK


@dataclass(frozen=True)
class LedgerEntry:
    """One counted complaint's claim."""

    submitted_at: datetime
    amount: Decimal | None
    currency: str
    order_number: str


@dataclass(frozen=True)
class LedgerRow:
    """One transaction: the complaints quoting one order number, or a complaint that quoted none."""

    month: str  # YYYY-MM (local time) of the first complaint about it
    first_filed: datetime
    order: str  # masked; "" when no number was given
    filings: int
    # Counted once: the largest amount claimed in each currency, CNY first.
    amounts: tuple[tuple[str, Decimal], ...]
    amounts_differ: bool

    @property
    def duplicated(self) -> bool:
        return self.filings > 1


@dataclass(frozen=True)
class LedgerMonth:
    month: str
    rows: list[LedgerRow]
    totals: tuple[tuple[str, Decimal], ...]

    @property
    def cny(self) -> Decimal:
        return dict(self.totals).get(CNY, Decimal("0.00"))

    @property
    def first_day(self) -> date:
        """The month as a date, for templates to name it in the reader's language."""
        year, month = self.month.split("-")
        return date(int(year), int(month), 1)


@dataclass(frozen=True)
class Ledger:
    months: list[LedgerMonth]  # oldest first
    totals: tuple[tuple[str, Decimal], ...]

    @property
    def cny(self) -> Decimal:
        return dict(self.totals).get(CNY, Decimal("0.00"))

    @property
    def other_currencies(self) -> list[tuple[str, Decimal]]:
        return [(currency, amount) for currency, amount in self.totals if currency != CNY]

    @property
    def transactions(self) -> int:
        return sum(len(month.rows) for month in self.months)

    @property
    def duplicated(self) -> int:
        """Transactions more than one complaint quoted."""
        return sum(row.duplicated for month in self.months for row in month.rows)


def _ordered(totals: dict[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    return tuple(
        (currency, amount.quantize(CENT))
        for currency, amount in sorted(totals.items(), key=lambda item: (item[0] != CNY, item[0]))
    )


def _row(entries: list[LedgerEntry]) -> LedgerRow:
    first = min(entries, key=lambda entry: entry.submitted_at)
    largest: dict[str, Decimal] = {}
    claimed = set()
    for entry in entries:
        if entry.amount is not None:
            currency = entry.currency or CNY
            claimed.add((currency, entry.amount))
            largest[currency] = max(largest.get(currency, entry.amount), entry.amount)
    return LedgerRow(
        month=timezone.localtime(first.submitted_at).strftime("%Y-%m"),
        first_filed=first.submitted_at,
        order=order_mask(first.order_number) if order_key(first.order_number) else "",
        filings=len(entries),
        amounts=_ordered(largest),
        amounts_differ=len(claimed) > 1,
    )


def ledger_build(entries: list[LedgerEntry]) -> Ledger:
    """Group the claims into transactions, and the transactions by the month of their first complaint."""
    by_order: dict[str, list[LedgerEntry]] = defaultdict(list)
    rows = []
    for entry in entries:
        key = order_key(entry.order_number)
        if key:
            by_order[key].append(entry)
        else:
            rows.append(_row([entry]))
    rows.extend(_row(group) for group in by_order.values())
    rows.sort(key=lambda row: (row.first_filed, row.order))
    by_month: dict[str, list[LedgerRow]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)
    months, grand = [], defaultdict(Decimal)
    for month in sorted(by_month):
        totals = defaultdict(Decimal)
        for row in by_month[month]:
            for currency, amount in row.amounts:
                totals[currency] += amount
                grand[currency] += amount
        months.append(LedgerMonth(month=month, rows=by_month[month], totals=_ordered(totals)))
    return Ledger(months=months, totals=_ordered(grand))
