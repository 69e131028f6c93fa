"""What one filing costs and how long it holds the merchant's locks: in a surge every filing against one merchant
waits for them (bench/surge.py measures it)."""

from django.db import connection

from complaints import services
from complaints.models import Complaint, Evidence, TimelineEvent
from complaints.storage import evidence_storage
from complaints.tests.files import jpeg_bytes, upload
from complaints.tests.test_apis import LIST_URL, filing
from portal.api.tests.helpers import api_client

# The token, the strong identifiers, the names the merchant has, the merchant held shared (PostgreSQL's advisory lock)
# and read, the complaint (in a savepoint: a tracking code drawn twice is drawn again), the timeline, and the
# merchant's totals with its day's cells: one round trip on PostgreSQL, five statements on SQLite. The test's
# transaction makes the filing's a savepoint too.
JSON_FILING_QUERIES = 12 if connection.vendor == "postgresql" else 15


def test_a_json_filing_against_a_known_merchant_sends_a_fixed_number_of_queries(
    complainant, stranger, django_assert_max_num_queries
):
    assert api_client(stranger).post(LIST_URL, filing(), format="json").status_code == 201
    client = api_client(complainant)

    with django_assert_max_num_queries(JSON_FILING_QUERIES):
        response = client.post(LIST_URL, filing(), format="json")

    assert response.status_code == 201, response.content
    assert Complaint.objects.filter(merchant__name="果园小店").count() == 2


def test_the_files_are_written_before_the_merchant_is_resolved(complainant, monkeypatch):
    """Resolving the merchant locks its row until the commit: a storage write (an S3 upload) must come before."""
    write, resolve, calls = services._write, services.merchant_resolve, []

    def writing(checked):
        name = write(checked)
        calls.append(("write", evidence_storage().exists(name)))
        return name

    def resolving(*, claims):
        calls.append(("resolve", None))
        return resolve(claims=claims)

    monkeypatch.setattr(services, "_write", writing)
    monkeypatch.setattr(services, "merchant_resolve", resolving)
    files = [upload("order.jpg", jpeg_bytes()), upload("chat.jpg", jpeg_bytes(color=(1, 2, 3)))]

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    assert response.status_code == 201, response.content
    assert calls == [("write", True), ("write", True), ("resolve", None)]
    stored = Evidence.objects.filter(complaint__code=response.json()["code"]).order_by("pk")
    assert [e.file.open("rb").read() for e in stored] == [jpeg_bytes(), jpeg_bytes(color=(1, 2, 3))]


def test_the_merchant_totals_are_counted_last(complainant, monkeypatch):
    """The totals' row lock is held until the commit: everything else of the filing is done before it is taken."""
    count, seen = services.rollup_complaint_added, {}

    def watching(*, complaint):
        seen["timeline"] = list(complaint.timeline.values_list("kind", flat=True))
        seen["evidence"] = complaint.evidence.count()
        return count(complaint=complaint)

    monkeypatch.setattr(services, "rollup_complaint_added", watching)
    files = [upload("order.jpg", jpeg_bytes())]

    response = api_client(complainant).post(LIST_URL, {**filing(), "evidence": files}, format="multipart")

    assert response.status_code == 201, response.content
    assert seen == {"timeline": [TimelineEvent.Kind.SUBMITTED, TimelineEvent.Kind.EVIDENCE_ADDED], "evidence": 1}
