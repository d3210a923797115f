"""User and role pages and API under the separation of duties."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from careops.core.actions import users as actions
from careops.core.choices import AuditAction, Role
from careops.core.models import AuditRecord, User
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")


def last_record() -> AuditRecord:
    rec = AuditRecord.objects.order_by("-id").first()
    assert rec is not None
    return rec


def test_the_system_admin_creates_a_vendor_engineer(verified_client: Any, sysadmin: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post(reverse("core:user_create"), {
        "username": "erin", "name": "Erin 赵", "role": Role.VENDOR_ENGINEER,
        "phone": "13900000000", "email": "erin@vendor.example"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    erin = User.objects.get(username="erin")
    assert erin.role == Role.VENDOR_ENGINEER and erin.must_change_password
    assert erin.check_password(password)
    rec = last_record()
    assert (rec.action, rec.actor_username, rec.object_id) == (
        AuditAction.CREATE, "sysadmin", str(erin.pk))
    assert rec.changes["role"] == [None, Role.VENDOR_ENGINEER]
    assert rec.changes["password"] == [None, "******"]
    assert password not in rec.changes_json


def test_the_system_admin_cannot_create_a_security_admin(verified_client: Any,
                                                         sysadmin: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post(reverse("core:user_create"), {
        "username": "mallory", "role": Role.SECURITY_ADMIN})
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="mallory").exists()
    api = client.post("/api/v1/users/", {"username": "mallory", "role": Role.AUDITOR},
                      content_type="application/json")
    assert api.status_code == 400
    assert list(api.json()["error"]["fields"]) == ["role"]
    with pytest.raises(PermissionDenied, match="security administrator"):
        actions.create_user(sysadmin, "mallory", "", Role.SECURITY_ADMIN)
    assert not User.objects.filter(username="mallory").exists()


def test_bad_input_names_the_field(verified_client: Any, sysadmin: Any, bob: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post("/api/v1/users/", {"username": "BOB", "role": Role.IT_ENGINEER,
                                              "email": "no"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email"}
    response = client.post("/api/v1/users/", {"username": "BOB", "role": Role.IT_ENGINEER},
                           content_type="application/json")
    assert set(response.json()["error"]["fields"]) == {"username"}
    response = client.post(reverse("core:user_create"),
                           {"username": "a b", "role": Role.IT_ENGINEER})
    assert response.context["form"].errors["username"]
    assert User.objects.count() == 2


def test_the_api_creates_with_a_password_shown_once(verified_client: Any,
                                                    sysadmin: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post("/api/v1/users/", {"username": "erin", "role": Role.IT_ENGINEER},
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert User.objects.get(pk=body["id"]).check_password(body["initial_password"])
    again = client.get(f"/api/v1/users/{body['id']}/").json()
    assert "initial_password" not in again
    assert client.delete(f"/api/v1/users/{body['id']}/").status_code == 405


def test_the_security_admin_changes_a_role_audited(verified_client: Any, secadmin: Any,
                                                   bob: Any) -> None:
    client = verified_client(secadmin)
    response = client.post(reverse("core:user_detail", args=[bob.pk]),
                           {"role": Role.IT_ENGINEER})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.role == Role.IT_ENGINEER
    rec = last_record()
    assert rec.action == AuditAction.PERMISSION_CHANGE
    assert rec.actor_username == "secadmin"
    assert rec.changes == {"role": [Role.VENDOR_ENGINEER, Role.IT_ENGINEER]}
    api = client.patch(f"/api/v1/users/{bob.pk}/", {"role": Role.AUDITOR},
                       content_type="application/json")
    assert api.status_code == 200 and api.json()["role"] == Role.AUDITOR
    assert last_record().changes == {"role": [Role.IT_ENGINEER, Role.AUDITOR]}


def test_the_system_admin_cannot_change_roles(verified_client: Any, sysadmin: Any,
                                              bob: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post(reverse("core:user_detail", args=[bob.pk]),
                           {"role": Role.HOSPITAL_ADMIN})
    assert response.status_code == 403
    api = client.patch(f"/api/v1/users/{bob.pk}/", {"role": Role.HOSPITAL_ADMIN},
                       content_type="application/json")
    assert api.status_code == 403
    assert "security administrator" in api.json()["error"]["message"]
    bob.refresh_from_db()
    assert bob.role == Role.VENDOR_ENGINEER


def test_nobody_changes_their_own_role(verified_client: Any, secadmin: Any) -> None:
    client = verified_client(secadmin)
    page = client.get(reverse("core:user_detail", args=[secadmin.pk]))
    assert page.context["role_form"] is None
    response = client.post(reverse("core:user_detail", args=[secadmin.pk]),
                           {"role": Role.AUDITOR})
    assert response.status_code == 403
    api = client.patch(f"/api/v1/users/{secadmin.pk}/", {"role": Role.AUDITOR},
                       content_type="application/json")
    assert api.status_code == 403
    with pytest.raises(PermissionDenied, match="own role"):
        actions.set_role(secadmin, secadmin, Role.SYSTEM_ADMIN)
    secadmin.refresh_from_db()
    assert secadmin.role == Role.SECURITY_ADMIN


@pytest.mark.parametrize("fixture", ["auditor", "auditadmin", "alice", "bob"])
def test_others_cannot_reach_user_pages(request: Any, verified_client: Any, fixture: str,
                                        charlie: Any) -> None:
    client = verified_client(request.getfixturevalue(fixture))
    for url in (reverse("core:user_list"), reverse("core:user_create"),
                reverse("core:user_detail", args=[charlie.pk]), "/api/v1/users/"):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("core:user_reset_password", args=[charlie.pk])).status_code == 403


def test_a_deactivated_user_cannot_log_in(verified_client: Any, sysadmin: Any, charlie: Any,
                                          client: Any) -> None:
    admin = verified_client(sysadmin)
    response = admin.post(reverse("core:user_set_active", args=[charlie.pk]), {"active": "0"})
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert not charlie.is_active
    assert last_record().changes == {"is_active": [True, False]}
    admin.post(reverse("core:logout"))
    response = client.post(reverse("core:login"), {"username": "charlie", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_accounts_are_looked_after_by_the_security_admin(
        verified_client: Any, sysadmin: Any, auditadmin: Any, secadmin: Any) -> None:
    client = verified_client(sysadmin)
    client.post(reverse("core:user_set_active", args=[auditadmin.pk]), {"active": "0"})
    client.post(reverse("core:user_reset_password", args=[auditadmin.pk]))
    auditadmin.refresh_from_db()
    assert auditadmin.is_active and auditadmin.check_password(PASSWORD)
    with pytest.raises(PermissionDenied):
        actions.update_user(sysadmin, sysadmin, is_active=False)
    result = actions.reset_password(secadmin, auditadmin)
    auditadmin.refresh_from_db()
    assert auditadmin.check_password(result.password) and auditadmin.must_change_password


def test_the_system_admin_resets_a_password(verified_client: Any, sysadmin: Any,
                                            bob: Any) -> None:
    response = verified_client(sysadmin).post(reverse("core:user_reset_password",
                                                      args=[bob.pk]))
    password = response.context["password"]
    bob.refresh_from_db()
    assert bob.check_password(password) and bob.must_change_password
    rec = last_record()
    assert (rec.action, rec.object_id) == (AuditAction.PASSWORD_CHANGE, str(bob.pk))
    assert password not in rec.detail_json


def test_the_system_admin_edits_a_profile(verified_client: Any, sysadmin: Any,
                                          bob: Any) -> None:
    client = verified_client(sysadmin)
    response = client.post(reverse("core:user_detail", args=[bob.pk]),
                           {"profile": "1", "name": "Bob 李", "phone": "021-1234",
                            "email": "bad"})
    assert response.context["profile_form"].errors["email"]
    client.post(reverse("core:user_detail", args=[bob.pk]),
                {"profile": "1", "name": "Bob 李", "phone": "021-1234", "email": ""})
    bob.refresh_from_db()
    assert bob.phone == "021-1234"
    assert last_record().changes == {"phone": ["", "021-1234"]}


def test_the_list_filters_and_searches(verified_client: Any, sysadmin: Any, alice: Any,
                                       bob: Any, charlie: Any) -> None:
    client = verified_client(sysadmin)
    response = client.get(reverse("core:user_list"), {"role": Role.VENDOR_ENGINEER})
    assert [u.username for u in response.context["page_obj"]] == ["bob"]
    response = client.get(reverse("core:user_list"), {"q": "张"})
    assert [u.username for u in response.context["page_obj"]] == ["charlie"]
    actions.update_user(sysadmin, charlie, is_active=False)
    response = client.get(reverse("core:user_list"), {"is_active": "false"})
    assert [u.username for u in response.context["page_obj"]] == ["charlie"]
    api = client.get("/api/v1/users/", {"role": Role.HOSPITAL_ADMIN}).json()
    assert [u["username"] for u in api["results"]] == ["alice"]


def test_the_detail_links_to_security_only_when_it_exists(verified_client: Any,
                                                          secadmin: Any, bob: Any) -> None:
    from django.urls import NoReverseMatch

    response = verified_client(secadmin).get(reverse("core:user_detail", args=[bob.pk]))
    try:
        url = reverse("core:security_user", args=[bob.pk])
    except NoReverseMatch:
        assert response.context["security_url"] is None
        assert 'data-testid="security-link"' not in response.content.decode()
    else:
        assert response.context["security_url"] == url


def test_the_role_matrix(verified_client: Any, auditor: Any, sysadmin: Any) -> None:
    response = verified_client(auditor).get(reverse("core:role_list"))
    assert response.status_code == 200
    matrix = {row["code"]: row["cells"] for row in response.context["matrix"]}
    roles = [r["value"] for r in response.context["roles"]]
    assert matrix["view_audit"][roles.index(Role.SYSTEM_ADMIN)] is False
    assert matrix["assign_roles"][roles.index(Role.SECURITY_ADMIN)] is True
