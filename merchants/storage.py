"""The private file storage (settings.STORAGES["evidence"]): evidence, business licences. No URL of the site
serves it; permission-checked views stream its files.

A FileField calls its storage callable once, when the model class is built; handing it this lazy proxy
instead of the backend itself lets the backend follow the setting (a test's temporary directory, a
bucket configured after import) rather than freezing whatever was configured at import time.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["evidence"]


_private_storage = PrivateStorage()


@receiver(setting_changed)
def _follow_storages_setting(*, setting, **kwargs):
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def private_storage():
    """The storage callable of private file fields."""
    return _private_storage
