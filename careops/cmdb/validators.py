"""Validators of the structured (JSON) fields of configuration items."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EXPORTER_JOBS = ("node", "windows", "postgres", "mysqld", "blackbox", "other")
_TARGET = re.compile(r"^[A-Za-z0-9._-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def validate_ip_list(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of IP addresses."), code="invalid")
    for entry in value:
        try:
            ipaddress.ip_address(str(entry).strip())
        except ValueError:
            raise ValidationError(_("%(value)s is not an IP address."), code="invalid_ip",
                                  params={"value": entry}) from None


def validate_name_list(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("Enter a list of names."), code="invalid")


def validate_endpoints(value: Any) -> None:
    """[{"job": "node", "target": "10.1.2.3:9100"}, …] as Prometheus scrapes them."""
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of monitoring endpoints."), code="invalid")
    for entry in value:
        if not isinstance(entry, dict) or set(entry) - {"job", "target", "path"}:
            raise ValidationError(_('Each endpoint needs "job" and "target".'), code="invalid")
        if entry.get("job") not in EXPORTER_JOBS:
            raise ValidationError(_("Unknown exporter job %(job)s; use one of %(jobs)s."),
                                  code="invalid_job",
                                  params={"job": entry.get("job"),
                                          "jobs": ", ".join(EXPORTER_JOBS)})
        target = str(entry.get("target", ""))
        port = target.rsplit(":", 1)[-1] if ":" in target else ""
        if not _TARGET.match(target) or (port.isdigit() and not 0 < int(port) < 65536):
            raise ValidationError(_("%(target)s is not host:port."), code="invalid_target",
                                  params={"target": target})


def validate_disks(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of disks."), code="invalid")
    for entry in value:
        if not isinstance(entry, dict) or not str(entry.get("mount", "")).strip():
            raise ValidationError(_('Each disk needs a "mount" (or device) name.'),
                                  code="invalid")
        size = entry.get("size_gb")
        if not isinstance(size, (int, float)) or isinstance(size, bool) or size < 0:
            raise ValidationError(_("Disk %(mount)s needs a size_gb of zero or more."),
                                  code="invalid", params={"mount": entry.get("mount")})


def validate_tags(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 40
                                              for v in value):
        raise ValidationError(_("Tags are a list of short texts."), code="invalid")
