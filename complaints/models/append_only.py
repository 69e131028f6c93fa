from django.db import models

MSG_APPEND_ONLY = "This record is append-only."


class AppendOnlyQuerySet(models.QuerySet):
    """No bulk rewrite of the record: update() and delete() refuse, as the instances do."""

    def update(self, **kwargs):
        raise ValueError(MSG_APPEND_ONLY)

    def delete(self):
        raise ValueError(MSG_APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValueError(MSG_APPEND_ONLY)


class AppendOnlyModel(models.Model):
    """An audit record: rows are added, never changed or removed through the ORM (instances and querysets)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(MSG_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(MSG_APPEND_ONLY)
