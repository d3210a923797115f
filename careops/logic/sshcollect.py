"""Agentless Linux collection over SSH: the one POSIX sh script the collector runs, and
the parsing of its output into node_exporter-named samples. Pure Python.

The script prints sections, each after a line ``=====careops:<name>``: the remote clock
first (so its arrival time dates it), then /proc/stat, /proc/meminfo, /proc/loadavg,
/proc/uptime, /proc/mounts, ``df -P -k``, ``df -P -i``, uname, the failed systemd units
(only where systemd runs) and, for each named log file, the lines added since the last
run that match a pattern (counted on the host; at most five examples come back).

Metric names follow node_exporter, so one rule set serves hosts with node_exporter and
hosts collected over SSH: node_cpu_seconds_total{cpu,mode}, node_memory_*_bytes,
node_filesystem_{size,free,avail}_bytes and node_filesystem_files{,_free}
{device,fstype,mountpoint}, node_load1/5/15, node_boot_time_seconds, node_time_seconds,
node_systemd_unit_state{name,state="failed"}; and CareOps' own
careops_clock_offset_seconds, careops_systemd_failed_units,
careops_log_error_lines{file}, careops_log_readable{file}, careops_log_skipped_bytes{file}.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from careops.logic.promtext import Sample

MARK = "=====careops:"
DEFAULT_PATTERN = "error|fatal|panic|fail"
EXAMPLES = 5
EXAMPLE_CHARS = 300
DEFAULT_LOG_BYTES = 1024 * 1024  # read at most this much of one log file per run

CPU_MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
# node_exporter's defaults (collector/filesystem_linux.go).
IGNORED_MOUNTS = re.compile(
    r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)")
IGNORED_FSTYPES = re.compile(
    r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
    r"iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
    r"sysfs|tracefs)$")


@dataclass(frozen=True)
class LogRequest:
    """A log file to watch, and where the last run left it (None: never read)."""

    path: str
    inode: int | None = None
    offset: int | None = None


@dataclass
class LogResult:
    path: str
    readable: bool
    new_lines: int = 0
    examples: list[str] = field(default_factory=list)
    inode: int | None = None
    offset: int | None = None
    skipped_bytes: int = 0
    rotated: bool = False


@dataclass
class Collected:
    samples: list[Sample]
    logs: list[LogResult]
    warnings: list[str]


# --- The script -----------------------------------------------------------------------

_SCRIPT_HEAD = f"""\
M='{MARK}'
echo "${{M}}date"; date +%s.%N
echo "${{M}}stat"; cat /proc/stat 2>/dev/null
echo "${{M}}clk_tck"; getconf CLK_TCK 2>/dev/null || echo 100
echo "${{M}}meminfo"; cat /proc/meminfo 2>/dev/null
echo "${{M}}loadavg"; cat /proc/loadavg 2>/dev/null
echo "${{M}}uptime"; cat /proc/uptime 2>/dev/null
echo "${{M}}uname"; uname -s; uname -n; uname -r; uname -m
echo "${{M}}mounts"; cat /proc/mounts 2>/dev/null
echo "${{M}}df"; df -P -k 2>/dev/null
echo "${{M}}dfi"; df -P -i 2>/dev/null
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo "${{M}}systemd"; systemctl --failed --no-legend --plain --no-pager 2>/dev/null
fi
"""

# Per log file: its inode and size, where to start reading (the last offset when the file
# is the same and has not shrunk; the start after rotation; the end on the first run), at
# most $cap bytes of it, and the matching lines counted by awk.
_LOG_FUNCTION = r"""careops_log() {
  echo "${M}log $1"
  if [ ! -r "$2" ] || [ ! -f "$2" ]; then echo "missing"; return; fi
  set -- "$1" "$2" "$3" "$4" $(ls -dinL -- "$2" 2>/dev/null)
  ino=$5; size=${10}
  case "$size" in ''|*[!0-9]*) echo "missing"; return;; esac
  if [ -z "$3" ]; then start=$size; first=1
  elif [ "$ino" = "$3" ] && [ "$size" -ge "$4" ]; then start=$4; first=0
  else start=0; first=2; fi
  skipped=0
  if [ $((size - start)) -gt "$CAREOPS_CAP" ]; then
    skipped=$((size - start - CAREOPS_CAP)); start=$((size - CAREOPS_CAP)); fi
  echo "meta $ino $size $start $skipped $first"
  if [ "$size" -gt "$start" ]; then
    tail -c +$((start + 1)) -- "$2" 2>/dev/null | head -c $((size - start)) |
      awk -v keep=__EXAMPLES__ -v width=__WIDTH__ '
        BEGIN { p = ENVIRON["CAREOPS_PAT"] }
        tolower($0) ~ p { n++; if (n <= keep) print "E " substr($0, 1, width) }
        END { print "C " n }'
  else echo "C 0"; fi
}
"""


def build_script(logs: Sequence[LogRequest], pattern: str = DEFAULT_PATTERN,
                 log_bytes: int = DEFAULT_LOG_BYTES) -> str:
    """The POSIX sh script of one collection. Paths and the pattern are shell-quoted;
    the pattern reaches awk through the environment, never as program text."""
    parts = [_SCRIPT_HEAD]
    if logs:
        parts.append(f"CAREOPS_PAT={shlex.quote(pattern.lower())}; export CAREOPS_PAT\n")
        parts.append(f"CAREOPS_CAP={int(log_bytes)}\n")
        parts.append(_LOG_FUNCTION.replace("__EXAMPLES__", str(EXAMPLES))
                     .replace("__WIDTH__", str(EXAMPLE_CHARS)))
        for index, log in enumerate(logs):
            inode = "" if log.inode is None or log.offset is None else str(int(log.inode))
            offset = "" if log.offset is None else str(int(log.offset))
            parts.append(f"careops_log {index} {shlex.quote(log.path)} '{inode}' '{offset}'\n")
    parts.append('echo "${M}end"\n')
    return "".join(parts)


# --- Parsing ------------------------------------------------------------------------

def parse_sections(output: str) -> dict[str, str]:
    """The sections of the script's output by name (text before the first is dropped)."""
    sections: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in output.split("\n"):
        if line.startswith(MARK):
            if name is not None:
                sections[name] = "\n".join(lines)
            name, lines = line[len(MARK):].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        sections[name] = "\n".join(lines)
    return sections


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def remote_time(section: str) -> float | None:
    """Seconds since the epoch from ``date +%s.%N`` (or ``+%s`` where %N is unknown)."""
    text = section.strip().split("\n")[0].strip() if section.strip() else ""
    match = re.match(r"(\d+)(\.\d+)?", text)
    if match is None:
        return None
    return float(match.group(1) + (match.group(2) or ""))


