"""Pagination of long lists. Counting every matching row costs as much as reading them: on a
table of a million tickets the count, not the page, is what the user waits for. These
paginators count at most ``COUNT_CAP`` rows; beyond that the answer says so
(``count_capped``) instead of counting on (GitLab's API does the same past 10,000)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

COUNT_CAP = 10_000


def capped_count(queryset: Any, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): the number of rows up to ``cap`` (default ``COUNT_CAP``), and
    whether there are more."""
    cap = COUNT_CAP if cap is None else cap
    # unordered: the order changes no count, and an ORDER BY would make the database walk
    # the sort index through every row a selective filter rejects
    counted = (queryset.order_by()[:cap + 1].count() if hasattr(queryset, "query")
               else len(queryset))
    return min(counted, cap), counted > cap


class CappedLimitOffsetPagination(LimitOffsetPagination):
    capped = False

    def get_count(self, queryset: Any) -> int:
        # count at least through the requested page, so that a far page still answers
        assert self.request is not None
        reach = self.get_offset(self.request) + (self.limit or 0)
        count, self.capped = capped_count(queryset, max(COUNT_CAP, reach))
        return count

    def get_next_link(self) -> str | None:
        if not self.capped:
            return super().get_next_link()
        # the rows past the counted ones are there: keep offering the next page
        assert self.request is not None and self.limit is not None and self.offset is not None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param,
                                  self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.capped
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"More than {COUNT_CAP} rows match; count stops there."}
        return result


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A page paginator whose count stops at ``COUNT_CAP`` (see ``capped``)."""

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def capped(self) -> bool:
        return self._capped[1]
