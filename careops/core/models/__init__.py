from careops.core.models.audit import AuditChainHead, AuditRecord
from careops.core.models.calendars import (
    CalendarDate,
    CalendarDateKind,
    HolidayDate,
    HolidayDateKind,
    HolidayYear,
    WorkCalendar,
)
from careops.core.models.notifications import Channel, DeliveryAttempt, Notification
from careops.core.models.secrets import Secret, SecretKind
from careops.core.models.users import PasswordHistory, User

__all__ = [
    "AuditChainHead",
    "AuditRecord",
    "CalendarDate",
    "CalendarDateKind",
    "Channel",
    "DeliveryAttempt",
    "HolidayDate",
    "HolidayDateKind",
    "HolidayYear",
    "Notification",
    "PasswordHistory",
    "Secret",
    "SecretKind",
    "User",
    "WorkCalendar",
]
