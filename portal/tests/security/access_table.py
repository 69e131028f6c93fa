"""Who may use each URL: one row per route (more for a route whose objects or methods differ), one status per role.

The rules the rows follow:
- Objects (a complaint, a draft, an evidence file, a claim, a message, an escalation) that are not yours: 404,
  as if they did not exist. Functions you may not use: 403.
- Anonymous visitors of a page that needs an account are sent to log in (LOGIN, a 302 to the login page), so a
  link from an email survives signing in; the API answers them 401.
- Moderators' tools, the authority portal and the dashboards are hidden from everyone else (404, even for
  anonymous visitors of the moderators' tools): the page does not exist for them. The moderators' risk-alert
  pages say 403, as the alerts themselves are public. The representatives' pages say 403 to someone who
  represents no merchant and 404 for a merchant or complaint they do not answer for.
- POST routes are sent with Django's test client, which skips CSRF (portal/tests/test_csrf_everywhere.py covers
  CSRF); a refused POST must leave every guarded row unchanged. Each POST-only route answers 405 to a GET.
- An expectation of KEPT is a 302 after which nothing changed: the action was refused with a message.
"""

from collections.abc import Callable
from dataclasses import dataclass

from complaints.cases import victim_key
from portal.accounts.tests.factories import PASSWORD
from portal.tests.security.cast import ANONYMOUS, NARRATIVE, ROLES, World

LOGIN = "login"
KEPT = "kept"
STAFF = ("moderator", "admin")
AUTHORITIES = ("regulator_p", "regulator_q", "platform_staff", "police")
PASSWORD_FIELD = "password"


def everyone(status: int = 200, **by_role) -> dict:
    return {role: by_role.get(role, status) for role in ROLES}


def signed_in(status: int = 200, *, anonymous=LOGIN, **by_role) -> dict:
    return everyone(status, **{ANONYMOUS: anonymous, **by_role})


def only(allowed, status: int = 200, *, others=404, anonymous=LOGIN, **by_role) -> dict:
    allowed = (allowed,) if isinstance(allowed, str) else allowed
    table = {role: status if role in allowed else others for role in ROLES}
    return {**table, ANONYMOUS: anonymous, **by_role}


def moderators(status: int = 200) -> dict:
    return only(STAFF, status, anonymous=404)


def api_only(allowed, status: int = 200, *, others=404, **by_role) -> dict:
    return only(allowed, status, others=others, anonymous=401, **by_role)


@dataclass(frozen=True)
class Case:
    route: str
    expected: dict
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict] = lambda w: {}
    query: str = ""
    api: bool = False
    # API bodies are JSON unless the operation takes multipart only.
    multipart: bool = False
    # A POST-only route answers 405 to a GET; False for routes that also take a GET (tested in a row of its own).
    post_only: bool = True
    label: str = ""

    def __str__(self):
        return f"{self.route}{'[' + self.label + ']' if self.label else ''} {self.method.upper()}"


def complaint_a(w):
    return {"uuid": w.complaint_a.uuid}


def draft_a(w):
    return {"draft": w.draft_a.uuid}


def code_a(w):
    return {"code": w.complaint_a.code}


def pending_code(w):
    return {"code": w.pending_a.code}


def post(route, expected, kwargs=lambda w: {}, data=lambda w: {}, **options) -> Case:
    return Case(route, expected, kwargs, "post", data, **options)


def api(route, expected, kwargs=lambda w: {}, method="get", data=lambda w: {}, **options) -> Case:
    return Case(route, expected, kwargs, method, data, api=True, **options)


OWNER_A = only(("complainant_a", *STAFF))
A_ONLY = only("complainant_a")
REPRESENTATIVE = only("rep_x", others=403, rep_y=404)
AUTHORITY_P = only(("regulator_p",))
DASHBOARD = only((*STAFF, *AUTHORITIES))

