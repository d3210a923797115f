"""Host facts from exporter metrics and SSH command outputs (careops.logic.discovery)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careops.logic import promtext
from careops.logic.discovery import (
    Disk,
    Facts,
    FactsError,
    diff,
    facts_from_metrics,
    facts_from_ssh,
    os_family,
    parse_df,
    parse_meminfo,
    parse_os_release,
    real_disks,
)

DATA = Path(__file__).parent / "data"
KYLIN_NODE = (DATA / "node_kylin.prom").read_text(encoding="utf-8")

WINDOWS = (DATA / "windows_exporter.prom").read_text(encoding="utf-8")

OS_RELEASE_UOS = """\
PRETTY_NAME="UnionTech OS Server 20"
NAME="UnionTech OS Server 20"
VERSION_ID="20"
VERSION="20"
ID=uos
HOME_URL="https://www.chinauos.com/"
"""

DF = """\
Filesystem              Type 1024-blocks     Used Available Capacity Mounted on
/dev/mapper/rl-root     xfs     52403200  8123456  44279744      16% /
/dev/sda1               xfs      1038336   250000    788336      25% /boot
/dev/mapper/rl-data     xfs    524032000 10000000 514032000       2% /data/PACS images
/dev/mapper/rl-data     xfs    524032000 10000000 514032000       2% /data/PACS images/bind
proc                    proc           0        0         0        - /proc/x
"""

MEMINFO = "MemTotal:       16109448 kB\nMemFree:         1234567 kB\n"


def test_it_reads_a_kylin_node_exporter() -> None:
    facts = facts_from_metrics(promtext.samples(KYLIN_NODE), source="http://x/metrics")
    assert facts.method == "node_exporter" and facts.source == "http://x/metrics"
    assert facts.os_family == "kylin"
    assert facts.os_version == "V10"
    assert facts.os_name == "Kylin Linux Advanced Server V10 (Sword)"
    assert facts.hostname == "lis-app-01"
    assert facts.cpu_cores == 4
    assert facts.memory_mb == 16496074752 // 1024 ** 2
    assert facts.disks == (
        Disk("/", 50.0, "/dev/mapper/klas-root", "xfs"),
        Disk("/boot", 1.0, "/dev/sda1", "xfs"),
        Disk("/data", 499.8, "/dev/mapper/klas-data", "xfs"),
    )


def test_it_reads_a_windows_exporter() -> None:
    facts = facts_from_metrics(promtext.samples(WINDOWS))
    assert (facts.os_family, facts.os_version) == ("windows_server", "2019 Standard")
    assert (facts.hostname, facts.cpu_cores, facts.memory_mb) == ("HIS-APP", 8, 32768)
    assert [d.mount for d in facts.disks or ()] == ["C:", "D:"]


def test_it_refuses_metrics_without_host_facts() -> None:
    with pytest.raises(FactsError, match="no host facts"):
        facts_from_metrics(promtext.samples("go_goroutines 12\n"))


@pytest.mark.parametrize(("os_id", "id_like", "family"), [
    ("rhel", "fedora", "rhel"), ("centos", "rhel fedora", "rhel"), ("rocky", "", "rhel"),
    ("almalinux", "", "rhel"), ("kylin", "", "kylin"), ("Kylin", "", "kylin"),
    ("uos", "", "uos"), ("Deepin", "", "uos"), ("openEuler", "", "openeuler"),
    ("ubuntu", "debian", "ubuntu_debian"), ("debian", "", "ubuntu_debian"),
    ("linuxmint", "ubuntu debian", "ubuntu_debian"), ("ol", "fedora", "linux"),
    ("alpine", "", "linux"), ("arch", "", "linux"),
])
def test_it_maps_os_release_ids_to_families(os_id: str, id_like: str, family: str) -> None:
    assert os_family(os_id, id_like) == family


def test_it_reads_ssh_command_outputs() -> None:
    facts = facts_from_ssh({"os_release": OS_RELEASE_UOS, "nproc": "16\n", "meminfo": MEMINFO,
                            "df": DF, "hostname": "pacs-db-01\n"}, source="root@h:22")
    assert (facts.method, facts.source) == ("ssh", "root@h:22")
    assert (facts.os_family, facts.os_version, facts.os_name) == (
        "uos", "20", "UnionTech OS Server 20")
    assert (facts.cpu_cores, facts.memory_mb, facts.hostname) == (16, 15731, "pacs-db-01")
    assert [(d.mount, d.size_gb) for d in facts.disks or ()] == [
        ("/", 50.0), ("/boot", 1.0), ("/data/PACS images", 499.8)]
    assert facts.warnings == ()


def test_it_keeps_what_it_can_read_and_warns_about_the_rest() -> None:
    facts = facts_from_ssh({"nproc": "lots\n", "meminfo": MEMINFO})
    assert facts.memory_mb == 15731 and facts.cpu_cores is None
    assert facts.warnings == ("nproc printed 'lots', not a number of CPUs",)
    with pytest.raises(FactsError, match="no host facts could be read: nproc printed"):
        facts_from_ssh({"nproc": "lots\n"})


def test_it_reads_df_without_a_type_column() -> None:
    text = ("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
            "/dev/vda 264212084 25046708 81344204 24% /\n")
    assert parse_df(text) == (Disk("/", 252.0, "/dev/vda", ""),)
    with pytest.raises(FactsError, match="header"):
        parse_df("rubbish\n")


def test_it_reads_os_release_quoting_and_refuses_junk() -> None:
    assert parse_os_release("ID='rocky'\nNAME=\"Rocky \\\"Linux\\\"\"\n# c\n") == {
        "ID": "rocky", "NAME": 'Rocky "Linux"'}
    with pytest.raises(FactsError, match="line 1 is not KEY=value"):
        parse_os_release("<html>\n")


def test_it_reads_meminfo_units() -> None:
    assert parse_meminfo("MemTotal: 2097152 kB\n") == 2048
    with pytest.raises(FactsError, match="MemTotal"):
        parse_meminfo("MemFree: 1 kB\n")


def test_it_shows_only_found_fields_and_what_differs() -> None:
    facts = Facts(method="ssh", hostname="lis-app", os_version="V10", cpu_cores=8,
                  disks=(Disk("/", 100.0, "/dev/sda1", "xfs"),))
    current = {"hostname": "lis-app", "os_family": "kylin", "os_version": "",
               "cpu_cores": 4, "memory_mb": None,
               "disks": [{"mount": "/", "size_gb": 100}]}
    rows = {row.field: row for row in diff(current, facts)}
    assert list(rows) == ["hostname", "os_version", "cpu_cores", "disks"]
    assert not rows["hostname"].changed
    assert rows["os_version"].changed and rows["cpu_cores"].changed
    # Same mounts and sizes: the device and type are detail, not a difference.
    assert not rows["disks"].changed
    assert rows["disks"].discovered == [{"mount": "/", "size_gb": 100.0, "device": "/dev/sda1",
                                         "fstype": "xfs"}]


def test_facts_survive_the_trip_through_json() -> None:
    facts = facts_from_metrics(promtext.samples(KYLIN_NODE), source="u")
    assert Facts.from_dict(facts.as_dict()) == facts


filesystems = st.lists(st.tuples(
    st.sampled_from(["/dev/sda1", "/dev/sdb1", "tmpfs", "overlay", "/dev/mapper/x", ""]),
    st.sampled_from(["xfs", "ext4", "tmpfs", "overlay", "squashfs", "nfs4", "proc"]),
    st.sampled_from(["/", "/boot", "/data", "/data/x", "/proc", "/run/user/0", "/sys/fs",
                     "/var/lib/docker/overlay2/a", "/home"]),
    st.floats(min_value=0, max_value=1e15)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(filesystems)
def test_real_disks_are_real_and_one_per_device(entries: list[tuple[str, str, str, float]]
                                                ) -> None:
    disks = real_disks(entries)
    devices = [d.device or d.mount for d in disks]
    assert len(devices) == len(set(devices))
    assert all(d.fstype not in ("tmpfs", "overlay", "squashfs", "nfs4", "proc") for d in disks)
    assert all(not d.mount.startswith(("/proc", "/run", "/sys", "/var/lib/docker"))
               for d in disks)
    assert [d.mount for d in disks] == sorted(d.mount for d in disks)
    for disk in disks:  # the shortest mount point of its device
        same = [m for dev, _, m, size in entries if (dev or m) == (disk.device or disk.mount)
                and size > 0 and m == disk.mount]
        assert same


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=4096), st.integers(min_value=1, max_value=2 ** 40))
def test_ssh_and_exporter_agree_on_cpu_and_memory(cores: int, mem_kb: int) -> None:
    metrics = "".join(f'node_cpu_seconds_total{{cpu="{i}",mode="idle"}} 1\n'
                      for i in range(cores))
    metrics += f"node_memory_MemTotal_bytes {mem_kb * 1024}\n"
    exporter = facts_from_metrics(promtext.samples(metrics))
    ssh = facts_from_ssh({"nproc": f"{cores}\n", "meminfo": f"MemTotal: {mem_kb} kB\n"})
    assert (exporter.cpu_cores, exporter.memory_mb) == (ssh.cpu_cores, ssh.memory_mb)
