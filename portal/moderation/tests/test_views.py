"""Moderators' merchant pages: merge proposals side by side, merging, undoing, and the merchant's history."""

import uuid

import pytest

from complaints import services as complaint_services
from complaints.models import Complaint, Evidence
from complaints.tests import files
from complaints.uploads import check_upload
from merchants.models import Merchant, MerchantMerge, MergeProposal, Platform
from merchants.services import (
    MSG_ALREADY_UNDONE,
    MSG_NOT_ACTIVE,
    MSG_PROPOSAL_DECIDED,
    MSG_SAME_MERCHANT,
    MerchantClaims,
    merchant_merge,
    merchant_resolve,
    merchant_unmerge,
    proposal_reject,
)
from merchants.tests.factories import MerchantFactory
from portal.moderation.forms import MSG_NO_MERCHANT_ID, MSG_UNKNOWN_MERCHANT
from portal.moderation.tests.helpers import messages_of
from portal.moderation.views import PROPOSALS_PER_PAGE

pytestmark = pytest.mark.django_db

TAOBAO = Platform.Code.TAOBAO_TMALL
NARRATIVE = "付款后商家一直不发货，客服也联系不上了，群里很多人都遇到了同样的情况，请帮忙。"
PHONE = "13800138000"
PROPOSALS_URL = "/moderation/proposals/"


def proposal_url(proposal, action=""):
    return f"/moderation/proposals/{proposal.uuid}/{action + '/' if action else ''}"


def merchant_url(merchant, action=""):
    return f"/moderation/merchants/{merchant.uuid}/{action + '/' if action else ''}"


def undo_url(merchant, merge):
    return f"/moderation/merchants/{merchant.uuid}/merges/{merge.uuid}/undo/"


def resolve(**claims):
    return merchant_resolve(claims=MerchantClaims(**claims))


def file(complainant, uploads=(), **claims):
    return complaint_services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(**claims),
        category="not_delivered",
        narrative=NARRATIVE,
        uploads=list(uploads),
    )


def merged(moderator) -> tuple[Merchant, MerchantMerge]:
    """数码小店 merged by hand into 数码之家: the target and the merge."""
    target = resolve(merchant_name="数码之家").merchant
    source = resolve(merchant_name="数码小店").merchant
    return target, merchant_merge(source=source, target=target, reason="Same shop", actor=moderator)


