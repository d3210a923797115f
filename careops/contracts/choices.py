"""Labels of the obligation tracker: obligation kinds and the states shown in lists."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.contracts.models import ObligationStatus

KIND_LABELS: dict[str, Any] = {
    "inspection": _("Inspection"), "remote_inspection": _("Remote inspection"),
    "onsite_inspection": _("On-site inspection"),
    "inspection_summary": _("Inspection summary"),
    "performance_tuning": _("Performance tuning"), "backup_check": _("Backup check"),
    "restore_drill": _("Restore drill"), "knowledge_base": _("Knowledge base update"),
    "security_patching": _("Security patching"),
    "vulnerability_check": _("Vulnerability check"), "service_review": _("Service review"),
    "document_submission": _("Document submission"), "training": _("Training"),
    "emergency_plan": _("Emergency plan"), "technical_documents": _("Technical documents"),
    "fault_summary": _("Fault summary"), "assessment": _("Assessment"),
    "survey": _("Survey"), "other": _("Other"),
}


class ObligationState(models.TextChoices):
    """What a list shows: the stored status, with ``overdue`` for open ones past their
    deadline (never stored)."""

    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")

    @classmethod
    def colour(cls, value: str) -> str:
        return {"open": "blue", "overdue": "red", "done": "green",
                "waived": "secondary"}.get(value, "secondary")


def state_of(status: str, overdue: bool) -> str:
    if status == ObligationStatus.OPEN and overdue:
        return ObligationState.OVERDUE
    return status
