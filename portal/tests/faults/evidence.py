"""Filing complaints with evidence, and checking that each evidence file was processed exactly once."""

from django.core.files.storage import storages

from complaints import services
from complaints.models import Evidence, TimelineEvent
from complaints.uploads import check_upload
from merchants.services import MerchantClaims

NARRATIVE = "小程序预售的手机付款后一直不发货，客服不回复，店铺也找不到了，请帮忙处理。"


def file_complaint(complainant, *uploads):
    return services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="果园小店", platform="wechat_mini_program"),
        category="not_delivered",
        narrative=NARRATIVE,
        uploads=[check_upload(upload) for upload in uploads],
    )


def status(evidence: Evidence) -> str:
    return Evidence.objects.values_list("status", flat=True).get(pk=evidence.pk)


def _files_named_after(evidence: Evidence, folder: str) -> list[str]:
    # A second save of a derivative would not overwrite: the storage would add a suffix to the name.
    _dirs, names = storages["evidence"].listdir(folder)
    return [name for name in names if name.startswith(evidence.uuid.hex)]


def assert_processed_once(evidence: Evidence, *, attempts: int = 1) -> None:
    """Ready, with one display copy, one thumbnail and one "ready" timeline event, after `attempts` runs."""
    evidence.refresh_from_db()
    assert (evidence.status, evidence.attempts) == (Evidence.Status.READY, attempts)
    assert len(_files_named_after(evidence, "display")) == 1
    assert len(_files_named_after(evidence, "thumbnail")) == 1
    events = evidence.complaint.timeline.filter(kind=TimelineEvent.Kind.EVIDENCE_READY)
    assert [event.data["name"] for event in events].count(evidence.original_name) == 1