@pytest.fixture
def proposal(complainant, stranger, django_capture_on_commit_callbacks):
    """优品会 might be 优品汇 (a homophone): each has a complaint, the existing one with a picture as evidence."""
    picture = check_upload(files.upload("chat.jpg", files.jpeg_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        file(complainant, [picture], merchant_name="优品汇", platform=TAOBAO, merchant_phone=PHONE)
    file(stranger, merchant_name="优品会", platform=TAOBAO, payee_account="6222021234567890128")
    return MergeProposal.objects.get()


# Proposals ----------------------------------------------------------------------------------------


def test_proposal_list_shows_open_proposals_best_first(mod_client, proposal, moderator):
    weaker = MergeProposal.objects.create(
        merchant=MerchantFactory(), candidate=MerchantFactory(), score=75.0, reasons=["similar_name", "name:乙店"]
    )
    decided = MergeProposal.objects.create(merchant=MerchantFactory(), candidate=MerchantFactory(), score=99.0)
    proposal_reject(proposal=decided, actor=moderator)

    response = mod_client.get(PROPOSALS_URL)

    assert response.status_code == 200
    assert [row["proposal"] for row in response.context["rows"]] == [proposal, weaker]
    page = response.text
    assert proposal_url(proposal) in page and proposal_url(weaker) in page
    assert proposal_url(decided) not in page
    assert "Same sound, different characters" in page
    assert "Matched the name “乙店”" in page


def test_proposal_list_is_paginated(mod_client, django_assert_max_num_queries):
    for number in range(PROPOSALS_PER_PAGE + 1):
        MergeProposal.objects.create(merchant=MerchantFactory(), candidate=MerchantFactory(), score=80.0 + number / 100)

    # Session, user, unread notices (the nav), count, page: the merchants and platforms come joined.
    with django_assert_max_num_queries(5):
        first = mod_client.get(PROPOSALS_URL)
    second = mod_client.get(PROPOSALS_URL, {"page": 2})

    assert len(first.context["rows"]) == PROPOSALS_PER_PAGE
    assert [row["proposal"].score for row in second.context["rows"]] == [80.0]


def test_proposal_page_compares_both_merchants_side_by_side(mod_client, proposal):
    response = mod_client.get(proposal_url(proposal))

    assert response.status_code == 200
    page = response.text
    new, candidate = response.context["sides"]
    assert (new["merchant"], candidate["merchant"]) == (proposal.merchant, proposal.candidate)
    assert "优品会" in page and "优品汇" in page
    assert "Taobao / Tmall" in page
    # Moderators see identifiers whole.
    assert PHONE in page and "6222021234567890128" in page
    assert (new["summary"].complaints, candidate["summary"].complaints) == (1, 1)
    assert [c.merchant for c in candidate["complaints"]] == [proposal.candidate]
    evidence = Evidence.objects.get()
    assert evidence.status == Evidence.Status.READY
    assert f"/complaints/evidence/{evidence.uuid}/thumbnail/" in page
    assert "Same sound, different characters" in page
    assert "Matched the name “优品汇”" in page
    assert proposal_url(proposal, "accept") in page and proposal_url(proposal, "reject") in page
    assert "csrfmiddlewaretoken" in page


def test_accepting_a_proposal_merges_the_new_merchant_into_the_candidate(mod_client, proposal, moderator):
    response = mod_client.post(proposal_url(proposal, "accept"), {"note": "Same seller, same chat screenshots"})

    assert response.status_code == 302
    assert response["Location"] == PROPOSALS_URL
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.note) == (
        MergeProposal.Status.ACCEPTED,
        moderator,
        "Same seller, same chat screenshots",
    )
    merge = MerchantMerge.objects.get()
    assert (merge.source, merge.target, merge.actor) == (proposal.merchant, proposal.candidate, moderator)
    assert merge.reason == "Same seller, same chat screenshots"
    assert set(Complaint.objects.values_list("merchant", flat=True)) == {proposal.candidate.pk}
    assert messages_of(response) == ["Proposal accepted: 优品会 is now part of 优品汇."]


def test_rejecting_a_proposal_keeps_the_merchants_apart(mod_client, proposal, moderator):
    response = mod_client.post(proposal_url(proposal, "reject"), {"note": "Different sellers"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.note) == (
        MergeProposal.Status.REJECTED,
        moderator,
        "Different sellers",
    )
    assert not MerchantMerge.objects.exists()
    assert Merchant.objects.filter(status=Merchant.Status.ACTIVE).count() == 2
    assert messages_of(response) == ["Proposal rejected: the two merchants are kept apart."]


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_decided_proposal_cannot_be_decided_again(mod_client, proposal, moderator, action):
    proposal_reject(proposal=proposal, actor=moderator, note="Different sellers")

    response = mod_client.post(proposal_url(proposal, action), {"note": ""})

    assert response.status_code == 302
    assert response["Location"] == proposal_url(proposal)
    assert messages_of(response) == [str(MSG_PROPOSAL_DECIDED)]
    assert not MerchantMerge.objects.exists()
    # The page then shows the decision instead of the forms.
    page = mod_client.get(proposal_url(proposal)).text
    assert "Different sellers" in page
    assert proposal_url(proposal, "accept") not in page


def test_a_too_long_note_is_refused(mod_client, proposal):
    response = mod_client.post(proposal_url(proposal, "accept"), {"note": "x" * 2001})

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was changed:")
    proposal.refresh_from_db()
    assert proposal.status == MergeProposal.Status.OPEN


def test_an_unknown_proposal_is_404(mod_client):
    missing = MergeProposal(uuid=uuid.uuid4())
    assert mod_client.get(proposal_url(missing)).status_code == 404
    assert mod_client.post(proposal_url(missing, "accept")).status_code == 404


# The merchant's history, merging and undoing ------------------------------------------------------


def test_merchant_page_shows_the_history_with_who_when_and_why(mod_client, moderator, complainant):
    target = file(complainant, merchant_name="数码之家", merchant_phone=PHONE).merchant
    by_hand = resolve(merchant_name="数码小店").merchant
    merchant_merge(source=by_hand, target=target, reason="Same shop, new name", actor=moderator)
    undone_source = resolve(merchant_name="别人的店").merchant
    undone = merchant_merge(source=undone_source, target=target, reason="Looked alike", actor=moderator)
    merchant_unmerge(merge=undone, actor=moderator, reason="Another seller after all")
    # An automatic merge: a complaint names the target's phone and, as the payee, the other shop's phone.
    automatic = resolve(merchant_name="另一家", merchant_phone="13900139000").merchant
    resolve(merchant_name="数码之家", merchant_phone=PHONE, payee_account="13900139000")

    response = mod_client.get(merchant_url(target))

    assert response.status_code == 200
    page = response.text
    history = response.context["history"]
    assert {merge.source for merge in history} == {by_hand, undone_source, automatic}
    assert "Same shop, new name" in page
    assert f"by {moderator}" in page
    assert "automatically" in page
    assert "Another seller after all" in page
    assert f"Undone by {moderator}" in page
    # An undo form for each merge still in force, none for the undone one.
    for merge in history:
        assert (undo_url(target, merge) in page) is (not merge.is_undone)
    assert PHONE in page  # identifiers whole for moderators
    assert merchant_url(target, "merge") in page


def test_a_merged_merchants_page_leads_to_the_merchant_it_is_part_of(mod_client, moderator):
    target = resolve(merchant_name="数码之家").merchant
    source = resolve(merchant_name="数码小店").merchant
    merchant_merge(source=source, target=target, reason="Same shop", actor=moderator)

    response = mod_client.get(merchant_url(source))

    assert response.status_code == 200
    assert merchant_url(target) in response.text
    assert merchant_url(source, "merge") not in response.text


def test_undoing_a_merge_restores_the_merchant(mod_client, moderator, complainant):
    target = resolve(merchant_name="数码之家").merchant
    source = file(complainant, merchant_name="数码小店", wechat_id="small2024").merchant
    merge = merchant_merge(source=source, target=target, reason="Same shop", actor=moderator)

    response = mod_client.post(undo_url(target, merge), {"reason": "Different owners"})

    assert response.status_code == 302
    assert response["Location"] == merchant_url(target)
    source.refresh_from_db()
    merge.refresh_from_db()
    assert source.status == Merchant.Status.ACTIVE
    assert (merge.undone_by, merge.undo_reason) == (moderator, "Different owners")
    assert Complaint.objects.get().merchant == source
    assert messages_of(response) == ["The merge was undone: 数码小店 is a merchant of its own again."]


def test_undoing_needs_a_reason(mod_client, moderator):
    target, merge = merged(moderator)

    response = mod_client.post(undo_url(target, merge), {"reason": "  "})

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was changed:")
    merge.refresh_from_db()
    assert not merge.is_undone


def test_a_merge_is_undone_once(mod_client, moderator):
    target, merge = merged(moderator)
    merchant_unmerge(merge=merge, actor=moderator, reason="First undo")

    response = mod_client.post(undo_url(target, merge), {"reason": "Again"})

    assert messages_of(response) == [str(MSG_ALREADY_UNDONE)]
    merge.refresh_from_db()
    assert merge.undo_reason == "First undo"


def test_a_merge_is_undone_only_from_a_merchant_it_concerns(mod_client, moderator):
    target, merge = merged(moderator)
    elsewhere = resolve(merchant_name="果园小店").merchant

    assert mod_client.post(undo_url(elsewhere, merge), {"reason": "Different"}).status_code == 404
    assert mod_client.post(undo_url(target, MerchantMerge(uuid=uuid.uuid4())), {"reason": "x"}).status_code == 404
    merge.refresh_from_db()
    assert not merge.is_undone


@pytest.mark.parametrize("typed", ["{uuid}", "https://redress.example/merchants/{uuid}/", "{hex}"])
def test_merging_into_another_merchant_by_its_id_or_address(mod_client, moderator, complainant, typed):
    source = file(complainant, merchant_name="数码小店", wechat_id="small2024").merchant
    target = resolve(merchant_name="数码之家").merchant

    response = mod_client.post(
        merchant_url(source, "merge"),
        {"target": typed.format(uuid=target.uuid, hex=target.uuid.hex), "reason": "Same shop, renamed"},
    )

    assert response.status_code == 302
    assert response["Location"] == merchant_url(target)
    merge = MerchantMerge.objects.get()
    assert (merge.source, merge.target, merge.actor, merge.reason, merge.automatic) == (
        source,
        target,
        moderator,
        "Same shop, renamed",
        False,
    )
    assert Complaint.objects.get().merchant == target
    assert messages_of(response) == ["数码小店 was merged into 数码之家."]
    # The old public address now leads to the merchant it is part of.
    assert mod_client.get(f"/merchants/{source.uuid}/")["Location"] == f"/merchants/{target.uuid}/"


def test_merging_into_a_merged_merchant_merges_into_the_one_it_is_part_of(mod_client, moderator):
    root = resolve(merchant_name="数码之家").merchant
    old = resolve(merchant_name="数码旧店").merchant
    merchant_merge(source=old, target=root, reason="Same shop", actor=moderator)
    source = resolve(merchant_name="数码小店").merchant

    mod_client.post(merchant_url(source, "merge"), {"target": str(old.uuid), "reason": "Same shop"})

    source.refresh_from_db()
    assert source.merged_into == root


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "no id here", "reason": "Same"}, MSG_NO_MERCHANT_ID),
        ({"target": str(uuid.uuid4()), "reason": "Same"}, MSG_UNKNOWN_MERCHANT),
        ({"target": "", "reason": "Same"}, "This field is required."),
        ({"target": "{self}", "reason": ""}, "This field is required."),
    ],
)
def test_merging_refuses_what_names_no_other_merchant(mod_client, data, message):
    source = resolve(merchant_name="数码小店").merchant
    data = {**data, "target": data["target"].format(self=source.uuid)}

    response = mod_client.post(merchant_url(source, "merge"), data)

    assert response["Location"] == merchant_url(source)
    assert str(message) in messages_of(response)[0]
    assert not MerchantMerge.objects.exists()


