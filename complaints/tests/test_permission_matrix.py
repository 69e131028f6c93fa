"""Who may use the moderators' tools: the whole cast against every moderation page and API endpoint.

Only moderators pass. For everyone else the pages do not exist (404, whether signed in or not, GET or POST);
the API says 401 to the anonymous and 403 to the signed-in, before looking anything up. Nobody but a
moderator changes anything.
"""

from dataclasses import dataclass
from functools import cached_property

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints import workflow
from complaints.models import Complaint, ImportJob, ModerationAction
from complaints.services import complaint_submit
from complaints.tests.test_importing import CHINESE_HEADERS, CHINESE_ROWS, csv_bytes, prepared_job
from merchants.models import MerchantMerge, MergeProposal
from merchants.services import MerchantClaims, merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.api.tests.helpers import api_client, error_of

pytestmark = pytest.mark.django_db

ROLES = ["complainant", "stranger", "merchant_rep", "regulator", "anonymous", "moderator"]
NARRATIVE = "付款以后商家一直没有发货，客服电话也打不通，小程序已经打不开了，请大家小心。"


class World:
    """What the URLs point at, made on first use: the complainant's complaint (submitted, and one accepted),
    a merge proposal, a merge, an import job."""

    def __init__(self, complainant, moderator):
        self.complainant, self.moderator = complainant, moderator

    def _file(self) -> Complaint:
        return complaint_submit(
            complainant=self.complainant,
            claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
            category="not_delivered",
            narrative=NARRATIVE,
            consent_publish=True,
        )

    @cached_property
    def complaint(self) -> Complaint:
        return self._file()

    @cached_property
    def accepted(self) -> Complaint:
        return workflow.complaint_accept(complaint=self._file(), moderator=self.moderator)

    @cached_property
    def proposal(self) -> MergeProposal:
        return MergeProposal.objects.create(merchant=MerchantFactory(), candidate=MerchantFactory(), score=90.0)

    @cached_property
    def merge(self) -> MerchantMerge:
        return merchant_merge(source=MerchantFactory(), target=MerchantFactory(), reason="Same", actor=self.moderator)

    @cached_property
    def job(self) -> ImportJob:
        return prepared_job(user=self.moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: object  # World -> str
    passed: int  # what a moderator gets
    data: dict | None = None
    api: bool = False

    def __str__(self):
        return self.name


def _case(step="", *, accepted=False):
    def url(world):
        complaint = world.accepted if accepted else world.complaint
        return f"/moderation/complaints/{complaint.code}/{step + '/' if step else ''}"

    return url


def _api_case(step="", *, accepted=False):
    def url(world):
        complaint = world.accepted if accepted else world.complaint
        return f"/api/v1/moderation/complaints/{complaint.code}/{step + '/' if step else ''}"

    return url


def _csv():
    return SimpleUploadedFile("x.csv", csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), content_type="text/csv")


