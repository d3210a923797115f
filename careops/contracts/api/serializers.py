"""Serializers of the contract API (docs/contracts.md, "API")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from careops.contracts.models import (
    ContractProfile,
    ContractVersion,
    ObligationOccurrence,
    ObligationStatus,
)
from careops.logic import obligations as logic_obligations
from careops.logic.contract import KINDS


class VersionSerializer(serializers.ModelSerializer[ContractVersion]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)

    class Meta:
        model = ContractVersion
        fields = ["number", "valid_from", "created_by", "created_at", "summary", "yaml_text"]
        read_only_fields = fields


class ProfileSerializer(serializers.ModelSerializer[ContractProfile]):
    vendor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True)
    systems: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = ContractProfile
        fields = ["id", "code", "name", "vendor", "systems", "status", "created_at",
                  "updated_at", "current_version"]
        read_only_fields = fields

    def get_current_version(self, obj: ContractProfile) -> dict[str, Any] | None:
        version = obj.current_version
        return VersionSerializer(version).data if version else None


class LoadSerializer(serializers.Serializer[Any]):
    yaml = serializers.CharField(trim_whitespace=False, max_length=1_000_000)
    valid_from = serializers.DateField(required=False, allow_null=True)


class PreviewQuerySerializer(serializers.Serializer[Any]):
    """GET parameters of ``{code}/sla-preview/``."""

    kind = serializers.ChoiceField(choices=KINDS)
    priority = serializers.CharField(max_length=40,
                                     help_text="P1/P2…, or a bug class or request tier")
    opened = serializers.DateTimeField(help_text="ISO 8601 with offset")
    pause = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                  help_text="START/END, repeatable")


class PreviewRowSerializer(serializers.Serializer[Any]):
    target = serializers.CharField()
    due = serializers.DateTimeField()
    estimated = serializers.BooleanField()
    missing_years = serializers.ListField(child=serializers.IntegerField())


class OccurrenceSerializer(serializers.ModelSerializer[ObligationOccurrence]):
    """One obligation occurrence (docs/obligations.md, "Tracker")."""

    contract = serializers.CharField(source="profile.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    done_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    deadline = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = ObligationOccurrence
        fields = ["id", "contract", "version", "code", "kind", "title", "sequence",
                  "period_start", "period_end", "due_at", "report_due_at", "deadline",
                  "owner", "assignee", "status", "overdue", "done_at", "done_by", "evidence",
                  "evidence_file", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField())
    def get_deadline(self, obj: ObligationOccurrence) -> str:
        value: dt.datetime = logic_obligations.deadline(obj.due_at, obj.report_due_at)
        return str(serializers.DateTimeField().to_representation(value))

    def get_overdue(self, obj: ObligationOccurrence) -> bool:
        now = self.context.get("now") or timezone.now()
        return logic_obligations.is_overdue(obj.status == ObligationStatus.OPEN, obj.due_at,
                                            obj.report_due_at, now)

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "type": {"type": "string"}, "id": {"type": "integer"}}})
    def get_evidence(self, obj: ObligationOccurrence) -> dict[str, Any] | None:
        if not obj.evidence_type_id:
            return None
        content_type = ContentType.objects.get_for_id(obj.evidence_type_id)
        return {"type": f"{content_type.app_label}.{content_type.model}",
                "id": obj.evidence_id}

    def get_evidence_file(self, obj: ObligationOccurrence) -> str | None:
        if not obj.evidence_file:
            return None
        return reverse("contracts:obligation_evidence", args=[obj.pk])


class EvidenceField(serializers.JSONField):
    """A ticket number, or ``{"type": "servicedesk.ticket", "id": 7}``."""


class CompleteSerializer(serializers.Serializer[Any]):
    evidence = EvidenceField(required=False, allow_null=True,
                             help_text='A ticket number or {"type": "servicedesk.ticket", '
                                       '"id": 7}')
    evidence_file = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=5000)


class WaiveSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)


class AssignOccurrenceSerializer(serializers.Serializer[Any]):
    assignee = serializers.CharField(allow_null=True, allow_blank=True,
                                     help_text="A user name; null or empty: nobody")
