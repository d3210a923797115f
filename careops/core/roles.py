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

from django.utils.translation import gettext_lazy as _

from careops.core.choices import Role


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
    MANAGE_ITEMS = "manage_items"            # create/delete CMDB items, vendors, locations
    MANAGE_CONTRACTS = "manage_contracts"    # load contract profiles and new versions
    MANAGE_MONITORING = "manage_monitoring"  # checks, alert rules, maintenance windows


CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.HOSPITAL_ADMIN: frozenset(
        {Cap.MANAGE_CALENDARS, Cap.MANAGE_CHANNELS, Cap.VIEW_OPERATIONS,
         Cap.CHANGE_OPERATIONS, Cap.APPROVE, Cap.MANAGE_ITEMS, Cap.MANAGE_CONTRACTS,
         Cap.MANAGE_MONITORING}
    ),
    Role.IT_ENGINEER: frozenset({Cap.VIEW_OPERATIONS, Cap.CHANGE_OPERATIONS, Cap.MANAGE_ITEMS,
                                 Cap.MANAGE_MONITORING}),
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


# What each capability allows, for the role matrix page (core:role_list).
CAP_LABELS: dict[Cap, Any] = {
    Cap.MANAGE_USERS: _("Manage user accounts"),
    Cap.ASSIGN_ROLES: _("Assign roles"),
    Cap.MANAGE_SECURITY: _("Unlock accounts and reset second factors"),
    Cap.MANAGE_SECRETS: _("Manage the credential store"),
    Cap.MANAGE_CALENDARS: _("Manage working-time calendars"),
    Cap.MANAGE_CHANNELS: _("Manage notification channels"),
    Cap.VIEW_AUDIT: _("View the audit log"),
    Cap.EXPORT_AUDIT: _("Export the audit log"),
    Cap.VIEW_OPERATIONS: _("View operations data"),
    Cap.CHANGE_OPERATIONS: _("Change operations data"),
    Cap.APPROVE: _("Approve changes and confirm reports"),
    Cap.MANAGE_ITEMS: _("Create and delete configuration items"),
    Cap.MANAGE_CONTRACTS: _("Load contract profiles and their versions"),
    Cap.MANAGE_MONITORING: _("Manage checks, alert rules and maintenance windows"),
}

ROLE_DESCRIPTIONS: dict[str, Any] = {
    Role.HOSPITAL_ADMIN: _("Owns IT operations for the hospital: sees and changes every "
                           "business object, approves changes, keeps calendars and channels."),
    Role.IT_ENGINEER: _("Hospital IT staff: works on tickets, inspections and systems of the "
                        "whole hospital."),
    Role.VENDOR_ENGINEER: _("Engineer of a supplier: sees and works only on the systems under "
                            "the vendor's contracts."),
    Role.DEPARTMENT_USER: _("Staff of a clinical or administrative department: reports faults "
                            "and follows the department's systems, read-only."),
    Role.AUDITOR: _("Reads and exports the audit log and reads operations data; changes "
                    "nothing."),
    Role.SYSTEM_ADMIN: _("Runs the platform: user accounts, calendars, notification channels. "
                         "Cannot read the audit log or grant administrator roles."),
    Role.SECURITY_ADMIN: _("Grants roles, unlocks accounts, resets second factors and keeps the "
                           "credential store; changes no other configuration."),
    Role.AUDIT_ADMIN: _("Reads and exports the audit log; changes nothing."),
}


def capabilities(user: Any) -> frozenset[Cap]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return CAPABILITIES.get(user.role, frozenset())


def has_cap(user: Any, cap: Cap) -> bool:
    return cap in capabilities(user)

