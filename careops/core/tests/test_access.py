"""The object-level access helper (careops.core.access).

The CMDB registers the real models; here the User model stands in for a scoped
model so that the dispatch by role is proven before the CMDB exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from careops.core import access
from careops.core.choices import Role
from careops.core.models import User


@pytest.fixture
def scoped_users(alice: Any, bob: Any, charlie: Any) -> Iterator[dict[str, Any]]:
    # bob (vendor) may see "systems" {alice.pk}; charlie (department) may see none.
    previous = access._resolver
    access.register(User, system_path="")
    access.set_system_resolver(
        lambda user: {alice.pk} if user.pk == bob.pk else set())
    yield {"alice": alice, "bob": bob, "charlie": charlie}
    access.set_system_resolver(previous)
    access._rules.pop(User, None)


def test_it_shows_everything_to_hospital_roles(scoped_users: dict[str, Any]) -> None:
    alice = scoped_users["alice"]
    assert set(access.scope(alice, User.objects.all())) == set(User.objects.all())
    assert access.can_change(alice, scoped_users["charlie"])


def test_it_limits_vendor_engineers_to_their_systems(scoped_users: dict[str, Any]) -> None:
    bob = scoped_users["bob"]
    assert list(access.scope(bob, User.objects.all())) == [scoped_users["alice"]]
    assert access.can_change(bob, scoped_users["alice"])
    assert not access.can_view(bob, scoped_users["charlie"])


def test_it_gives_department_users_read_only_and_outsiders_nothing(
    scoped_users: dict[str, Any],
) -> None:
    charlie = scoped_users["charlie"]
    assert not access.scope(charlie, User.objects.all()).exists()
    assert not access.can_change(charlie, charlie)


def test_it_hides_business_data_from_platform_admins(
    scoped_users: dict[str, Any], make_user: Any
) -> None:
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        admin = make_user(f"adm-{role}", role)
        assert not access.scope(admin, User.objects.all()).exists()


def test_it_refuses_an_unregistered_model(alice: Any) -> None:
    from careops.core.models import Secret

    with pytest.raises(LookupError, match="Secret is not registered"):
        access.scope(alice, Secret.objects.all())


def test_it_gives_inactive_users_nothing(scoped_users: dict[str, Any]) -> None:
    alice = scoped_users["alice"]
    alice.is_active = False
    assert not access.scope(alice, User.objects.all()).exists()
