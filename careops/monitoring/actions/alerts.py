"""The alert pipeline: every alert signal — from rules, failed checks, Alertmanager and
Zabbix — goes through :func:`receive` (docs/monitoring-alerts.md).

1. Deduplicate by fingerprint: a firing signal creates the alert or refreshes
   ``last_seen_at``; a resolved one ends it.
2. Flapping: a percent state change over the window above the start threshold marks the
   alert flapping (suppressed, notified once) until it falls below the stop threshold.
3. Maintenance: alerts on items in a running window (or an approved change's window, or
   depending on such an item) are kept, suppressed, and open no ticket.
4. Dependencies: alerts on items that depend on an item that is down fold under that
   root cause's alert and into its group.
5. Grouping: alerts of the same root cause / business system share one alert group.
6. A group with an unsuppressed firing alert opens ONE incident through the service desk
   (channel monitoring, opened at detection); later alerts comment on it.
7. When every alert of the group has resolved, the ticket gets a recovery comment and,
   with CAREOPS_ALERT_AUTO_RESTORE, is moved to "restored" (once a person has
   acknowledged it: the respond clock is a person's to stop). While an alert flaps, its
   recovery waits until the flapping has calmed down.

A batch is one transaction. At most one alert per fingerprint is open (the unique
``open_key``); two collectors racing on a new alert make one of them retry the batch.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from careops.cmdb.graph import graph as cmdb_graph
from careops.cmdb.models import ConfigItem
from careops.core import audit
from careops.core.choices import AuditAction, NotificationSeverity, Role
from careops.core.notify import notify
from careops.logic import alerting
from careops.logic.contract import Facts
from careops.logic.impact import Graph
from careops.monitoring import maintenance
from careops.monitoring.choices import AlertSource, AlertStatus, Severity, Suppression
from careops.monitoring.models import Alert, AlertGroup, GroupStatus
from careops.monitoring.types import AlertSignal
from careops.servicedesk import actions as desk
from careops.servicedesk.actions.tickets import derived_facts
from careops.servicedesk.models import Channel, Kind, Ticket

logger = logging.getLogger("careops.monitoring.alerts")

__all__ = ["receive", "reevaluate", "service_account"]

# An incident in one of these statuses is done with: a new fault opens a new ticket.
FINISHED_TICKET = ("confirmed", "closed")
SERVER_KINDS = frozenset({"host", "database", "network_device", "storage_device"})
ATTEMPTS = 3


# --- the service account ----------------------------------------------------------------

def service_account() -> Any:
    """The account monitoring acts as (CAREOPS_MONITORING_USERNAME, default "monitoring"):
    a hospital IT engineer — it may open and work tickets on every item — that cannot log
    in (unusable password). Created on first use."""
    user_model = get_user_model()
    username = settings.CAREOPS_MONITORING_USERNAME
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = user_model(username=username, role=Role.IT_ENGINEER, name="Monitoring 监控")
            user.set_unusable_password()
            user.save()
            audit.record(AuditAction.CREATE, obj=user, username=username,
                         changes=audit.diff(None, audit.snapshot(user)),
                         detail={"service_account": True})
    except IntegrityError:  # created meanwhile by another process
        user = user_model.objects.get(username=username)
    return user


# --- settings ---------------------------------------------------------------------------

def _flap_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CAREOPS_ALERT_FLAP_WINDOW_MINUTES)


def _group_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CAREOPS_ALERT_GROUP_WINDOW_MINUTES)


# --- validation -------------------------------------------------------------------------

def _validate(signals: Sequence[AlertSignal]) -> None:
    """Refuse the whole batch when one signal is malformed, naming the field."""
    item_ids = {s.item_id for s in signals if s.item_id is not None}
    known = set(ConfigItem.objects.filter(pk__in=item_ids).values_list("pk", flat=True))
    for index, s in enumerate(signals):
        def bad(name: str, message: str, index: int = index) -> ValidationError:
            return ValidationError({f"signals.{index}.{name}": [message]})

        if s.source not in AlertSource.values:
            raise bad("source", _("Unknown alert source."))
        if not s.name.strip():
            raise bad("name", _("An alert needs a name."))
        if s.status not in AlertStatus.values:
            raise bad("status", _("The status must be firing or resolved."))
        if s.severity not in Severity.values:
            raise bad("severity", _("Unknown severity."))
        if s.starts_at.tzinfo is None:
            raise bad("starts_at", _("The start needs a time zone."))
        if s.ends_at is not None and s.ends_at.tzinfo is None:
            raise bad("ends_at", _("The end needs a time zone."))
        if s.item_id is not None and s.item_id not in known:
            raise bad("item_id", _("No configuration item has this id."))


# --- the pipeline -----------------------------------------------------------------------

@dataclass
class _Batch:
    now: dt.datetime
    audit: list[Any] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)    # alerts whose state changed
    fired: set[int] = field(default_factory=set)      # alerts that (re)started firing
    dirty: set[int] = field(default_factory=set)      # groups to settle
    open: dict[str, Alert] = field(default_factory=dict)  # fingerprint → open alert
    seen: list[int] = field(default_factory=list)     # refreshed, unchanged alerts
    joined: dict[int, list[Alert]] = field(default_factory=dict)  # group id → new members
    left: dict[int, list[Alert]] = field(default_factory=dict)    # group id → moved away

    def record(self, action: str, alert: Alert, before: dict[str, Any] | None,
               **detail: Any) -> None:
        self.audit.append(audit.build(
            action, obj=alert, username=settings.CAREOPS_MONITORING_USERNAME,
            changes=audit.diff(before, audit.snapshot(alert)), detail=detail or None))


def receive(signals: Sequence[AlertSignal], *, now: dt.datetime | None = None) -> list[Alert]:
    """Feed alert signals into the pipeline; returns the alert of each signal (in order;
    a resolved signal for an alert never seen is ignored and left out). Idempotent: the
    same firing signal again only moves ``last_seen_at``. With no signals it re-evaluates
    suppression, groups and tickets (maintenance windows that ended …)."""
    now = now or timezone.now()
    _validate(signals)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                batch = _Batch(now=now)
                fingerprints = [alerting.fingerprint(s.source, s.name, s.labels)
                                for s in signals]
                batch.open = {a.fingerprint: a for a in Alert.objects.select_for_update()
                              .filter(open_key__in=set(fingerprints))}
                alerts = [a for s, fp in zip(signals, fingerprints, strict=True)
                          if (a := _upsert(batch, s, fp)) is not None]
                if batch.seen:
                    Alert.objects.filter(pk__in=batch.seen).update(last_seen_at=now)
                # refreshes that changed nothing change no decision: skip the evaluation
                # (time-driven changes are picked up by reevaluate() every minute)
                if not signals:
                    _calm_down(batch)
                if batch.touched or not signals:
                    _evaluate(batch)
                audit.append(batch.audit)
                fresh = Alert.objects.select_related("group", "item").in_bulk(
                    [a.pk for a in alerts])
            return [fresh[a.pk] for a in alerts]
        except IntegrityError:
            # another collector opened the same alert meanwhile: the retry refreshes it
            if attempt == ATTEMPTS - 1:
                raise
            logger.info("alert batch raced with another writer; retrying")
    return []  # pragma: no cover (the loop returns or raises)


def reevaluate(now: dt.datetime | None = None) -> None:
    """Re-evaluate every firing alert (run every minute by the worker): windows that
    started or ended, flapping that calmed down (and the recovery comment a flapping
    group's ticket did not get when it closed)."""
    receive([], now=now)


def _changes(alert: Alert) -> list[dt.datetime]:
    return [dt.datetime.fromisoformat(c) for c in alert.state_changes]


def _set_changes(alert: Alert, changes: Iterable[dt.datetime], now: dt.datetime) -> None:
    kept = alerting.prune_changes(list(changes), now, _flap_window())
    alert.state_changes = [c.isoformat() for c in kept]


def _calm_down(batch: _Batch) -> None:
    """Flapping whose state changes have aged out of the window ends (every minute, from
    :func:`reevaluate`). A group that closed while its alerts flapped kept its recovery
    off the ticket; once they have calmed down resolved, the ticket gets it."""
    calmed: set[int] = set()
    for alert in Alert.objects.select_for_update().filter(flapping=True):
        before = audit.snapshot(alert)
        if not _update_flapping(batch, alert):
            continue
        _set_changes(alert, _changes(alert), batch.now)
        alert.save(update_fields=["flapping", "state_changes"])
        batch.touched.add(alert.pk)
        batch.record(AuditAction.UPDATE, alert, before, calmed_down=True)
        if alert.group_id is None:
            continue
        if alert.status == AlertStatus.FIRING:
            batch.dirty.add(alert.group_id)  # its suppression is decided again
        else:
            calmed.add(alert.group_id)
    for group in AlertGroup.objects.filter(pk__in=calmed, status=GroupStatus.CLOSED
                                           ).select_related("ticket"):
        members = list(group.alerts.order_by("starts_at", "id"))
        told = group.ticket is not None and group.closed_at is not None and \
            group.ticket.events.filter(kind="comment", actor=service_account(),
                                       at__gte=group.closed_at).exists()
        # told: not every alert flapped when the group closed, so it had its comment then
        if not told and all(a.status == AlertStatus.RESOLVED and not a.flapping
                            for a in members):
            _recovered(batch, group, members)


def _update_flapping(batch: _Batch, alert: Alert) -> bool:
    """Recompute the flapping state; True when it changed. Notifies when it starts."""
    changes = alerting.prune_changes(_changes(alert), batch.now, _flap_window())
    percent = alerting.flap_percent(changes, batch.now, _flap_window())
    flapping = alerting.next_flapping(alert.flapping, percent,
                                      float(settings.CAREOPS_ALERT_FLAP_START),
                                      float(settings.CAREOPS_ALERT_FLAP_STOP))
    if flapping == alert.flapping:
        return False
    alert.flapping = flapping
    if flapping:
        _notify_flapping(alert, percent)
    return True


def _upsert(batch: _Batch, s: AlertSignal, fp: str) -> Alert | None:
    now = batch.now
    current = batch.open.get(fp)
    if s.status == AlertStatus.RESOLVED:
        if current is None:
            return Alert.objects.filter(fingerprint=fp).order_by("-id").first()
        resolved_before = audit.snapshot(current)
        current.status = AlertStatus.RESOLVED
        current.open_key = None
        current.ends_at = s.ends_at or now
        current.last_seen_at = now
        _set_changes(current, [*_changes(current), now], now)
        _update_flapping(batch, current)
        current.save()
        batch.open.pop(fp, None)
        batch.touched.add(current.pk)
        if current.group_id:
            batch.dirty.add(current.group_id)
        batch.record(AuditAction.UPDATE, current, resolved_before, resolved=True)
        return current
    fields = {"summary": s.summary[:500], "severity": s.severity, "value": s.value,
              "annotations": dict(s.annotations), "item_id": s.item_id,
              "rule_id": s.rule_id, "check_id": s.check_id}
    if current is not None:
        changed = {k: v for k, v in fields.items() if getattr(current, k) != v}
        if _update_flapping(batch, current):
            changed["flapping"] = current.flapping
        if changed:
            refreshed_before = audit.snapshot(current)
            for key, value in changed.items():
                setattr(current, key, value)
            current.last_seen_at = now
            current.save()
            batch.touched.add(current.pk)
            if current.group_id:
                batch.dirty.add(current.group_id)
            batch.record(AuditAction.UPDATE, current, refreshed_before)
        else:
            batch.seen.append(current.pk)
            current.last_seen_at = now
        return current
    previous = Alert.objects.select_for_update().filter(fingerprint=fp).order_by("-id").first()
    if previous is not None and previous.ends_at is not None \
            and previous.ends_at > now - _flap_window():
        # back within the flapping window: the same alert fires again
        alert = previous
        before: dict[str, Any] | None = audit.snapshot(alert)
        action = AuditAction.UPDATE
    else:
        alert = Alert(fingerprint=fp, source=s.source, name=s.name[:200], labels=dict(s.labels))
        if previous is not None:
            alert.state_changes = previous.state_changes
            alert.flapping = previous.flapping
        before, action = None, AuditAction.CREATE
    for key, value in fields.items():
        setattr(alert, key, value)
    alert.status = AlertStatus.FIRING
    alert.open_key = fp
    alert.starts_at = s.starts_at
    alert.ends_at = None
    alert.last_seen_at = now
    _set_changes(alert, [*_changes(alert), now], now)
    _update_flapping(batch, alert)
    alert.save()
    batch.open[fp] = alert
    batch.touched.add(alert.pk)
    batch.fired.add(alert.pk)
    if alert.group_id:
        batch.dirty.add(alert.group_id)
    batch.record(action, alert, before, fired=True)
    return alert


def _representatives(firing: list[Alert]) -> dict[int, Alert]:
    """For each item with a root-candidate alert, the alert that stands for it (the most
    severe, then the oldest)."""
    best: dict[int, Alert] = {}
    for alert in firing:
        if alert.item_id is None or not alerting.is_root_candidate(alert.name, alert.severity):
            continue
        key = (alerting.SEVERITY_ORDER.index(alert.severity), alert.starts_at, alert.pk)
        held = best.get(alert.item_id)
        if held is None or key < (alerting.SEVERITY_ORDER.index(held.severity), held.starts_at,
                                  held.pk):
            best[alert.item_id] = alert
    return best


def _evaluate(batch: _Batch) -> None:
    now = batch.now
    firing = list(Alert.objects.filter(status=AlertStatus.FIRING).select_related("group").only(
        "pk", "fingerprint", "name", "severity", "starts_at", "item_id", "flapping",
        "suppression", "suppressed_by_id", "group_id", "group__key", "group__status"))
    graph = cmdb_graph()
    covered = maintenance.covered_items(now, graph) if firing else set()
    representatives = _representatives(firing)
    roots = alerting.root_causes(graph, set(representatives),
                                 {a.item_id for a in firing if a.item_id is not None})
    desired: dict[int, tuple[str, Alert | None]] = {}
    suppression: str
    for alert in firing:
        root = roots.get(alert.item_id) if alert.item_id is not None else None
        by = representatives.get(root) if root is not None and root != alert.item_id else None
        if alert.item_id is not None and alert.item_id in covered:
            suppression = Suppression.MAINTENANCE
        elif by is not None:
            suppression = Suppression.DEPENDENCY
        elif alert.flapping:
            suppression = Suppression.FLAPPING
        else:
            suppression = Suppression.NONE
        desired[alert.pk] = (suppression, by)
    # roots first, so that the alerts folded under them find their group
    ordered = sorted(firing, key=lambda a: (desired[a.pk][1] is not None, a.starts_at, a.pk))
    groups: dict[int, AlertGroup] = {}
    for alert in ordered:
        suppression, by = desired[alert.pk]
        if by is not None:
            group = groups.get(by.pk) or by.group
        else:
            group = _group_for(batch, alert, graph)
        if group is not None:
            groups[alert.pk] = group
        _apply(batch, alert, suppression, by, group)
    for group in AlertGroup.objects.filter(pk__in=batch.dirty).select_related("ticket"):
        _settle(batch, group, graph)


def _group_for(batch: _Batch, alert: Alert, graph: Graph) -> AlertGroup:
    key = alerting.group_key(graph, alert.item_id, alert.fingerprint)
    if alert.group is not None and alert.group.key == key \
            and alert.group.status == GroupStatus.OPEN:
        return alert.group
    group = AlertGroup.objects.filter(key=key, status=GroupStatus.OPEN).order_by("-id").first()
    if group is not None:
        return group
    recent = (AlertGroup.objects.filter(key=key, status=GroupStatus.CLOSED,
                                        closed_at__gte=batch.now - _group_window())
              .order_by("-closed_at", "-id").first())
    if recent is not None:
        recent.status, recent.closed_at, recent.open_key = GroupStatus.OPEN, None, key
        recent.save(update_fields=["status", "closed_at", "open_key"])
        batch.dirty.add(recent.pk)
        batch.audit.append(audit.build(
            AuditAction.UPDATE, obj=recent, username=settings.CAREOPS_MONITORING_USERNAME,
            detail={"reopened": True}))
        return recent
    group = AlertGroup.objects.create(key=key, open_key=key, root_item_id=alert.item_id,
                                      severity=alert.severity, opened_at=batch.now)
    batch.dirty.add(group.pk)
    batch.audit.append(audit.build(
        AuditAction.CREATE, obj=group, username=settings.CAREOPS_MONITORING_USERNAME,
        changes=audit.diff(None, audit.snapshot(group))))
    return group


def _apply(batch: _Batch, alert: Alert, suppression: str, by: Alert | None,
           group: AlertGroup | None) -> None:
    by_id = by.pk if by is not None else None
    group_id = group.pk if group is not None else None
    if (alert.suppression, alert.suppressed_by_id, alert.group_id) == (suppression, by_id,
                                                                     group_id):
        return
    before = audit.snapshot(alert)
    old_group = alert.group_id
    alert.suppression, alert.suppressed_by_id = suppression, by_id
    alert.group = group
    alert.save(update_fields=["suppression", "suppressed_by", "group"])
    batch.dirty |= {g for g in (old_group, group_id) if g is not None}
    if old_group != group_id:
        if old_group is not None:
            batch.left.setdefault(old_group, []).append(alert)
        if group_id is not None:
            batch.joined.setdefault(group_id, []).append(alert)
    batch.record(AuditAction.UPDATE, alert, before)


# --- groups and tickets -----------------------------------------------------------------

def _root_alert(members: list[Alert]) -> Alert | None:
    """The alert that stands for the group: the one most others are folded under, then
    the most severe, then the oldest."""
    if not members:
        return None
    folded: dict[int, int] = {}
    for alert in members:
        if alert.suppressed_by_id is not None:
            folded[alert.suppressed_by_id] = folded.get(alert.suppressed_by_id, 0) + 1
    unfolded = [a for a in members if a.suppression != Suppression.DEPENDENCY] or members
    return min(unfolded, key=lambda a: (-folded.get(a.pk, 0),
                                        alerting.SEVERITY_ORDER.index(a.severity),
                                        a.starts_at, a.pk))


def _label(item: ConfigItem) -> str:
    return f"{item.get_kind_display()} {item.code}"


def _root_cause_text(root: Alert | None, graph: Graph) -> str:
    """"Host SRV-HIS-DB01 is unreachable; affected: HIS database, HIS" in the platform's
    language."""
    if root is None or root.item is None:
        return root.summary or root.name if root is not None else ""
    affected_ids = alerting.affected_order(graph, root.item_id) if root.item_id in graph.nodes \
        else []
    names = dict(ConfigItem.objects.filter(pk__in=affected_ids[:10]).values_list("pk", "name"))
    affected = ", ".join(names[i] for i in affected_ids[:10] if i in names)
    if len(affected_ids) > 10:
        affected += " …"
    with translation.override(settings.LANGUAGE_CODE):
        if root.name in alerting.DOWN_NAMES:
            head = _("%(item)s is unreachable") % {"item": _label(root.item)}
        else:
            head = _("%(item)s: %(alert)s") % {"item": _label(root.item),
                                                "alert": root.summary or root.name}
        if not affected:
            return head
        return _("%(head)s; affected: %(items)s") % {"head": head, "items": affected}


def _ticket_live(group: AlertGroup) -> Ticket | None:
    ticket = group.ticket
    if ticket is None or ticket.status in FINISHED_TICKET:
        return None
    return ticket


def _settle(batch: _Batch, group: AlertGroup, graph: Graph) -> None:
    """Bring a group in line with its members: severity, root cause, open/closed, and
    its ticket opened, annotated or told of the recovery."""
    members = list(group.alerts.select_related("item").order_by("starts_at", "id"))
    firing = [a for a in members if a.status == AlertStatus.FIRING]
    before = audit.snapshot(group)
    root = _root_alert(firing or members)
    group.severity = alerting.worst_severity(a.severity for a in (firing or members)) \
        if members else group.severity
    group.root_item_id = root.item_id if root is not None else group.root_item_id
    group.root_cause = _root_cause_text(root, graph) if root is not None else group.root_cause
    closing = not firing and group.status == GroupStatus.OPEN
    if closing:
        group.status, group.closed_at, group.open_key = GroupStatus.CLOSED, batch.now, None
    after = audit.snapshot(group)
    if after != before:
        group.save()
        batch.audit.append(audit.build(
            AuditAction.UPDATE, obj=group, username=settings.CAREOPS_MONITORING_USERNAME,
            changes=audit.diff(before, after)))
    for alert in batch.left.get(group.pk, []):
        _moved_away(group, alert)
    if closing:
        # a flapping alert's comings and goings stay off the ticket
        if members and not all(a.flapping for a in members):
            _recovered(batch, group, members)
        return
    threshold = settings.CAREOPS_ALERT_TICKET_SEVERITY
    active = [a for a in firing if a.suppression == Suppression.NONE
              and alerting.severity_at_least(a.severity, threshold)]
    ticket = _ticket_live(group)
    if ticket is None and active:
        _open_ticket(group, members, firing, active, graph)
    elif ticket is not None:
        joined = {a.pk for a in batch.joined.get(group.pk, [])}
        news = [a for a in firing if (a.pk in joined or a.pk in batch.fired)
                and a.suppression in (Suppression.NONE, Suppression.DEPENDENCY)]
        if news:
            _comment_joined(ticket, news)


def _facts(group: AlertGroup, items: list[ConfigItem], graph: Graph) -> Facts:
    """What the CMDB and the alert say about the incident, for the contract's priority
    rules: scope from the departments the hit systems serve; patient safety for a
    critical alert on a patient-safety system, clinical for one on a criticality-1
    system; a critical alert is a full outage, a major one a key function lost."""
    departments: set[int] = set()
    safety = False
    worst: int | None = None
    for item in items:
        if item.pk not in graph.nodes:
            continue
        impact = graph.impact(item.pk)
        departments |= impact.departments
        safety = safety or impact.patient_safety
        if impact.worst_criticality is not None:
            worst = impact.worst_criticality if worst is None else min(worst,
                                                                         impact.worst_criticality)
    base = derived_facts(departments, False)
    root_kind = graph.nodes[group.root_item_id].kind \
        if group.root_item_id in graph.nodes else ""
    kind = "server" if root_kind in SERVER_KINDS else "software"
    if group.severity == Severity.CRITICAL:
        severity = "patient_safety" if safety else ("clinical" if worst == 1 else "operations")
        outage = "full"
    elif group.severity == Severity.MAJOR:
        severity = "clinical" if safety or worst == 1 else "operations"
        outage = "key_function"
    else:
        severity, outage = "experience", "none"
    return Facts(scope=base.scope, kind=kind, severity=severity, outage=outage)


def _open_ticket(group: AlertGroup, members: list[Alert], firing: list[Alert],
                 active: list[Alert], graph: Graph) -> None:
    account = service_account()
    root = _root_alert(firing)
    items: list[ConfigItem] = []
    for alert in ([root] if root is not None else []) + firing:
        if alert.item is not None and alert.item not in items:
            items.append(alert.item)
    opened_at = min(a.starts_at for a in active)
    with translation.override(settings.LANGUAGE_CODE):
        subject = root.summary or root.name if root is not None else group.key
        title = (_("[Monitoring] %(item)s: %(alert)s") % {"item": root.item.code,
                                                           "alert": subject}
                 if root is not None and root.item is not None
                 else _("[Monitoring] %(alert)s") % {"alert": subject})
        lines = [_("Probable root cause: %(cause)s") % {"cause": group.root_cause or "-"}, "",
                 _("Alerts:")]
        lines += [_alert_line(a) for a in firing]
        facts = _facts(group, items, graph)
        # the alert's severity is a judgement the CMDB cannot make: it is the reason
        # whenever it classifies the incident differently from the affected items alone
        reason = _("Classified by monitoring from the alert (%(severity)s): impact "
                   "%(scope)s, %(severity_fact)s, outage %(outage)s.") % {
            "severity": group.get_severity_display(), "scope": facts.scope,
            "severity_fact": facts.severity, "outage": facts.outage}
    ticket = desk.open_ticket(account, Kind.INCIDENT, title[:200], "\n".join(lines), items,
                              channel=Channel.MONITORING, facts=facts, reason=reason,
                              now=opened_at)
    AlertGroup.objects.filter(pk=group.pk).update(ticket=ticket)
    group.ticket = ticket
    audit.record(AuditAction.UPDATE, obj=group, username=settings.CAREOPS_MONITORING_USERNAME,
                 changes={"ticket": [None, ticket.number]})


def _alert_line(alert: Alert) -> str:
    item = alert.item.code if alert.item is not None else _("no item")
    at = timezone.localtime(alert.starts_at).strftime("%Y-%m-%d %H:%M:%S")
    text = f"- [{alert.get_severity_display()}] {item}: {alert.summary or alert.name} ({at})"
    if alert.suppression:
        text += f" — {alert.get_suppression_display()}"
    return text


def _comment_joined(ticket: Ticket, alerts: list[Alert]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = "\n".join([_("More alerts of this incident:"), *(_alert_line(a) for a in alerts)])
    desk.comment(service_account(), ticket, text, public=True, now=max(a.last_seen_at
                                                                       for a in alerts))


def _moved_away(group: AlertGroup, alert: Alert) -> None:
    ticket = _ticket_live(group)
    if ticket is None or alert.group is None:
        return
    target = alert.group.ticket.number if alert.group.ticket else f"#{alert.group.pk}"
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Alert %(alert)s now belongs to the incident of its root cause "
                 "(%(target)s): %(cause)s") % {"alert": alert.summary or alert.name,
                                               "target": target,
                                               "cause": alert.group.root_cause or "-"}
    desk.comment(service_account(), ticket, text, public=True)


def _duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)d d %(h)d h %(m)d min") % {"d": days, "h": hours, "m": minutes}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def _recovered(batch: _Batch, group: AlertGroup, members: list[Alert]) -> None:
    ticket = _ticket_live(group)
    if ticket is None:
        return
    account = service_account()
    began = min(a.starts_at for a in members)
    ended = max((a.ends_at or batch.now) for a in members)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("All alerts of this incident have recovered at %(at)s, after %(duration)s.") % {
            "at": timezone.localtime(ended).strftime("%Y-%m-%d %H:%M:%S"),
            "duration": _duration(ended - began)}
    desk.comment(account, ticket, text, public=True, now=batch.now)
    if not settings.CAREOPS_ALERT_AUTO_RESTORE:
        return
    fresh = Ticket.objects.get(pk=ticket.pk)
    if "restored" in desk.allowed_next(fresh):
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Restored automatically: every alert has recovered.")
        desk.transition(account, fresh, "restored", note=note, now=batch.now)


def _notify_flapping(alert: Alert, percent: float) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Alert %(alert)s is flapping") % {"alert": alert.summary or alert.name}
        text = _("It changed state in %(percent)d%% of the last %(minutes)d minutes; it is "
                 "kept but opens no ticket until it settles.") % {
            "percent": round(percent), "minutes": settings.CAREOPS_ALERT_FLAP_WINDOW_MINUTES}
    notify("alert.flapping", title, text, severity=NotificationSeverity.WARNING,
           data={"fingerprint": alert.fingerprint})
