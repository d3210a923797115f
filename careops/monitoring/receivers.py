"""What the webhook receivers accept (docs/monitoring-alerts.md, "Receivers"): the
Prometheus Alertmanager webhook (version 4) and the Zabbix media type's JSON, turned into
alert signals for careops.monitoring.actions.alerts.receive.

A payload is read whole before anything is written: the first bad field raises a
ValidationError naming it (``alerts.3.startsAt``), and nothing of the batch is kept.
Items are found by the label ``careops_item`` (a CMDB code), else by the address or
host name in ``instance`` / ``host`` / ``hostname`` / ``nodename`` (Host.addresses,
Host.hostname); an alert matching none is kept without an item.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.models import ConfigItem, Host
from careops.monitoring.choices import AlertSource, AlertStatus, Severity
from careops.monitoring.types import AlertSignal

MAX_ALERTS = 1000
MAX_TEXT = 2000

# Alertmanager "severity" label → ours (anything else: warning).
PROMETHEUS_SEVERITIES = {
    "critical": Severity.CRITICAL, "disaster": Severity.CRITICAL, "page": Severity.CRITICAL,
    "emergency": Severity.CRITICAL, "fatal": Severity.CRITICAL,
    "major": Severity.MAJOR, "error": Severity.MAJOR, "high": Severity.MAJOR,
    "warning": Severity.WARNING, "warn": Severity.WARNING, "average": Severity.WARNING,
    "minor": Severity.WARNING,
    "info": Severity.INFO, "information": Severity.INFO, "none": Severity.INFO,
    "low": Severity.INFO, "notice": Severity.INFO,
}
# Zabbix severities by number ({EVENT.NSEVERITY}) and by name, English and Chinese UI.
ZABBIX_SEVERITIES = {
    "0": Severity.INFO, "1": Severity.INFO, "2": Severity.WARNING, "3": Severity.WARNING,
    "4": Severity.MAJOR, "5": Severity.CRITICAL,
    "not classified": Severity.INFO, "information": Severity.INFO, "warning": Severity.WARNING,
    "average": Severity.WARNING, "high": Severity.MAJOR, "disaster": Severity.CRITICAL,
    "未分类": Severity.INFO, "信息": Severity.INFO, "警告": Severity.WARNING,
    "一般严重": Severity.WARNING, "严重": Severity.MAJOR, "灾难": Severity.CRITICAL,
}
ZABBIX_STATUS = {"problem": AlertStatus.FIRING, "1": AlertStatus.FIRING,
                 "resolved": AlertStatus.RESOLVED, "ok": AlertStatus.RESOLVED,
                 "0": AlertStatus.RESOLVED}
ADDRESS_LABELS = ("instance", "host", "hostname", "nodename", "host_ip")
_FRACTION = re.compile(r"(\.\d{6})\d+")
ZERO_TIME = "0001-01-01T00:00:00Z"


def _error(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]})


def parse_time(value: Any, path: str, *, local: bool = False) -> dt.datetime:
    """RFC 3339 (nanoseconds allowed), Unix seconds, or Zabbix' ``YYYY.MM.DD HH:MM:SS``
    (in the platform's time zone)."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise _error(path, _("A time is required."))
    try:
        if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
            return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
        if local and re.fullmatch(r"\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}", text):
            naive = dt.datetime.strptime(text, "%Y.%m.%d %H:%M:%S")
            return timezone.make_aware(naive)
        parsed = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("z", "Z")))
    except (ValueError, OverflowError):
        raise _error(path, _("Not a time: use RFC 3339, e.g. 2026-03-02T10:00:00+08:00.")) \
            from None
    if parsed.tzinfo is None:
        if not local:
            raise _error(path, _("The time needs a time zone."))
        parsed = timezone.make_aware(parsed)
    return parsed


def _text(value: Any, path: str, *, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and _unresolved(value)):
        value = ""
    if not isinstance(value, (str, int, float)):
        raise _error(path, _("Expected text."))
    text = str(value).strip()
    if required and not text:
        raise _error(path, _("This field is required."))
    return text[:MAX_TEXT]


def _unresolved(value: str) -> bool:
    """A Zabbix macro it could not expand arrives as itself: ``{$CAREOPS_ITEM}``."""
    return bool(re.fullmatch(r"\{[^{}]*\}", value.strip()))


