"""Facts about a host (OS, CPU, memory, disks) from an exporter's metrics or from the
output of a few commands run over SSH, and how they differ from what the CMDB says.

Pure: no Django, no network. ``careops.cmdb.discovery`` fetches, this module reads.

The OS family follows ``ID`` (then ``ID_LIKE``) of os-release, which node_exporter
exposes as ``node_os_info``: rhel/centos/rocky/almalinux → rhel, kylin → kylin,
uos/deepin → uos, openeuler → openeuler, ubuntu/debian → ubuntu_debian, other Linux →
linux; windows_exporter's ``windows_os_info`` → windows_server (windows for desktops).
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from careops.logic.promtext import Sample

# The Host fields discovery fills, in the order they are shown.
FIELDS = ("hostname", "os_family", "os_version", "cpu_cores", "memory_mb", "disks")
METHODS = ("node_exporter", "ssh")

_OS_FAMILY_BY_ID = {
    "rhel": "rhel", "centos": "rhel", "rocky": "rhel", "almalinux": "rhel",
    "kylin": "kylin", "neokylin": "kylin",
    "uos": "uos", "deepin": "uos",
    "openeuler": "openeuler",
    "ubuntu": "ubuntu_debian", "debian": "ubuntu_debian",
}
# Filesystems that are not disks: memory, kernel interfaces, container layers, images,
# and network shares (they belong to the file server, not to this host).
PSEUDO_FILESYSTEMS = frozenset({
    "tmpfs", "devtmpfs", "ramfs", "overlay", "aufs", "squashfs", "iso9660", "udf", "nsfs",
    "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "hugetlbfs", "debugfs",
    "tracefs", "securityfs", "pstore", "bpf", "autofs", "configfs", "fusectl", "binfmt_misc",
    "rpc_pipefs", "efivarfs", "selinuxfs", "nfsd", "fuse.lxcfs", "fuse.gvfsd-fuse",
    "fuse.portal", "fuse.snapfuse", "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p",
    "fuse.sshfs", "ceph", "fuse.glusterfs", "zfs_snapshot",
})
_PSEUDO_MOUNT_PREFIXES = ("/proc", "/sys", "/dev", "/run", "/var/lib/docker/",
                          "/var/lib/containers/", "/var/lib/kubelet/", "/snap/")
GIB = 1024 ** 3


class FactsError(ValueError):
    """Command output that cannot be read; the message names the source."""


@dataclass(frozen=True, slots=True)
class Disk:
    mount: str
    size_gb: float
    device: str = ""
    fstype: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mount": self.mount, "size_gb": self.size_gb}
        if self.device:
            data["device"] = self.device
        if self.fstype:
            data["fstype"] = self.fstype
        return data


@dataclass(frozen=True, slots=True)
class Facts:
    """What discovery found. ``None`` means "not found", and such fields are not offered."""

    method: str
    source: str = ""
    hostname: str | None = None
    os_family: str | None = None
    os_version: str | None = None
    os_name: str | None = None  # e.g. "Kylin Linux Advanced Server V10 (Sword)", for display
    cpu_cores: int | None = None
    memory_mb: int | None = None
    disks: tuple[Disk, ...] | None = None
    warnings: tuple[str, ...] = field(default=())

    def values(self) -> dict[str, Any]:
        """The found values of :data:`FIELDS`, as the Host stores them."""
        found: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            found[name] = [d.as_dict() for d in value] if name == "disks" else value
        return found

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, for the API and to carry facts from the preview to the save."""
        return {"method": self.method, "source": self.source, "os_name": self.os_name,
                "warnings": list(self.warnings),
                **{name: None for name in FIELDS}, **self.values()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Facts:
        disks = data.get("disks")
        return cls(
            method=str(data["method"]), source=str(data.get("source") or ""),
            hostname=data.get("hostname"), os_family=data.get("os_family"),
            os_version=data.get("os_version"), os_name=data.get("os_name"),
            cpu_cores=data.get("cpu_cores"), memory_mb=data.get("memory_mb"),
            disks=None if disks is None else tuple(
                Disk(str(d["mount"]), float(d["size_gb"]), str(d.get("device", "")),
                     str(d.get("fstype", ""))) for d in disks),
            warnings=tuple(data.get("warnings") or ()))


# --- OS ---------------------------------------------------------------------------


def os_family(os_id: str, id_like: str = "") -> str:
    """The CMDB OS family of an os-release ``ID`` (falling back on ``ID_LIKE``)."""
    key = os_id.strip().lower()
    if key in _OS_FAMILY_BY_ID:
        return _OS_FAMILY_BY_ID[key]
    if "kylin" in key:
        return "kylin"
    for like in id_like.lower().split():
        if like in _OS_FAMILY_BY_ID:
            return _OS_FAMILY_BY_ID[like]
    return "linux"


def windows_family(product: str) -> str:
    return "windows_server" if "server" in product.lower() else "windows"


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines of /etc/os-release, shell quoting removed."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw = line.partition("=")
        if not sep or not key.replace("_", "").isalnum():
            raise FactsError(f"/etc/os-release line {number} is not KEY=value: {line[:80]!r}")
        try:
            words = shlex.split(raw, posix=True)
        except ValueError:
            words = [raw.strip("\"'")]
        values[key.strip()] = " ".join(words)
    return values


def _os_facts(info: Mapping[str, str]) -> dict[str, Any]:
    os_id = info.get("ID") or info.get("id") or ""
    id_like = info.get("ID_LIKE") or info.get("id_like") or ""
    version = (info.get("VERSION_ID") or info.get("version_id")
               or info.get("VERSION") or info.get("version") or "")
    name = (info.get("PRETTY_NAME") or info.get("pretty_name")
            or info.get("NAME") or info.get("name") or "")
    if not os_id and not name:
        return {}
    return {"os_family": os_family(os_id or name.split()[0], id_like),
            "os_version": version or None, "os_name": name or None}


# --- Disks ------------------------------------------------------------------------


def is_real_filesystem(fstype: str, mount: str) -> bool:
    if fstype.lower() in PSEUDO_FILESYSTEMS:
        return False
    return not any(mount == p.rstrip("/") or mount.startswith(p.rstrip("/") + "/")
                   for p in _PSEUDO_MOUNT_PREFIXES)


def size_gb(size_bytes: float) -> float:
    return round(size_bytes / GIB, 1)


def real_disks(entries: Iterable[tuple[str, str, str, float]]) -> tuple[Disk, ...]:
    """Disks from ``(device, fstype, mount, size in bytes)``: real filesystems only, one
    per device (the shortest mount point: bind mounts repeat a device), by mount."""
    best: dict[str, tuple[str, str, float]] = {}
    for device, fstype, mount, size in entries:
        if size <= 0 or math.isnan(size) or not is_real_filesystem(fstype, mount):
            continue
        key = device or mount
        current = best.get(key)
        if current is None or (len(mount), mount) < (len(current[1]), current[1]):
            best[key] = (fstype, mount, size)
    disks = [Disk(mount, size_gb(size), device if device != mount else "", fstype)
             for device, (fstype, mount, size) in best.items()]
    return tuple(sorted(disks, key=lambda d: d.mount))


# --- node_exporter / windows_exporter ---------------------------------------------


def _first(grouped: Mapping[str, Sequence[Sample]], name: str) -> Sample | None:
    found = grouped.get(name)
    return found[0] if found else None


def facts_from_metrics(samples: Iterable[Sample], *, source: str = "") -> Facts:
    """Facts from the samples of a node_exporter (or windows_exporter) scrape."""
    grouped: dict[str, list[Sample]] = {}
    for sample in samples:
        grouped.setdefault(sample.name, []).append(sample)
    found: dict[str, Any] = {}
    warnings: list[str] = []

    windows = _first(grouped, "windows_os_info")
    if windows is not None:
        product = windows.labels.get("product", "")
        found["os_family"] = windows_family(product)
        found["os_name"] = product or None
        short = product.removeprefix("Microsoft ")
        short = short.removeprefix("Windows Server ").removeprefix("Windows ")
        found["os_version"] = short or windows.labels.get("version") or None
        host = _first(grouped, "windows_os_hostname") or _first(grouped, "windows_cs_hostname")
        if host is not None:
            found["hostname"] = host.labels.get("hostname") or None
        cores = _first(grouped, "windows_cs_logical_processors")
        if cores is not None and math.isfinite(cores.value):
            found["cpu_cores"] = int(cores.value)
        memory = _first(grouped, "windows_cs_physical_memory_bytes")
        if memory is not None and math.isfinite(memory.value):
            found["memory_mb"] = int(memory.value // (1024 * 1024))
        volumes = grouped.get("windows_logical_disk_size_bytes", [])
        if volumes:
            found["disks"] = tuple(sorted(
                (Disk(s.labels.get("volume", ""), size_gb(s.value)) for s in volumes
                 if s.labels.get("volume", "").endswith(":") and s.value > 0),
                key=lambda d: d.mount))
    else:
        info = _first(grouped, "node_os_info")
        if info is not None:
            found.update(_os_facts(info.labels))
        else:
            warnings.append("node_os_info is missing (enable the os collector)")
        uname = _first(grouped, "node_uname_info")
        if uname is not None and uname.labels.get("nodename"):
            found["hostname"] = uname.labels["nodename"]
        cpus = {s.labels.get("cpu") for s in grouped.get("node_cpu_seconds_total", [])}
        cpus.discard(None)
        if cpus:
            found["cpu_cores"] = len(cpus)
        memory = _first(grouped, "node_memory_MemTotal_bytes")
        if memory is not None and math.isfinite(memory.value):
            found["memory_mb"] = int(memory.value // (1024 * 1024))
        sizes = grouped.get("node_filesystem_size_bytes")
        if sizes is not None:
            found["disks"] = real_disks(
                (s.labels.get("device", ""), s.labels.get("fstype", ""),
                 s.labels.get("mountpoint", ""), s.value) for s in sizes)
    if not any(found.get(name) is not None for name in FIELDS):
        raise FactsError("the endpoint answered but exposes no host facts "
                         "(is it a node_exporter or windows_exporter?)")
    return Facts(method="node_exporter", source=source, warnings=tuple(warnings), **found)


# --- SSH command outputs ----------------------------------------------------------

# What discovery runs over SSH: one command per fact, read-only, no root needed.
SSH_COMMANDS: dict[str, str] = {
    "os_release": "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
    "nproc": "nproc",
    "meminfo": "cat /proc/meminfo",
    "df": "df -P -k -T -x tmpfs -x devtmpfs -x overlay -x squashfs",
    "hostname": "hostname 2>/dev/null || cat /proc/sys/kernel/hostname",
}


def parse_nproc(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) < 1:
        raise FactsError(f"nproc printed {value[:40]!r}, not a number of CPUs")
    return int(value)


def parse_meminfo(text: str) -> int:
    """MemTotal of /proc/meminfo in MiB."""
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key.strip() == "MemTotal":
            parts = rest.split()
            if not parts or not parts[0].isdigit():
                break
            unit = parts[1].lower() if len(parts) > 1 else "kb"
            factor = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "b": 1}.get(unit)
            if factor is None:
                break
            return int(parts[0]) * factor // (1024 * 1024)
    raise FactsError("/proc/meminfo has no readable MemTotal line")


def parse_df(text: str) -> tuple[Disk, ...]:
    """Disks from POSIX ``df -P -k`` output, with or without ``-T`` (a Type column)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("Filesystem"):
        raise FactsError("df output has no header line")
    has_type = lines[0].split()[1:2] == ["Type"]
    entries: list[tuple[str, str, str, float]] = []
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split()
        minimum = 7 if has_type else 6
        if len(parts) < minimum:
            raise FactsError(f"df line {number} has too few columns: {line[:80]!r}")
        device = parts[0]
        fstype = parts[1] if has_type else ""
        blocks = parts[2] if has_type else parts[1]
        # The mount point is the rest of the line: it may contain spaces.
        mount = line.split(None, minimum - 1)[minimum - 1]
        if not blocks.isdigit():
            raise FactsError(f"df line {number}: size {blocks!r} is not a number")
        entries.append((device, fstype, mount, int(blocks) * 1024))
    return real_disks(entries)


def facts_from_ssh(outputs: Mapping[str, str], *, source: str = "") -> Facts:
    """Facts from the outputs of :data:`SSH_COMMANDS` (missing outputs are skipped)."""
    found: dict[str, Any] = {}
    warnings: list[str] = []
    parsers: dict[str, Any] = {
        "os_release": lambda text: _os_facts(parse_os_release(text)),
        "nproc": lambda text: {"cpu_cores": parse_nproc(text)},
        "meminfo": lambda text: {"memory_mb": parse_meminfo(text)},
        "df": lambda text: {"disks": parse_df(text)},
        "hostname": lambda text: {"hostname": text.strip().splitlines()[0].strip()}
        if text.strip() else {},
    }
    for key, parser in parsers.items():
        text = outputs.get(key)
        if text is None:
            continue
        try:
            found.update(parser(text))
        except FactsError as exc:
            warnings.append(str(exc))
    if not any(found.get(name) is not None for name in FIELDS):
        detail = "; ".join(warnings) or "no command printed anything usable"
        raise FactsError(f"no host facts could be read: {detail}")
    return Facts(method="ssh", source=source, warnings=tuple(warnings), **found)


# --- Differences ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDiff:
    field: str
    current: Any
    discovered: Any
    changed: bool


def _normal(name: str, value: Any) -> Any:
    if name == "disks":
        return sorted((str(d.get("mount")), float(d.get("size_gb", 0)))
                       for d in value or [] if isinstance(d, Mapping))
    if value == "":
        return None
    return value


def diff(current: Mapping[str, Any], facts: Facts) -> list[FieldDiff]:
    """For each field discovery found, the stored and the found value, and whether they
    differ. Disks compare by mount point and size (device and type are extra detail)."""
    rows = []
    for name, found in facts.values().items():
        stored = current.get(name)
        rows.append(FieldDiff(name, stored, found, _normal(name, stored) != _normal(name, found)))
    return rows
