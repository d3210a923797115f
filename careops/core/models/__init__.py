from careops.core.models.audit import AuditChainHead, AuditRecord
from careops.core.models.notifications import Channel, DeliveryAttempt, Notification
from careops.core.models.secrets import Secret, SecretKind
from careops.core.models.users import PasswordHistory, User

__all__ = ["AuditChainHead", "AuditRecord", "PasswordHistory", "Secret", "SecretKind", "User"]
__all__ += ["Channel", "DeliveryAttempt", "Notification"]
