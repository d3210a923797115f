"""Exporting documents: every export checks who may see what and is audited
(AuditAction.EXPORT with the document, its format and the SHA-256 of the file, so a
signed paper copy can be matched to the export it came from)."""

from careops.reports.actions.exports import (
    export_contract_month,
    export_ticket_record,
    visible_contracts,
)
from careops.reports.render import FORMATS

__all__ = ["FORMATS", "export_contract_month", "export_ticket_record", "visible_contracts"]
