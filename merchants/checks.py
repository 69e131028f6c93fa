"""System checks for what name matching needs from the database."""

from django.core.checks import Error, Tags, register
from django.db import connections

E001 = "merchants.E001"


def ctype_is_utf8(ctype: str) -> bool:
    return ctype.replace("-", "").lower().endswith("utf8")


@register(Tags.database)
def check_utf8_ctype(app_configs, databases=None, **kwargs):
    """pg_trgm only finds trigrams in characters the database's ctype calls letters: under a C or Latin ctype
    Chinese names have none, and name matching silently finds nothing. Runs with `migrate` and
    `check --database default`."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            (ctype,) = cursor.fetchone()
        if not ctype_is_utf8(ctype):
            errors.append(
                Error(
                    f"Database {alias!r} uses the ctype {ctype!r}; merchant-name matching needs a UTF-8 ctype.",
                    hint="Create the database with LC_CTYPE 'C.UTF-8' (or another UTF-8 locale) from template0.",
                    id=E001,
                )
            )
    return errors