def cpu_samples(stat: str, clk_tck: float = 100.0) -> list[Sample]:
    samples: list[Sample] = []
    tick = clk_tck if clk_tck > 0 else 100.0
    for line in stat.split("\n"):
        fields = line.split()
        if not fields:
            continue
        key = fields[0]
        if key.startswith("cpu") and key[3:].isdigit():
            values = [_number(v) for v in fields[1:]]
            for mode, value in zip(CPU_MODES, values, strict=False):
                if value is not None:
                    samples.append(Sample("node_cpu_seconds_total", {"cpu": key[3:],
                                                                     "mode": mode},
                                          value / tick))
            for index, mode in ((8, "user"), (9, "nice")):
                if len(values) > index and values[index] is not None:
                    samples.append(Sample("node_cpu_guest_seconds_total",
                                          {"cpu": key[3:], "mode": mode},
                                          float(values[index] or 0) / tick))
            continue
        value = _number(fields[1]) if len(fields) > 1 else None
        if value is None:
            continue
        name = {"btime": "node_boot_time_seconds", "ctxt": "node_context_switches_total",
                "processes": "node_forks_total", "procs_running": "node_procs_running",
                "procs_blocked": "node_procs_blocked", "intr": "node_intr_total"}.get(key)
        if name is not None:
            samples.append(Sample(name, {}, value))
    return samples


_MEM_KEY_RE = re.compile(r"\((.*)\)")


