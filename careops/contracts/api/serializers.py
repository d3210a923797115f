"""Serializers of the contract API (docs/contracts.md, "API")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from careops.contracts.models import ContractProfile, ContractVersion
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
