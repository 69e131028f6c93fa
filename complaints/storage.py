"""Evidence is kept in the private storage (merchants.storage)."""

from merchants.storage import private_storage


def evidence_storage():
    """The storage callable of Evidence's file fields: no URL of the site serves it."""
    return private_storage()
