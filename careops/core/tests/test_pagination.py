"""Capped counts: lists count at most COUNT_CAP rows and say when there are more."""

from __future__ import annotations

from typing import Any

import pytest

from careops.core.api import pagination
from careops.core.api.pagination import CappedPaginator, capped_count
from careops.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(make_user: Any) -> Any:
    for n in range(7):
        make_user(f"user{n}")
    return User.objects.order_by("username")


def test_it_counts_up_to_the_cap_and_says_when_there_are_more(users: Any) -> None:
    assert capped_count(users, 10) == (7, False)
    assert capped_count(users, 7) == (7, False)
    assert capped_count(users, 5) == (5, True)


def test_the_page_paginator_stops_counting_at_the_cap(
        users: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    paginator = CappedPaginator(users, 2)
    assert paginator.count == 4 and paginator.capped and paginator.num_pages == 2
    assert [u.username for u in paginator.page(2).object_list] == ["user2", "user3"]
    assert not CappedPaginator(users.filter(username__in=["user1", "user2"]), 2).capped


def test_the_api_pagination_keeps_offering_pages_past_the_cap(
        users: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    paginator = pagination.CappedLimitOffsetPagination()
    request = Request(APIRequestFactory().get("/api/v1/x/?limit=2&offset=2"))
    page = paginator.paginate_queryset(users, request)
    assert [u.username for u in page or []] == ["user2", "user3"]
    data = paginator.get_paginated_response([]).data
    assert data["count"] == 4 and data["count_capped"] is True
    assert "offset=4" in data["next"]
    # a page past the cap is still served: the count reaches through it
    far = paginator.paginate_queryset(users, Request(
        APIRequestFactory().get("/api/v1/x/?limit=2&offset=5")))
    assert [u.username for u in far or []] == ["user5", "user6"]
    data = paginator.get_paginated_response([]).data
    assert data["count"] == 7 and data["count_capped"] is False and data["next"] is None
