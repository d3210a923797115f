"""Every change to a ticket goes through these functions: audited, written to the
timeline, notified (DESIGN.md, "every state change through one function").

* ``tickets``: opening, status transitions, priority, assignment, comments, links, the
  change plan and analysis reports;
* ``attachments``, ``escalation`` (SLA warnings, breaches, auto-confirmation),
  ``surveys``, ``mail`` (IMAP intake) — each in its own module.
"""

from careops.servicedesk.actions.tickets import (
    ANALYSIS_FIELDS,
    ConflictError,
    TransitionError,
    affected_systems,
    allowed_next,
    assign,
    change_priority,
    comment,
    contract_of,
    covering_version,
    hospital_side,
    items_by_code,
    link_incidents,
    link_incidents_by_number,
    may_confirm,
    may_report_for,
    may_work,
    needs_approval,
    open_ticket,
    refuses,
    save_change_plan,
    submit_analysis,
    transition,
    vendor_side,
    version_in_force,
    waive_target,
)

__all__ = ["ANALYSIS_FIELDS", "ConflictError", "TransitionError", "affected_systems",
           "allowed_next", "assign", "change_priority", "comment", "contract_of",
           "covering_version", "hospital_side", "items_by_code", "link_incidents",
           "link_incidents_by_number", "may_confirm", "may_report_for", "may_work",
           "needs_approval", "open_ticket", "refuses", "save_change_plan", "submit_analysis",
           "transition", "vendor_side", "version_in_force", "waive_target"]
