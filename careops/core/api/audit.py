"""Read-only API of the audit trail: list and retrieve, nothing else (405)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from careops.core.api.permissions import cap_permission
from careops.core.filtersets import AuditRecordFilterSet
from careops.core.models import AuditRecord
from careops.core.roles import Cap


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    changes = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = AuditRecord
        fields = ["id", "at", "actor_id", "actor_username", "source_ip", "action",
                  "object_type", "object_id", "object_repr", "result", "changes", "detail",
                  "prev_hash", "hash"]
        read_only_fields = fields

    def get_changes(self, rec: AuditRecord) -> Any:
        return rec.changes

    def get_detail(self, rec: AuditRecord) -> Any:
        return rec.detail


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet[AuditRecord]):
    """The audit trail, newest first. Filters as on the audit log page."""

    queryset = AuditRecord.objects.order_by("-id")
    serializer_class = AuditRecordSerializer
    permission_classes = [cap_permission(Cap.VIEW_AUDIT)]
    filterset_class = AuditRecordFilterSet