PAGES = [
    Endpoint("queue", "get", lambda w: "/moderation/complaints/", 200),
    Endpoint("bulk", "post", lambda w: "/moderation/complaints/bulk/", 302, {"codes": "", "action": "accept"}),
    Endpoint("case", "get", _case(), 200),
    Endpoint("review", "post", _case("review"), 302),
    Endpoint("request-info", "post", _case("request-info"), 302, {"question": "请上传付款截图"}),
    Endpoint("accept", "post", _case("accept"), 302),
    Endpoint("reject", "post", _case("reject"), 302, {"reason": "spam"}),
    Endpoint("close", "post", _case("close", accepted=True), 302, {"outcome": "closed_explanation"}),
    Endpoint("claim", "post", _case("claim"), 302),
    Endpoint("release", "post", _case("release"), 302),
    Endpoint("redaction", "post", _case("redaction"), 302, {"text": "商家不发货。"}),
    # The merchant tools (portal.moderation) and the import pages.
    Endpoint("proposals", "get", lambda w: "/moderation/proposals/", 200),
    Endpoint("proposal", "get", lambda w: f"/moderation/proposals/{w.proposal.uuid}/", 200),
    Endpoint("proposal accept", "post", lambda w: f"/moderation/proposals/{w.proposal.uuid}/accept/", 302),
    Endpoint("proposal reject", "post", lambda w: f"/moderation/proposals/{w.proposal.uuid}/reject/", 302),
    Endpoint("merchant", "get", lambda w: f"/moderation/merchants/{w.merge.target.uuid}/", 200),
    Endpoint("merchant merge", "post", lambda w: f"/moderation/merchants/{w.merge.target.uuid}/merge/", 302),
    Endpoint(
        "merge undo",
        "post",
        lambda w: f"/moderation/merchants/{w.merge.target.uuid}/merges/{w.merge.uuid}/undo/",
        302,
        {"reason": "Two shops"},
    ),
    Endpoint("imports", "get", lambda w: "/complaints/imports/", 200),
    Endpoint("import upload", "post", lambda w: "/complaints/imports/", 302, {"source": "群", "file": _csv}),
    Endpoint("import", "get", lambda w: f"/complaints/imports/{w.job.uuid}/", 200),
    Endpoint("import progress", "get", lambda w: f"/complaints/imports/{w.job.uuid}/progress/", 200),
    Endpoint("import rejected rows", "get", lambda w: f"/complaints/imports/{w.job.uuid}/rejected.csv", 200),
]
APIS = [
    Endpoint("api queue", "get", lambda w: "/api/v1/moderation/complaints/", 200, api=True),
    Endpoint("api case", "get", _api_case(), 200, api=True),
    Endpoint("api review", "post", _api_case("review"), 200, api=True),
    Endpoint("api request-info", "post", _api_case("request-info"), 200, {"question": "请上传付款截图"}, api=True),
    Endpoint("api accept", "post", _api_case("accept"), 200, api=True),
    Endpoint("api reject", "post", _api_case("reject"), 200, {"reason": "spam"}, api=True),
    Endpoint("api close", "post", _api_case("close", accepted=True), 200, {"outcome": "unresolved"}, api=True),
    Endpoint("api claim", "post", _api_case("claim"), 200, api=True),
    Endpoint("api release", "post", _api_case("release"), 200, api=True),
    Endpoint("api redaction", "post", _api_case("redaction"), 200, {"text": "商家不发货。"}, api=True),
]


def _data(endpoint: Endpoint) -> dict:
    # Files are made per request: an upload is read once.
    return {key: value() if callable(value) else value for key, value in (endpoint.data or {}).items()}


def _request(endpoint: Endpoint, role: str, user, world: World):
    url = endpoint.url(world)
    if endpoint.api:
        client = api_client(user)
        if endpoint.method == "get":
            return client.get(url)
        return client.post(url, _data(endpoint), format="json")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return getattr(client, endpoint.method)(url, _data(endpoint))


def _state() -> tuple:
    """Everything the endpoints can change."""
    return (
        list(Complaint.objects.order_by("pk").values_list("status", "claimed_by", "narrative_redacted")),
        ModerationAction.objects.count(),
        ImportJob.objects.count(),
        list(MergeProposal.objects.order_by("pk").values_list("status", flat=True)),
        list(MerchantMerge.objects.order_by("pk").values_list("undone_at", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", PAGES + APIS, ids=str)
def test_only_moderators_pass(request, role, endpoint, complainant, moderator):
    world = World(complainant, moderator)
    endpoint.url(world)  # what it points at exists before anyone asks
    user = None if role == "anonymous" else request.getfixturevalue(role)
    before = _state()

    response = _request(endpoint, role, user, world)

    if role == "moderator":
        assert response.status_code == endpoint.passed, response.content[:500]
        return
    if not endpoint.api:
        assert response.status_code == 404
    elif role == "anonymous":
        error_of(response, 401, "not_authenticated")
    else:
        assert error_of(response, 403, "permission_denied")["message"] == "Only moderators can do this."
    assert _state() == before


@pytest.mark.parametrize("role", ["complainant", "regulator"])
def test_the_api_refuses_before_looking_the_code_up(role, request):
    client = api_client(request.getfixturevalue(role))

    for url in ["/api/v1/moderation/complaints/RD-2222-2222/", "/api/v1/moderation/complaints/RD-2222-2222/accept/"]:
        method = client.get if url.endswith("2222/") else client.post
        error_of(method(url), 403, "permission_denied")