PAGES = [
    Case("pages:home", everyone()),
    Case("pages:check", everyone(), query="?q=易享购"),
    Case("pages:merchant_search_moved", everyone(301)),
    Case("pages:merchant_detail", everyone(), lambda w: {"uuid": w.x.uuid}),
    post("set_language", everyone(302), data=lambda w: {"language": "en", "next": "/"}, post_only=False),
    Case("accounts:signup", everyone()),
    Case("accounts:login", everyone()),
    post("accounts:logout", everyone(302)),
    Case("accounts:verify_sent", everyone()),
    post("accounts:verify_resend", everyone(302), data=lambda w: {"email": "nobody@example.com"}),
    Case("accounts:verify", everyone(400), lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    Case("accounts:password_reset", everyone()),
    Case("accounts:password_reset_done", everyone()),
    Case("accounts:password_reset_confirm", everyone(), lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    Case("accounts:password_reset_complete", everyone()),
    Case("accounts:privacy", signed_in()),
    Case("accounts:complaint_erase", A_ONLY, complaint_a),
    Case("accounts:delete", signed_in()),
    # The filing wizard and the complainant's pages.
    Case("complaints:mine", signed_in()),
    Case("complaints:new", signed_in(302)),
    Case("complaints:draft_step", A_ONLY, lambda w: {**draft_a(w), "step": "merchant"}),
    post(
        "complaints:draft_step",
        A_ONLY | {"complainant_a": 302},
        lambda w: {**draft_a(w), "step": "merchant"},
        lambda w: {"merchant_name": "易享购", "app_id": "wx5ec0a1f5b2d4e601"},
        post_only=False,
    ),
    Case("complaints:draft_evidence_panel", A_ONLY, draft_a),
    post(
        "complaints:draft_evidence_remove",
        A_ONLY | {"complainant_a": 302},
        lambda w: {**draft_a(w), "evidence": w.draft_evidence_a.uuid},
    ),
    post("complaints:draft_abandon", A_ONLY | {"complainant_a": 302}, draft_a),
    Case("complaints:evidence_file", OWNER_A, lambda w: {"uuid": w.evidence_a.uuid, "variant": "original"}),
    Case("complaints:notices", signed_in()),
    Case("complaints:public_detail", everyone(), complaint_a),
    Case("complaints:detail", OWNER_A, complaint_a),
    Case("complaints:evidence_panel", OWNER_A, complaint_a),
    # Staff read complaints; only the complainant adds evidence (404 to staff) and acts on it (refused, KEPT).
    post("complaints:evidence_add", A_ONLY | {"complainant_a": 302}, complaint_a),
    post(
        "complaints:answer",
        OWNER_A | {"complainant_a": KEPT, "moderator": KEPT, "admin": KEPT},
        complaint_a,
        lambda w: {"answer": "补充说明"},
    ),
    post("complaints:withdraw", OWNER_A | {"complainant_a": 302, "moderator": KEPT, "admin": KEPT}, complaint_a),
    post(
        "complaints:consent",
        OWNER_A | {"complainant_a": 302, "moderator": KEPT, "admin": KEPT},
        complaint_a,
        lambda w: {"consent": "0"},
    ),
    post(
        "complaints:proposal_accept",
        OWNER_A | {"complainant_a": 302, "moderator": KEPT, "admin": KEPT},
        lambda w: {**complaint_a(w), "proposal": w.proposal_a.uuid},
    ),
    post(
        "complaints:proposal_reject",
        OWNER_A | {"complainant_a": 302, "moderator": KEPT, "admin": KEPT},
        lambda w: {**complaint_a(w), "proposal": w.proposal_a.uuid},
        lambda w: {"reason": "解释不成立"},
    ),
    # Moderators' imports and complaint tools.
    Case("complaints:imports", moderators()),
    Case("complaints:import_detail", moderators(), lambda w: {"uuid": w.import_job.uuid}),
    Case("complaints:import_progress", moderators(), lambda w: {"uuid": w.import_job.uuid}),
    Case("complaints:import_rejected_csv", moderators(), lambda w: {"uuid": w.import_job.uuid}),
    Case("complaint_moderation:queue", moderators()),
    post("complaint_moderation:bulk", moderators(302), data=lambda w: {"codes": w.pending_a.code, "action": "accept"}),
    Case("complaint_moderation:detail", moderators(), pending_code),
    post("complaint_moderation:act", moderators(302), lambda w: {**pending_code(w), "action": "accept"}),
    Case("moderation:proposals", moderators()),
    Case("moderation:proposal", moderators(), lambda w: {"uuid": w.merge_proposal.uuid}),
    post("moderation:proposal_accept", moderators(302), lambda w: {"uuid": w.merge_proposal.uuid}),
    post("moderation:proposal_reject", moderators(302), lambda w: {"uuid": w.merge_proposal.uuid}),
    Case("moderation:merchant", moderators(), lambda w: {"uuid": w.x.uuid}),
    post(
        "moderation:merchant_merge",
        moderators(302),
        lambda w: {"uuid": w.y.uuid},
        lambda w: {"target": str(w.x.uuid), "reason": "同一家店"},
    ),
    post(
        "moderation:merge_undo",
        moderators(302),
        lambda w: {"uuid": w.merge.target.uuid, "merge": w.merge.uuid},
        lambda w: {"reason": "Two shops"},
    ),
    post("moderation:merchant_escalate", moderators(302), lambda w: {"uuid": w.y.uuid}, lambda w: {"reason": "紧急"}),
    Case("moderation:escalations", moderators()),
    Case("moderation:representatives", moderators()),
    Case("moderation:representative", moderators(), lambda w: {"uuid": w.claim_pending.uuid}),
    post("moderation:representative_approve", moderators(302), lambda w: {"uuid": w.claim_pending.uuid}),
    post(
        "moderation:representative_reject",
        moderators(302),
        lambda w: {"uuid": w.claim_pending.uuid},
        lambda w: {"note": "执照不符"},
    ),
    post(
        "moderation:representative_revoke",
        moderators(302),
        lambda w: {"uuid": w.claim_y.uuid},
        lambda w: {"note": "离职"},
    ),
    Case("moderation:review_requests", moderators()),
    Case("moderation:review_request", moderators(), lambda w: {"uuid": w.review_request_a.uuid}),
    post(
        "moderation:review_request_decide",
        moderators(302),
        lambda w: {"uuid": w.review_request_a.uuid},
        lambda w: {"decision": "dismiss", "note": "证据不足"},
    ),
    # Risk alerts: moderators only, 403 to the others.
    Case("authority:alerts", only(STAFF, others=403)),
    Case("authority:alert_create", only(STAFF, others=403), lambda w: {"uuid": w.x.uuid}),
    post(
        "authority:alert_create",
        only(STAFF, 302, others=403),
        lambda w: {"uuid": w.merge.target.uuid},
        lambda w: {"level": "high", "text": "请谨慎付款。"},
        post_only=False,
    ),
    post("authority:alert_approve", only(STAFF, 302, others=403), lambda w: {"uuid": w.alert_proposed.uuid}),
    post("authority:alert_withdraw", only(STAFF, 302, others=403), lambda w: {"uuid": w.alert_live.uuid}),
    # The authority portal: each authority its own escalations.
    Case("authority:escalations", only(AUTHORITIES)),
    Case("authority:escalation", AUTHORITY_P, lambda w: {"uuid": w.escalation_p.uuid}, label="regulator"),
    Case(
        "authority:escalation", only("platform_staff"), lambda w: {"uuid": w.escalation_platform.uuid}, label="platform"
    ),
    Case("authority:escalation", only("police"), lambda w: {"uuid": w.escalation_police.uuid}, label="police"),
    Case("authority:escalation", only("regulator_q"), lambda w: {"uuid": w.escalation_q.uuid}, label="other province"),
    post("authority:acknowledge", only("regulator_p", 302), lambda w: {"uuid": w.escalation_p.uuid}),
    post(
        "authority:respond",
        only("regulator_p", 302),
        lambda w: {"uuid": w.escalation_p.uuid},
        lambda w: {"outcome": "investigating", "note": "已立案"},
    ),
    Case("authority:dossier", AUTHORITY_P, lambda w: {"uuid": w.escalation_p.uuid}),
    Case("authority:complaint", AUTHORITY_P, lambda w: {"uuid": w.escalation_p.uuid, **code_a(w)}),
    # B's complaint is Y's: not inside X's escalation, even for the authority it was sent to.
    Case(
        "authority:complaint",
        only(()),
        lambda w: {"uuid": w.escalation_p.uuid, "code": w.complaint_b.code},
        label="other merchant",
    ),
    # Merchant representatives.
    Case("representation:complaints", REPRESENTATIVE, lambda w: {"merchant": w.x.uuid}),
    Case("representation:detail", REPRESENTATIVE, complaint_a),
    post("representation:reply", REPRESENTATIVE | {"rep_x": 302}, complaint_a, lambda w: {"body": "已经退款。"}),
    post(
        "representation:propose",
        REPRESENTATIVE | {"rep_x": KEPT},
        complaint_a,
        lambda w: {"kind": "refund", "amount": "6999.00", "message": "全额退款"},
    ),
    post(
        "representation:proposal_withdraw",
        REPRESENTATIVE | {"rep_x": 302},
        lambda w: {**complaint_a(w), "proposal": w.proposal_a.uuid},
    ),
    post(
        "representation:review_request",
        REPRESENTATIVE | {"rep_x": KEPT},
        complaint_a,
        lambda w: {"reason": "false", "explanation": "没有这笔订单"},
    ),
    Case("business:home", signed_in()),
    # Moderators and authority staff may not speak for a merchant.
    Case("business:claim", signed_in(403, complainant_a=200, complainant_b=200, rep_x=200, rep_y=200)),
    post("business:revoke", only("rep_x", 302), lambda w: {"uuid": w.claim_x.uuid}),
    Case("business:licence", only(("rep_x", *STAFF)), lambda w: {"uuid": w.claim_x.uuid}),
    # Collective cases.
    Case("cases:detail", everyone(), lambda w: {"uuid": w.x.uuid}),
    Case("cases:inbox", signed_in()),
    post(
        "cases:reply", only("complainant_a", 302), lambda w: {"uuid": w.message_to_a.uuid}, lambda w: {"body": "好的"}
    ),
    post(
        "cases:contact",
        only("complainant_a", 302, others=403),
        lambda w: {"uuid": w.x.uuid},
        lambda w: {"contactable": "0"},
    ),
    post(
        "cases:write",
        only("complainant_a", 302, others=403),
        lambda w: {"uuid": w.x.uuid},
        lambda w: {"to": victim_key(w.complaint_c.uuid), "body": "一起报案"},
    ),
    # Dashboards.
    Case("dashboards:dashboard", DASHBOARD),
    Case("dashboards:export", DASHBOARD, lambda w: {"table": "complaints", "fmt": "csv"}),
    Case("dashboards:public_statistics", everyone()),
    # Last: erasing deletes evidence files, which the rollback after each row does not bring back.
    post(
        "accounts:complaint_erase",
        A_ONLY | {"complainant_a": 302},
        complaint_a,
        lambda w: {PASSWORD_FIELD: PASSWORD},
        post_only=False,
    ),
    # Only complainants delete their own accounts; staff and representatives are closed by moderators (403).
    post(
        "accounts:delete",
        signed_in(403, complainant_a=302, complainant_b=302),
        data=lambda w: {PASSWORD_FIELD: PASSWORD},
        post_only=False,
    ),
]


API_A = api_only(("complainant_a", *STAFF))
MODERATION_API = api_only(STAFF, others=403)
STATS_API = api_only((*STAFF, *AUTHORITIES), others=403)
# Staff may read a complaint through the API but not act for its complainant.
COMPLAINANT_API = api_only("complainant_a", moderator=403, admin=403)

APIS = [
    api(
        "api:token",
        everyone(),
        method="post",
        data=lambda w: {"username": "a@example.com", "password": PASSWORD},
    ),
    api("api:complaints", signed_in(anonymous=401)),
    api(
        "api:complaints",
        signed_in(201, anonymous=401),
        method="post",
        data=lambda w: {"merchant_name": "易享购", "category": "not_delivered", "narrative": NARRATIVE},
        post_only=False,
    ),
    api("api:complaint-detail", API_A, code_a),
    # An evidence request without files: 400 for its complainant, refused before that for everyone else.
    api("api:complaint-evidence", COMPLAINANT_API | {"complainant_a": 400}, code_a, "post", multipart=True),
    api("api:complaint-answer", COMPLAINANT_API | {"complainant_a": 409}, code_a, "post", lambda w: {"answer": "补充"}),
    api("api:complaint-withdraw", COMPLAINANT_API, code_a, "post"),
    api("api:complaint-consent", COMPLAINANT_API, code_a, "post", lambda w: {"consent": False}),
    api("api:moderation-complaints", MODERATION_API),
    api("api:moderation-complaint", MODERATION_API, pending_code),
    *(
        api(f"api:moderation-complaint-{step}", MODERATION_API, pending_code, "post", lambda w, body=body: body)
        for step, body in [
            ("review", {}),
            ("request-info", {"question": "请上传付款截图"}),
            ("accept", {}),
            ("reject", {"reason": "spam"}),
            ("claim", {}),
            ("release", {}),
            ("redaction", {"text": "商家不发货。"}),
        ]
    ),
    api("api:moderation-complaint-close", MODERATION_API, code_a, "post", lambda w: {"outcome": "unresolved"}),
    api("api:merchants", everyone(), query="?q=易享购"),
    api("api:merchant-detail", everyone(), lambda w: {"uuid": w.x.uuid}),
    *(api(f"api:stats-{name}", STATS_API) for name in ("summary", "timeseries", "merchants")),
    api("api:stats-breakdown", STATS_API, query="?by=category"),
    api("api-schema", everyone()),
    api("api-docs", everyone()),
]

TABLE = PAGES + APIS
