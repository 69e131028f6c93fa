"""The admin cannot change what the rollups count a complaint by, nor delete a complaint they count."""

import pytest
from django.contrib.admin.sites import site

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_rollup_dimensions_are_read_only_and_complaints_cannot_be_deleted(rf, admin_user):
    model_admin = site._registry[Complaint]
    request = rf.get("/admin/")
    request.user = admin_user
    complaint = ComplaintFactory()

    read_only = set(model_admin.get_readonly_fields(request, complaint))

    assert {"category", "region", "platform", "amount", "currency", "status", "merchant"} <= read_only
    assert not model_admin.has_delete_permission(request, complaint)
