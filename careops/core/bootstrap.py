"""First start: the three administrator accounts of the separation of duties."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.db import transaction

from careops.conf import env_str
from careops.core import audit
from careops.core.choices import AuditAction, Role
from careops.core.models import User

# username, role, environment variable with its password
BOOTSTRAP_ACCOUNTS = [
    ("admin", Role.SYSTEM_ADMIN, "CAREOPS_ADMIN_PASSWORD"),
    ("secadmin", Role.SECURITY_ADMIN, "CAREOPS_SECADMIN_PASSWORD"),
    ("auditadmin", Role.AUDIT_ADMIN, "CAREOPS_AUDITADMIN_PASSWORD"),
]


@dataclass
class CreatedAccount:
    username: str
    role: str
    password: str | None  # None when it came from the environment


def random_password(length: int = 16) -> str:
    """A password that satisfies the policy: all four character classes."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in value) and any(c.isupper() for c in value)
                and any(c.isdigit() for c in value) and any(c in "-_.!@#%" for c in value)):
            return value


@transaction.atomic
def create_first_accounts() -> list[CreatedAccount]:
    """Create the administrator accounts when the platform has no user yet."""
    if User.objects.exists():
        return []
    created = []
    for username, role, variable in BOOTSTRAP_ACCOUNTS:
        given = env_str(variable)
        password = given or random_password()
        user = User(username=username, role=role, must_change_password=not given)
        user.set_password(password)
        user.save()
        audit.record(AuditAction.CREATE, obj=user, username="system",
                     changes=audit.diff(None, audit.snapshot(user)),
                     detail={"reason": "first start"})
        created.append(CreatedAccount(username, role, None if given else password))
    return created