def _string_map(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _error(path, _("Expected an object of names and texts."))
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(item, (str, int, float, bool)):
            raise _error(f"{path}.{key}", _("Expected text."))
        out[str(key)[:200]] = str(item)[:MAX_TEXT]
    return out


def parse_alertmanager(payload: Any) -> list[AlertSignal]:
    """The alerts of an Alertmanager webhook (version 4) as signals without items."""
    if not isinstance(payload, Mapping):
        raise _error("_", _("Expected a JSON object."))
    version = str(payload.get("version", "4"))
    if version != "4":
        raise _error("version", _("Only version 4 of the Alertmanager webhook is known."))
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise _error("alerts", _("Expected a list of alerts."))
    if len(alerts) > MAX_ALERTS:
        raise _error("alerts", _("At most %(n)d alerts per request.") % {"n": MAX_ALERTS})
    signals = []
    for index, raw in enumerate(alerts):
        path = f"alerts.{index}"
        if not isinstance(raw, Mapping):
            raise _error(path, _("Expected an alert object."))
        labels = _string_map(raw.get("labels"), f"{path}.labels")
        annotations = _string_map(raw.get("annotations"), f"{path}.annotations")
        name = labels.get("alertname", "").strip()
        if not name:
            raise _error(f"{path}.labels.alertname", _("This field is required."))
        status = str(raw.get("status", ""))
        if status not in AlertStatus.values:
            raise _error(f"{path}.status", _("The status must be firing or resolved."))
        starts = parse_time(raw.get("startsAt"), f"{path}.startsAt")
        ends_raw = raw.get("endsAt")
        ends = (parse_time(ends_raw, f"{path}.endsAt")
                if ends_raw and str(ends_raw) != ZERO_TIME and status == AlertStatus.RESOLVED
                else None)
        severity = PROMETHEUS_SEVERITIES.get(labels.get("severity", "").lower(),
                                             Severity.WARNING)
        summary = annotations.get("summary") or annotations.get("description") or name
        if raw.get("fingerprint"):
            annotations["alertmanager_fingerprint"] = str(raw["fingerprint"])[:64]
        if raw.get("generatorURL"):
            annotations["generator_url"] = str(raw["generatorURL"])[:500]
        signals.append(AlertSignal(
            source=AlertSource.ALERTMANAGER, name=name[:200], labels=labels, status=status,
            severity=severity, starts_at=starts, summary=summary[:500], ends_at=ends,
            annotations=annotations))
    return signals


def parse_zabbix(payload: Any) -> list[AlertSignal]:
    """One Zabbix event (the media type's JSON, docs/monitoring-alerts.md) as a signal."""
    if not isinstance(payload, Mapping):
        raise _error("_", _("Expected a JSON object."))
    event_id = _text(payload.get("event_id"), "event_id")
    trigger = _text(payload.get("trigger"), "trigger")
    host = _text(payload.get("host"), "host")
    raw_severity = _text(payload.get("severity"), "severity")
    severity = ZABBIX_SEVERITIES.get(raw_severity.lower())
    if severity is None:
        raise _error("severity", _("Unknown Zabbix severity: use 0–5 ({EVENT.NSEVERITY}) or "
                                   "Not classified … Disaster."))
    raw_status = _text(payload.get("status"), "status")
    status = ZABBIX_STATUS.get(raw_status.lower())
    if status is None:
        raise _error("status", _("The status must be PROBLEM or RESOLVED."))
    starts = parse_time(payload.get("event_time"), "event_time", local=True)
    recovery = _text(payload.get("recovery_time"), "recovery_time", required=False)
    ends = parse_time(recovery, "recovery_time", local=True) \
        if recovery and status == AlertStatus.RESOLVED else None
    trigger_id = _text(payload.get("trigger_id"), "trigger_id", required=False)
    labels = {"host": host, "trigger_id": trigger_id} if trigger_id else \
        {"host": host, "event_id": event_id}
    host_ip = _text(payload.get("host_ip"), "host_ip", required=False)
    if host_ip:
        labels["host_ip"] = host_ip
    careops_item = _text(payload.get("careops_item"), "careops_item", required=False)
    if careops_item:
        labels["careops_item"] = careops_item
    raw_value = _text(payload.get("value"), "value", required=False)
    try:
        value = float(raw_value) if raw_value else None
    except ValueError:
        value = None
    annotations = {"event_id": event_id}
    for key in ("url", "value", "message"):
        text = _text(payload.get(key), key, required=False)
        if text:
            annotations[key] = text
    return [AlertSignal(
        source=AlertSource.ZABBIX, name=trigger[:200], labels=labels, status=status,
        severity=severity, starts_at=starts, summary=f"{host}: {trigger}"[:500], ends_at=ends,
        value=value, annotations=annotations)]


def _address(value: str) -> str:
    """The host part of ``10.1.2.3:9100``, ``[fe80::1]:9100`` or ``http://his.local/x``."""
    text = value.strip()
    if "://" in text:
        return (urlsplit(text).hostname or "").lower()
    if text.startswith("["):
        return text[1:].split("]", 1)[0].lower()
    if text.count(":") == 1:
        return text.split(":", 1)[0].lower()
    return text.lower()


class ItemIndex:
    """Finds the CMDB item of an alert's labels (one query for codes, one for hosts)."""

    def __init__(self, signals: Sequence[AlertSignal]) -> None:
        codes = {s.labels["careops_item"] for s in signals if s.labels.get("careops_item")}
        self.codes = dict(ConfigItem.objects.filter(code__in=codes).values_list("code", "pk"))
        self.hosts: dict[str, int] = {}
        if any(s.labels.get(k) for s in signals for k in ADDRESS_LABELS):
            for pk, hostname, addresses in Host.objects.values_list("pk", "hostname",
                                                                     "addresses"):
                for address in addresses or []:
                    self.hosts.setdefault(str(address).lower(), pk)
                if hostname:
                    self.hosts.setdefault(hostname.lower(), pk)
                    self.hosts.setdefault(hostname.lower().split(".")[0], pk)

    def item_of(self, labels: Mapping[str, str]) -> int | None:
        code = labels.get("careops_item")
        if code and code in self.codes:
            return self.codes[code]
        for key in ADDRESS_LABELS:
            value = labels.get(key)
            if not value:
                continue
            address = _address(value)
            found = self.hosts.get(address)
            if found is None and not re.fullmatch(r"[\d.:]+", address):
                found = self.hosts.get(address.split(".")[0])  # a short host name
            if found:
                return found
        return None


def with_items(signals: Sequence[AlertSignal]) -> list[AlertSignal]:
    index = ItemIndex(signals)
    return [dataclasses.replace(s, item_id=index.item_of(s.labels)) for s in signals]
