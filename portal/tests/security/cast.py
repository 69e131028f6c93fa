"""The security tests' cast, one account per role, and a world of objects each role owns or must not reach.

Merchant X (Guangdong, a WeChat mini program) and merchant Y (Beijing, Taobao) each have an approved
representative and an accepted, published complaint: A's against X, B's against Y. Victim C also complained
about X and wrote to A through the case page. X is escalated to Guangdong's regulator, its police and the mini
program platform's owner; Y to Beijing's regulator. Everything is made through the services, as production
makes it, so the permission checks see real rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from complaints import cases, replies, services, workflow
from complaints.models import (
    Complaint,
    ComplaintDraft,
    Evidence,
    ImportJob,
    ResolutionProposal,
    ReviewRequest,
    VictimMessage,
)
from complaints.review_requests import review_request_create
from complaints.tests import files
from complaints.tests.reply_factories import RepresentativeFactory
from complaints.tests.test_importing import CHINESE_HEADERS, CHINESE_ROWS, csv_bytes, prepared_job
from merchants.models import Merchant, MerchantMerge, MergeProposal, Platform, Representative
from merchants.services import MerchantClaims, merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.business.tests.factories import RepresentativeFactory as ClaimFactory
from portal.escalations import alerts
from portal.escalations.models import Authority, Escalation, RiskAlert
from portal.escalations.tests.factories import AuthorityStaffFactory, EscalationFactory, platform_owner, provincial

PROVINCE_P = "440000"
PROVINCE_Q = "110000"
ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
    "complainant_a",
    "complainant_b",
    "rep_x",
    "rep_y",
    "regulator_p",
    "regulator_q",
    "platform_staff",
    "police",
    "moderator",
    "admin",
)
NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服电话也打不通了，请大家小心这家店。"
# The apps whose rows a refused request must leave exactly as they were.
GUARDED_APPS = {"accounts", "authtoken", "complaints", "merchants", "escalations", "dashboards", "otp_totp"}


@dataclass
class World:
    users: dict[str, User | None]
    x: Merchant
    y: Merchant
    complaint_a: Complaint
    pending_a: Complaint
    complaint_b: Complaint
    complaint_c: Complaint
    evidence_a: Evidence
    draft_a: ComplaintDraft
    draft_evidence_a: Evidence
    proposal_a: ResolutionProposal
    review_request_a: ReviewRequest
    message_to_a: VictimMessage
    claim_x: Representative
    claim_y: Representative
    claim_pending: Representative
    escalation_p: Escalation
    escalation_q: Escalation
    escalation_platform: Escalation
    escalation_police: Escalation
    alert_proposed: RiskAlert
    alert_live: RiskAlert
    merge_proposal: MergeProposal
    merge: MerchantMerge
    import_job: ImportJob
    tokens: dict[str, str] = field(default_factory=dict)


def _file(user, *, app_id: str, name: str, uploads=(), **facts) -> Complaint:
    fields = {"category": "not_delivered", "narrative": NARRATIVE, "amount": Decimal("6999.00"), **facts}
    return services.complaint_submit(
        complainant=user,
        claims=MerchantClaims(merchant_name=name, app_id=app_id, platform="wechat_mini_program"),
        consent_publish=True,
        uploads=services.uploads_check(uploads=list(uploads)),
        **fields,
    )


def _staff(kind: str, region: str) -> User:
    return AuthorityStaffFactory(email=f"{kind}-{region}@example.com", authority=provincial(kind, region))


def build_world(capture_on_commit) -> World:
    """Make the world; `capture_on_commit` is pytest-django's django_capture_on_commit_callbacks, so evidence is
    processed (stored, hashed, marked ready) as the worker would after the filing's commit."""
    moderator = UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)
    admin = User.objects.create_superuser(email="admin@example.com", password=PASSWORD)
    a = UserFactory(email="a@example.com")
    b = UserFactory(email="b@example.com")
    c = UserFactory(email="c@example.com")
    with capture_on_commit(execute=True):
        pdf = SimpleUploadedFile("receipt.pdf", files.pdf_bytes(), content_type="application/pdf")
        complaint_a = _file(a, app_id="wx5ec0a1f5b2d4e601", name="易享购", uploads=[pdf], region=PROVINCE_P)
        draft_a = services.draft_create(owner=a)
        png = SimpleUploadedFile("photo.png", files.png_bytes(), content_type="image/png")
        services.evidence_upload(user=a, uploads=[png], draft=draft_a)
    complaint_a = workflow.complaint_accept(complaint=complaint_a, moderator=moderator)
    x = complaint_a.merchant
    Merchant.objects.filter(pk=x.pk).update(registered_region=PROVINCE_P)
    complaint_c = workflow.complaint_accept(
        complaint=_file(c, app_id="wx5ec0a1f5b2d4e601", name="易享购"), moderator=moderator
    )
    pending_a = _file(a, app_id="wx5ec0a1f5b2d4e601", name="易享购", order_number="YXG-2")
    complaint_b = _file(b, app_id="wx9d8c7b6a5f4e3d02", name="优品汇", region=PROVINCE_Q)
    complaint_b = workflow.complaint_accept(complaint=complaint_b, moderator=moderator)
    y = complaint_b.merchant
    taobao = Platform.objects.get_or_create(code=Platform.Code.TAOBAO_TMALL)[0]
    Merchant.objects.filter(pk=y.pk).update(registered_region=PROVINCE_Q, platform=taobao)

    for victim in (a, c):
        cases.case_contact_set(user=victim, merchant_id=x.pk, contactable=True)
    message_to_a = cases.victim_message_send(
        user=c, merchant_id=x.pk, recipient_key=cases.victim_key(complaint_a.uuid), body="我们一起去报案吧。"
    )

    rep_x = UserFactory(email="rep-x@example.com", role=User.Role.MERCHANT_REP)
    rep_y = UserFactory(email="rep-y@example.com", role=User.Role.MERCHANT_REP)
    claim_x = RepresentativeFactory(merchant=x, user=rep_x, decided_by=moderator)
    claim_y = RepresentativeFactory(merchant=y, user=rep_y, decided_by=moderator)
    claim_pending = ClaimFactory(user=UserFactory(email="claimant@example.com"))
    replies.reply_post(complaint=complaint_a, user=rep_x, body="我们已经联系快递公司核实。")
    proposal_a = replies.proposal_make(complaint=complaint_a, user=rep_x, kind="explanation", message="货已补发。")
    review_request_a = review_request_create(
        complaint=complaint_a, user=rep_x, reason=ReviewRequest.Reason.RESOLVED, explanation="已经全额退款。"
    )

    mini_program = Platform.objects.get(code=Platform.Code.WECHAT_MINI_PROGRAM)
    regulator_p = provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE_P)
    police_p = provincial(Authority.Kind.POLICE, PROVINCE_P)
    owner = platform_owner(mini_program)
    alert_live = alerts.risk_alert_create(merchant=y, level="high", text="多名买家反映付款后不发货。", actor=moderator)
    alerts.risk_alert_approve(alert=alert_live, actor=moderator)
    users = {
        ANONYMOUS: None,
        "complainant_a": a,
        "complainant_b": b,
        "rep_x": rep_x,
        "rep_y": rep_y,
        "regulator_p": _staff(Authority.Kind.MARKET_REGULATOR, PROVINCE_P),
        "regulator_q": _staff(Authority.Kind.MARKET_REGULATOR, PROVINCE_Q),
        "platform_staff": AuthorityStaffFactory(email="platform@example.com", authority=owner),
        "police": _staff(Authority.Kind.POLICE, PROVINCE_P),
        "moderator": moderator,
        "admin": admin,
    }
    world = World(
        users=users,
        x=Merchant.objects.get(pk=x.pk),
        y=Merchant.objects.get(pk=y.pk),
        complaint_a=complaint_a,
        pending_a=pending_a,
        complaint_b=complaint_b,
        complaint_c=complaint_c,
        evidence_a=complaint_a.evidence.get(),
        draft_a=draft_a,
        draft_evidence_a=draft_a.evidence.get(),
        proposal_a=proposal_a,
        review_request_a=review_request_a,
        message_to_a=message_to_a,
        claim_x=claim_x,
        claim_y=claim_y,
        claim_pending=claim_pending,
        escalation_p=EscalationFactory(merchant=x, authority=regulator_p),
        escalation_q=EscalationFactory(merchant=y, authority=provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE_Q)),
        escalation_platform=EscalationFactory(merchant=x, authority=owner),
        escalation_police=EscalationFactory(merchant=x, authority=police_p),
        alert_proposed=alerts.risk_alert_create(merchant=x, level="medium", text="请谨慎付款。", actor=moderator),
        alert_live=alert_live,
        merge_proposal=MergeProposal.objects.create(merchant=MerchantFactory(), candidate=MerchantFactory(), score=90),
        merge=merchant_merge(source=MerchantFactory(), target=MerchantFactory(), reason="Same shop", actor=moderator),
        import_job=prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv"),
    )
    assert world.evidence_a.status == Evidence.Status.READY, "the evidence pipeline did not finish"
    world.tokens = {role: Token.objects.create(user=user).key for role, user in users.items() if user is not None}
    return world


def html_client(world: World, role: str) -> Client:
    """A browser signed in as the role (a session); the admin has also passed the admin's second factor."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    if user is not None and user.is_staff:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def api_client(world: World, role: str) -> Client:
    """An API client sending the role's token, and no session."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role in world.tokens:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
    return client


def guarded_models():
    return [model for model in apps.get_models() if model._meta.app_label in GUARDED_APPS]


def writes_guarded_rows(sql: str) -> bool:
    """Whether a statement may change a guarded row: cheaper to ask of each request than a snapshot."""
    if not sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
        return False
    return any(f'"{model._meta.db_table}"' in sql for model in guarded_models())


def db_state() -> dict[str, list[tuple]]:
    """Every row a refused request must not touch, in a comparable form."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in guarded_models()}
