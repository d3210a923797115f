"""Serializers of the ticket API (docs/servicedesk.md, "API")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from careops.logic.contract import FAULT_KINDS, OUTAGES, SCOPES, SEVERITIES
from careops.servicedesk.models import (
    AnalysisReport,
    ChangePlan,
    Channel,
    Kind,
    Ticket,
    TicketEvent,
)


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "actor", "kind", "from_value", "to_value", "note", "public"]


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    reporter: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    items: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True)
    team: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", read_only=True)
    contract = serializers.SerializerMethodField()
    no_sla = serializers.SerializerMethodField()
    status_label = serializers.CharField(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "kind", "title", "description", "reporter", "channel",
                  "items", "contract", "no_sla", "priority", "priority_reason", "assignee",
                  "team", "status", "status_label", "opened_at", "version",
                  "effort_person_days", "fallback_plan"]

    def get_contract(self, obj: Ticket) -> str | None:
        return str(obj.contract_version) if obj.contract_version else None

    def get_no_sla(self, obj: Ticket) -> bool:
        return obj.contract_version_id is None


class ClockSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    priority = serializers.CharField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    due = serializers.DateTimeField(source="due_at", allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    fraction = serializers.FloatField()
    paused = serializers.SerializerMethodField()
    estimated = serializers.BooleanField()

    def get_paused(self, obj: Any) -> list[dict[str, str]]:
        return [{"start": s.isoformat(), "end": e.isoformat()} for s, e in obj.paused]


class TicketDetailSerializer(TicketSerializer):
    clocks = serializers.SerializerMethodField()
    allowed = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()
    change_plan = serializers.SerializerMethodField()
    linked_incidents: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True)
    problems: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "clocks", "allowed", "events", "analysis",
                  "change_plan", "linked_incidents", "problems"]

    def get_analysis(self, obj: Ticket) -> dict[str, Any] | None:
        report = AnalysisReport.objects.filter(ticket=obj).select_related("author").first()
        return dict(AnalysisSerializer(report).data) if report else None

    def get_change_plan(self, obj: Ticket) -> dict[str, Any] | None:
        plan = ChangePlan.objects.filter(ticket=obj).select_related("supervisor").first()
        return dict(ChangePlanSerializer(plan).data) if plan else None

    def get_clocks(self, obj: Ticket) -> list[dict[str, Any]]:
        from careops.servicedesk.clocks import clocks_for

        return list(ClockSerializer(clocks_for(obj), many=True).data)

    def get_allowed(self, obj: Ticket) -> list[str]:
        from careops.servicedesk.actions import allowed_next

        return list(allowed_next(obj))

    def get_events(self, obj: Ticket) -> list[dict[str, Any]]:
        rows = obj.events.select_related("actor")
        if not self.context.get("internal", False):
            rows = rows.filter(public=True)
        return list(EventSerializer(rows, many=True).data)


class FactsSerializer(serializers.Serializer[Any]):
    scope = serializers.ChoiceField(SCOPES, default="individual")
    kind = serializers.ChoiceField(FAULT_KINDS, default="software")
    severity = serializers.ChoiceField(SEVERITIES, default="experience")
    outage = serializers.ChoiceField(OUTAGES, default="none")
    rooms = serializers.IntegerField(min_value=0, default=0)
    duration_minutes = serializers.FloatField(min_value=0, default=0)


class OpenSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    # Codes, resolved in the view against what the caller may see (one answer for an
    # unknown code and one out of scope).
    items = serializers.ListField(child=serializers.CharField(max_length=100),
                                  help_text="CMDB codes of the affected items.")
    channel = serializers.ChoiceField(Channel.choices, default=Channel.API)
    facts = FactsSerializer(required=False)
    priority = serializers.CharField(max_length=32, required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    effort_person_days = serializers.DecimalField(max_digits=7, decimal_places=1,
                                                  min_value=0, required=False,
                                                  allow_null=True)


class TransitionSerializer(serializers.Serializer[Any]):
    to = serializers.CharField(max_length=32)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)
    fallback_plan = serializers.CharField(required=False, allow_blank=True, default="")
    supervisor = serializers.CharField(required=False, allow_blank=True, default="",
                                       help_text="Username of the hospital's supervisor "
                                                 "(a change moving to implementing).")
    implementation_report = serializers.CharField(required=False, allow_blank=True,
                                                  default="")
    rollback_reason = serializers.CharField(required=False, allow_blank=True, default="")


class WaiveSerializer(serializers.Serializer[Any]):
    target = serializers.CharField(max_length=16)
    reason = serializers.CharField()
    version = serializers.IntegerField(min_value=1, required=False)


class AnalysisSerializer(serializers.ModelSerializer[AnalysisReport]):
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True)
    version = serializers.IntegerField(min_value=1, required=False, write_only=True,
                                       help_text="The ticket's version you read (409 if "
                                                 "it changed since).")

    class Meta:
        model = AnalysisReport
        fields = ["event_description", "root_cause", "scope", "steps_taken", "prevention",
                  "author", "submitted_at", "version"]
        read_only_fields = ["author", "submitted_at"]


class ChangePlanSerializer(serializers.ModelSerializer[ChangePlan]):
    supervisor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True),
        required=False, allow_null=True)

    version = serializers.IntegerField(min_value=1, required=False, write_only=True,
                                       help_text="The ticket's version you read (409 if "
                                                 "it changed since).")

    class Meta:
        model = ChangePlan
        fields = ["content", "plan", "window_start", "window_end", "risk_level",
                  "risk_assessment", "backup_plan", "rollback_plan", "supervisor",
                  "implementation_report", "rollback_reason", "version"]
        read_only_fields = ["implementation_report", "rollback_reason"]


class LinkSerializer(serializers.Serializer[Any]):
    incidents = serializers.ListField(child=serializers.CharField(max_length=20),
                                      allow_empty=False, help_text="Incident numbers.")
    unlink = serializers.BooleanField(default=False)


class PrioritySerializer(serializers.Serializer[Any]):
    priority = serializers.CharField(max_length=32)
    reason = serializers.CharField()
    version = serializers.IntegerField(min_value=1, required=False)


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.CharField(allow_blank=True, allow_null=True)
    team = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 max_length=100, help_text="A team's name; null: no team.")
    version = serializers.IntegerField(min_value=1, required=False)


class CommentSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    public = serializers.BooleanField(default=True)