def memory_samples(meminfo: str) -> list[Sample]:
    samples: list[Sample] = []
    for line in meminfo.split("\n"):
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if not sep or not parts:
            continue
        value = _number(parts[0])
        if value is None:
            continue
        name = _MEM_KEY_RE.sub(r"_\1", key.strip())
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            continue
        if len(parts) > 1 and parts[1].lower() == "kb":
            samples.append(Sample(f"node_memory_{name}_bytes", {}, value * 1024))
        else:
            samples.append(Sample(f"node_memory_{name}", {}, value))
    return samples


def load_samples(loadavg: str) -> list[Sample]:
    fields = loadavg.split()
    values = [_number(v) for v in fields[:3]]
    if len(values) < 3 or any(v is None for v in values):
        return []
    return [Sample(name, {}, float(v or 0.0))
            for name, v in zip(("node_load1", "node_load5", "node_load15"), values,
                               strict=True)]


def _unescape_mount(text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def mount_types(mounts: str) -> dict[str, tuple[str, str]]:
    """Mount point → (device, fstype) from /proc/mounts (the last mount wins)."""
    found: dict[str, tuple[str, str]] = {}
    for line in mounts.split("\n"):
        fields = line.split()
        if len(fields) >= 3:
            found[_unescape_mount(fields[1])] = (_unescape_mount(fields[0]), fields[2])
    return found


_DF_RE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(/.*)$")


def _df_rows(text: str) -> list[tuple[str, int, int, int, str]]:
    rows = []
    for line in text.split("\n")[1:]:
        match = _DF_RE.match(line.strip())
        if match:
            device, total, used, free, mountpoint = match.groups()
            rows.append((device, int(total), int(used), int(free), mountpoint))
    return rows


def filesystem_samples(df_k: str, df_i: str, mounts: str) -> list[Sample]:
    types = mount_types(mounts)
    samples: list[Sample] = []

    def labels_of(device: str, mountpoint: str) -> dict[str, str] | None:
        fstype = types.get(mountpoint, (device, "unknown"))[1]
        if IGNORED_MOUNTS.match(mountpoint) or IGNORED_FSTYPES.match(fstype):
            return None
        return {"device": device, "fstype": fstype, "mountpoint": mountpoint}

    seen: set[str] = set()
    for device, total, used, avail, mountpoint in _df_rows(df_k):
        labels = labels_of(device, mountpoint)
        if labels is None or mountpoint in seen:
            continue
        seen.add(mountpoint)
        samples.append(Sample("node_filesystem_size_bytes", labels, total * 1024.0))
        samples.append(Sample("node_filesystem_free_bytes", labels,
                              max(total - used, 0) * 1024.0))
        samples.append(Sample("node_filesystem_avail_bytes", labels, avail * 1024.0))
    seen.clear()
    for device, inodes, _used, free, mountpoint in _df_rows(df_i):
        labels = labels_of(device, mountpoint)
        if labels is None or mountpoint in seen:
            continue
        seen.add(mountpoint)
        samples.append(Sample("node_filesystem_files", labels, float(inodes)))
        samples.append(Sample("node_filesystem_files_free", labels, float(free)))
    return samples


def systemd_samples(section: str | None) -> list[Sample]:
    """Failed units, only when the host runs systemd (the section is there)."""
    if section is None:
        return []
    names = []
    for line in section.split("\n"):
        fields = line.replace("●", " ").replace("*", " ", 1).split()
        if fields and "." in fields[0]:
            names.append(fields[0])
    samples = [Sample("node_systemd_unit_state", {"name": name, "state": "failed"}, 1.0)
               for name in dict.fromkeys(names)]
    samples.append(Sample("careops_systemd_failed_units", {}, float(len(set(names)))))
    return samples


def uname_samples(section: str | None) -> list[Sample]:
    lines = [line.strip() for line in (section or "").split("\n") if line.strip()]
    if len(lines) < 4:
        return []
    return [Sample("node_uname_info", {"sysname": lines[0], "nodename": lines[1],
                                       "release": lines[2], "machine": lines[3]}, 1.0)]


def log_result(request: LogRequest, section: str | None) -> LogResult:
    result = LogResult(request.path, readable=False, inode=request.inode,
                       offset=request.offset)
    if section is None:
        return result
    for line in section.split("\n"):
        if line.startswith("meta "):
            fields = line.split()
            if len(fields) >= 6 and all(f.isdigit() for f in fields[1:6]):
                result.readable = True
                result.inode, result.offset = int(fields[1]), int(fields[2])
                result.skipped_bytes = int(fields[4])
                result.rotated = fields[5] == "2"
        elif line.startswith("E ") and len(result.examples) < EXAMPLES:
            result.examples.append(line[2:2 + EXAMPLE_CHARS])
        elif line.startswith("C ") and line[2:].strip().isdigit():
            result.new_lines = int(line[2:].strip())
    if not result.readable:
        result.new_lines = 0
        result.examples = []
    return result


def log_samples(results: Iterable[LogResult]) -> list[Sample]:
    samples: list[Sample] = []
    for log in results:
        labels = {"file": log.path}
        samples.append(Sample("careops_log_readable", labels, 1.0 if log.readable else 0.0))
        if log.readable:
            samples.append(Sample("careops_log_error_lines", labels, float(log.new_lines)))
            samples.append(Sample("careops_log_skipped_bytes", labels,
                                  float(log.skipped_bytes)))
    return samples


def collect(output: str, *, local_time: float | None,
            logs: Sequence[LogRequest] = ()) -> Collected:
    """The samples of one run's ``output``; ``local_time`` is the collector's clock when
    the remote date was taken (the midpoint of sending the script and reading the date)."""
    sections = parse_sections(output)
    warnings: list[str] = []
    samples: list[Sample] = []
    clk = _number((sections.get("clk_tck") or "100").strip() or "100") or 100.0
    samples += cpu_samples(sections.get("stat", ""), clk)
    samples += memory_samples(sections.get("meminfo", ""))
    samples += load_samples(sections.get("loadavg", ""))
    samples += filesystem_samples(sections.get("df", ""), sections.get("dfi", ""),
                                  sections.get("mounts", ""))
    samples += systemd_samples(sections.get("systemd"))
    samples += uname_samples(sections.get("uname"))
    now = remote_time(sections.get("date", ""))
    if now is not None:
        samples.append(Sample("node_time_seconds", {}, now))
        if local_time is not None:
            samples.append(Sample("careops_clock_offset_seconds", {},
                                  round(now - local_time, 6)))
    if not any(s.name == "node_boot_time_seconds" for s in samples) and now is not None:
        uptime = _number((sections.get("uptime") or "").split(" ")[0] or "x")
        if uptime is not None:
            samples.append(Sample("node_boot_time_seconds", {}, round(now - uptime)))
    for name, wanted in (("stat", "node_cpu_seconds_total"),
                         ("meminfo", "node_memory_MemTotal_bytes"),
                         ("df", "node_filesystem_size_bytes")):
        if not any(s.name == wanted for s in samples):
            warnings.append(f"no {name} data")
    results = [log_result(log, sections.get(f"log {i}")) for i, log in enumerate(logs)]
    samples += log_samples(results)
    return Collected(samples, results, warnings)


def log_state(results: Iterable[LogResult]) -> dict[str, dict[str, int]]:
    """What to remember for the next run, by path."""
    return {r.path: {"inode": r.inode, "offset": r.offset} for r in results
            if r.readable and r.inode is not None and r.offset is not None}


def log_requests(paths: Sequence[str],
                 state: Mapping[str, object] | None) -> list[LogRequest]:
    """The log files to read, with the positions ``state`` (a previous log_state) keeps."""
    known = state if isinstance(state, Mapping) else {}
    requests = []
    for path in paths:
        entry = known.get(path)
        inode = offset = None
        if isinstance(entry, Mapping):
            raw_inode, raw_offset = entry.get("inode"), entry.get("offset")
            if isinstance(raw_inode, int) and isinstance(raw_offset, int) and raw_offset >= 0:
                inode, offset = raw_inode, raw_offset
        requests.append(LogRequest(path, inode, offset))
    return requests