def test_a_merged_merchant_cannot_be_merged_again(mod_client, moderator):
    _target, merge = merged(moderator)
    other = resolve(merchant_name="果园小店").merchant

    response = mod_client.post(merchant_url(merge.source, "merge"), {"target": str(other.uuid), "reason": "Same"})

    assert messages_of(response) == [str(MSG_NOT_ACTIVE)]
    assert MerchantMerge.objects.count() == 1


def test_merging_a_merchant_into_itself_is_refused(mod_client):
    source = resolve(merchant_name="数码小店").merchant

    response = mod_client.post(merchant_url(source, "merge"), {"target": str(source.uuid), "reason": "Same"})

    assert messages_of(response) == [str(MSG_SAME_MERCHANT)]
    assert not MerchantMerge.objects.exists()


# Outsiders and methods ----------------------------------------------------------------------------


def test_outsiders_find_no_moderation_page(outsider_client, proposal, moderator):
    merge = merchant_merge(source=proposal.merchant, target=proposal.candidate, reason="x", actor=moderator)
    other = resolve(merchant_name="数码之家").merchant
    pages = [PROPOSALS_URL, proposal_url(proposal), merchant_url(proposal.candidate)]
    actions = [
        (proposal_url(proposal, "accept"), {"note": ""}),
        (proposal_url(proposal, "reject"), {"note": ""}),
        (undo_url(proposal.candidate, merge), {"reason": "Different"}),
        (merchant_url(other, "merge"), {"target": str(proposal.candidate.uuid), "reason": "Same"}),
    ]

    for url in pages:
        assert outsider_client.get(url).status_code == 404, url
    for url, data in actions:
        assert outsider_client.post(url, data).status_code == 404, url
    proposal.refresh_from_db()
    merge.refresh_from_db()
    assert proposal.status == MergeProposal.Status.OPEN
    assert not merge.is_undone
    assert MerchantMerge.objects.count() == 1


def test_pages_refuse_post_and_actions_refuse_get(mod_client, proposal, moderator):
    merge = merchant_merge(source=proposal.merchant, target=proposal.candidate, reason="x", actor=moderator)

    for url in [PROPOSALS_URL, proposal_url(proposal), merchant_url(proposal.candidate)]:
        assert mod_client.post(url).status_code == 405, url
    for url in [
        proposal_url(proposal, "accept"),
        proposal_url(proposal, "reject"),
        undo_url(proposal.candidate, merge),
        merchant_url(proposal.candidate, "merge"),
    ]:
        assert mod_client.get(url).status_code == 405, url


def test_proposal_page_query_count_does_not_grow_with_complaints(
    mod_client, proposal, complainant, django_assert_max_num_queries
):
    # Session, user, unread notices, the proposal; per side: group, identifiers, totals, windows, complaints,
    # their evidence.
    with django_assert_max_num_queries(16):
        assert mod_client.get(proposal_url(proposal)).status_code == 200

    for _number in range(3):
        file(complainant, merchant_name="优品汇", platform=TAOBAO, merchant_phone=PHONE)
    with django_assert_max_num_queries(16):
        response = mod_client.get(proposal_url(proposal))
    assert len(response.context["sides"][1]["complaints"]) == 4
