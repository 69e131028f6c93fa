"""Writing cells that spreadsheets open safely. Knows no models."""

# A cell a spreadsheet would run as a formula (CSV injection) is prefixed with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """The value as text a spreadsheet shows and never evaluates; None is empty."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
