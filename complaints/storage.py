"""The private evidence storage, resolved from settings.STORAGES["evidence"] when first used.

A FileField calls its storage callable once, when the model class is built; handing it this lazy proxy
instead of the backend itself lets the backend follow the setting (a test's temporary directory, a
bucket configured after import) rather than freezing whatever was configured at import time.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class EvidenceStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["evidence"]


_evidence_storage = EvidenceStorage()


@receiver(setting_changed)
def _follow_storages_setting(*, setting, **kwargs):
    if setting == "STORAGES":
        _evidence_storage._wrapped = empty


def evidence_storage():
    """The storage callable of Evidence's file fields: no URL of the site serves it."""
    return _evidence_storage
