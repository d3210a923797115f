"""What each role may do. All rights come from here; nothing uses is_superuser.

Separation of duties (三员分立, GB/T 22239-2019 8.1.4.2):
- the system administrator runs the platform (users, calendars, channels) but
  cannot read, export or touch audit records, and cannot grant administrator roles;
- the security administrator grants roles, unlocks accounts, resets second factors
  and manages the secret store, but changes no other configuration;
- the audit administrator and the auditor read and export the audit trail and
  change nothing.
Nobody can edit or delete an audit record (see careops.core.models.audit).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from careops.core.choices import ADMIN_ROLES, Role


class Cap(StrEnum):
    MANAGE_USERS = "manage_users"            # create, edit, deactivate accounts
    ASSIGN_ROLES = "assign_roles"            # change anyone's role (permission change)
    MANAGE_SECURITY = "manage_security"      # unlock, reset 2FA
    MANAGE_SECRETS = "manage_secrets"        # the credential store
    MANAGE_CALENDARS = "manage_calendars"    # working-time calendars and holiday data
    MANAGE_CHANNELS = "manage_channels"      # notification channels
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    VIEW_OPERATIONS = "view_operations"      # business modules (scoped by access.py)
    CHANGE_OPERATIONS = "change_operations"  # work tickets, items, jobs (scoped)
    APPROVE = "approve"                      # approve changes, confirm reports


CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.HOSPITAL_ADMIN: frozenset(
        {Cap.MANAGE_CALENDARS, Cap.MANAGE_CHANNELS, Cap.VIEW_OPERATIONS,
         Cap.CHANGE_OPERATIONS, Cap.APPROVE}
    ),
    Role.IT_ENGINEER: frozenset({Cap.VIEW_OPERATIONS, Cap.CHANGE_OPERATIONS}),
    Role.VENDOR_ENGINEER: frozenset({Cap.VIEW_OPERATIONS, Cap.CHANGE_OPERATIONS}),
    Role.DEPARTMENT_USER: frozenset({Cap.VIEW_OPERATIONS}),
    Role.AUDITOR: frozenset({Cap.VIEW_AUDIT, Cap.EXPORT_AUDIT, Cap.VIEW_OPERATIONS}),
    Role.SYSTEM_ADMIN: frozenset({Cap.MANAGE_USERS, Cap.MANAGE_CALENDARS, Cap.MANAGE_CHANNELS}),
    Role.SECURITY_ADMIN: frozenset({Cap.ASSIGN_ROLES, Cap.MANAGE_SECURITY, Cap.MANAGE_SECRETS}),
    Role.AUDIT_ADMIN: frozenset({Cap.VIEW_AUDIT, Cap.EXPORT_AUDIT}),
}

# Roles the system administrator may give when creating an account; the
# administrator roles and the auditor are granted by the security administrator.
ROLES_SYSTEM_ADMIN_MAY_GRANT = frozenset(
    {Role.HOSPITAL_ADMIN, Role.IT_ENGINEER, Role.VENDOR_ENGINEER, Role.DEPARTMENT_USER}
)


def capabilities(user: Any) -> frozenset[Cap]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return CAPABILITIES.get(user.role, frozenset())


def has_cap(user: Any, cap: Cap) -> bool:
    return cap in capabilities(user)


def is_admin_role(role: str) -> bool:
    return role in ADMIN_ROLES
