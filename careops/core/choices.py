"""Choice sets of the core app: each value has a label and a Tabler colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HOSPITAL_ADMIN = "hospital_admin", _("Hospital administrator")
    IT_ENGINEER = "it_engineer", _("Hospital IT engineer")
    VENDOR_ENGINEER = "vendor_engineer", _("Vendor engineer")
    DEPARTMENT_USER = "department_user", _("Department user")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")

    @classmethod
    def colour(cls, value: str) -> str:
        return ROLE_COLOURS.get(cls(value), "secondary") if value in cls.values else "secondary"


ROLE_COLOURS: dict[str, str] = {
    Role.HOSPITAL_ADMIN: "blue",
    Role.IT_ENGINEER: "cyan",
    Role.VENDOR_ENGINEER: "teal",
    Role.DEPARTMENT_USER: "secondary",
    Role.AUDITOR: "purple",
    Role.SYSTEM_ADMIN: "red",
    Role.SECURITY_ADMIN: "orange",
    Role.AUDIT_ADMIN: "pink",
}

# The roles of the platform's own administration (三员) and the business owner:
# they must log in with a second factor.
ADMIN_ROLES = frozenset(
    {Role.HOSPITAL_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
)


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Lockout")
    UNLOCK = "unlock", _("Unlock")
    OTP_FAILED = "otp_failed", _("Failed second factor")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    PERMISSION_CHANGE = "permission_change", _("Permission change")
    PASSWORD_CHANGE = "password_change", _("Password change")
    TWO_FACTOR = "two_factor", _("Two-factor change")
    SECRET_USE = "secret_use", _("Secret used")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download")
    PRUNE = "prune", _("Audit pruning")
    ACCESS_DENIED = "access_denied", _("Access denied")
    NOTIFY = "notify", _("Notification")


AUDIT_ACTION_COLOURS = {
    AuditAction.LOGIN: "green",
    AuditAction.LOGOUT: "secondary",
    AuditAction.LOGIN_FAILED: "orange",
    AuditAction.LOCKOUT: "red",
    AuditAction.UNLOCK: "teal",
    AuditAction.OTP_FAILED: "orange",
    AuditAction.CREATE: "blue",
    AuditAction.UPDATE: "cyan",
    AuditAction.DELETE: "red",
    AuditAction.PERMISSION_CHANGE: "purple",
    AuditAction.PASSWORD_CHANGE: "indigo",
    AuditAction.TWO_FACTOR: "indigo",
    AuditAction.SECRET_USE: "yellow",
    AuditAction.EXPORT: "pink",
    AuditAction.DOWNLOAD: "pink",
    AuditAction.PRUNE: "dark",
    AuditAction.ACCESS_DENIED: "red",
    AuditAction.NOTIFY: "lime",
}
AUDIT_RESULT_COLOURS = {
    AuditResult.SUCCESS: "green",
    AuditResult.FAILURE: "orange",
    AuditResult.DENIED: "red",
}


class NotificationKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group bot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu bot")
    WEBHOOK = "webhook", _("Webhook")

    @classmethod
    def colour(cls, value: str) -> str:
        return {"email": "blue", "wecom": "green", "dingtalk": "azure", "feishu": "indigo",
                "webhook": "purple"}.get(value, "secondary")


class NotificationSeverity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")

    @classmethod
    def colour(cls, value: str) -> str:
        return {"info": "blue", "warning": "orange", "critical": "red"}.get(value, "secondary")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    GAVE_UP = "gave_up", _("Gave up")

    @classmethod
    def colour(cls, value: str) -> str:
        return {"pending": "secondary", "sending": "cyan", "sent": "green", "failed": "red",
                "gave_up": "red"}.get(value, "secondary")


class DeliveryOutcome(models.TextChoices):
    RUNNING = "running", _("In progress")
    SUCCESS = "success", _("Delivered")
    FAILURE = "failure", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted")

    @classmethod
    def colour(cls, value: str) -> str:
        return {"running": "cyan", "success": "green", "failure": "red",
                "interrupted": "orange"}.get(value, "secondary")
