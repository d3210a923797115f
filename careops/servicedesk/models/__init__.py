"""Tickets, their append-only timeline and what they carry (docs/servicedesk.md)."""

from careops.servicedesk.models.records import (
    AnalysisReport,
    Attachment,
    BreachCause,
    ChangePlan,
    InboundMail,
    Mailbox,
    NoticeLevel,
    RiskLevel,
    SlaBreach,
    SlaNotice,
    Survey,
)
from careops.servicedesk.models.tickets import (
    Channel,
    EventKind,
    Kind,
    Team,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketQuerySet,
)

__all__ = ["AnalysisReport", "Attachment", "BreachCause", "ChangePlan", "Channel",
           "EventKind", "InboundMail", "Kind", "Mailbox", "NoticeLevel", "RiskLevel",
           "SlaBreach", "SlaNotice", "Survey", "Team", "Ticket", "TicketCounter", "TicketEvent",
           "TicketQuerySet"]
