"""Salesforce's relative date literals (``TODAY``, ``LAST_N_DAYS:7``): which texts are one.

Shared by the filter validation (a workflow is refused at save) and the engine's SOQL
builder (the literal goes to the query unquoted, so only these exact forms may pass).
"""

from __future__ import annotations

import re

#: The names (``NAME:n`` for the N-forms, n a positive integer).
DATE_LITERALS = frozenset({
    "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER",
    "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
    "THIS_FISCAL_QUARTER", "LAST_FISCAL_QUARTER", "NEXT_FISCAL_QUARTER",
    "THIS_FISCAL_YEAR", "LAST_FISCAL_YEAR", "NEXT_FISCAL_YEAR",
})
DATE_LITERALS_N = frozenset({
    "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS",
    "N_WEEKS_AGO", "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS",
    "NEXT_N_QUARTERS", "N_QUARTERS_AGO", "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
    "LAST_N_FISCAL_QUARTERS", "NEXT_N_FISCAL_QUARTERS", "N_FISCAL_QUARTERS_AGO",
    "LAST_N_FISCAL_YEARS", "NEXT_N_FISCAL_YEARS", "N_FISCAL_YEARS_AGO",
})
_DATE_LITERAL_N = re.compile(r"^([A-Z_]+):([0-9]{1,4})$")


def date_literal(value: str) -> str | None:
    """``value`` as a Salesforce relative date literal (``TODAY``, ``LAST_N_DAYS:7``), or
    None when it is not exactly one (it is then no date literal and must be a date)."""
    text = str(value).strip().upper()
    if text in DATE_LITERALS:
        return text
    match = _DATE_LITERAL_N.match(text)
    if match and match[1] in DATE_LITERALS_N and int(match[2]) > 0:
        return f"{match[1]}:{int(match[2])}"
    return None
