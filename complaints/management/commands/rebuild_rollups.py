"""`manage.py rebuild_rollups [--batch N]`

Recomputes every merchant's totals and daily rollup cells from its complaints, then the day totals from the
rollup cells: a repair for figures that drifted (a restored backup, a hand edit in the database). Filings may go
on meanwhile; each batch of merchants and the totals are rebuilt under the locks that filings take.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from complaints.rollups import rollup_rebuild, rollup_totals_rebuild
from merchants.selectors import merchant_ids_all

MSG_DONE = _("Rebuilt the figures of %(merchants)d merchants and %(cells)d day totals.")


class Command(BaseCommand):
    help = "Recompute merchant totals, daily rollups and day totals from the complaints."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="Merchants rebuilt per transaction.")

    def handle(self, *args, batch, **options):
        ids = merchant_ids_all()
        for start in range(0, len(ids), batch):
            rollup_rebuild(merchant_ids=ids[start : start + batch])
        cells = rollup_totals_rebuild()
        self.stdout.write(str(MSG_DONE % {"merchants": len(ids), "cells": cells}))
