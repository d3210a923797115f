"""Properties of the SSH collection parser (careops.logic.sshcollect): whatever a host
prints, it never raises, and what it reads matches what was printed."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from careops.logic import sshcollect as sc

_names = st.text(string.ascii_lowercase + " 0123456789", min_size=1, max_size=12).map(
    str.strip).filter(bool)
_body_line = st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)),
                     max_size=30).filter(lambda line: not line.startswith(sc.MARK))


@given(st.dictionaries(_names, st.lists(_body_line, max_size=5), max_size=6))
def test_sections_come_back_as_printed(sections: dict[str, list[str]]) -> None:
    output = "".join(f"{sc.MARK}{name}\n" + "".join(f"{line}\n" for line in lines)
                     for name, lines in sections.items())
    parsed = sc.parse_sections("motd before the first section\n" + output)
    assert set(parsed) == set(sections)
    for name, lines in sections.items():
        assert parsed[name].split("\n")[:len(lines)] == lines


@given(st.text(max_size=400))
def test_any_output_is_read_without_raising(output: str) -> None:
    collected = sc.collect(output, local_time=1.0, logs=[sc.LogRequest("/var/log/x")])
    assert all(isinstance(s.value, float) for s in collected.samples)


@given(st.lists(st.lists(st.integers(0, 10**9), min_size=10, max_size=10), min_size=1,
                max_size=8), st.sampled_from([100, 250, 1000]))
def test_cpu_seconds_are_jiffies_over_clk_tck(cpus: list[list[int]], tck: int) -> None:
    total = [sum(column) for column in zip(*cpus, strict=True)]
    stat = "cpu  " + " ".join(map(str, total)) + "\n" + "".join(
        f"cpu{i} " + " ".join(map(str, row)) + "\n" for i, row in enumerate(cpus))
    stat += "ctxt 123\nbtime 1700000000\nprocesses 99\n"
    samples = sc.cpu_samples(stat, tck)
    seconds = {(s.labels["cpu"], s.labels["mode"]): s.value for s in samples
               if s.name == "node_cpu_seconds_total"}
    assert len(seconds) == len(cpus) * 8  # the aggregate line is not a CPU
    for i, row in enumerate(cpus):
        for mode, jiffies in zip(sc.CPU_MODES, row, strict=False):
            assert seconds[(str(i), mode)] == jiffies / tck
    assert {s.name: s.value for s in samples}["node_boot_time_seconds"] == 1700000000


@given(st.dictionaries(st.from_regex(r"[A-Z][A-Za-z]{1,10}(\([a-z]{1,5}\))?", fullmatch=True),
                       st.integers(0, 2**40), min_size=1, max_size=10))
def test_meminfo_kilobytes_become_bytes(fields: dict[str, int]) -> None:
    text = "".join(f"{key}: {value:>12} kB\n" for key, value in fields.items())
    got = {s.name: s.value for s in sc.memory_samples(text)}
    for key, value in fields.items():
        name = key.replace("(", "_").replace(")", "")
        assert got[f"node_memory_{name}_bytes"] == value * 1024


_mount = st.text(string.ascii_lowercase + " _-", min_size=1, max_size=10).map(
    lambda s: "/" + s.strip()).filter(lambda m: not sc.IGNORED_MOUNTS.match(m))


@given(st.dictionaries(_mount, st.tuples(st.integers(1, 2**40), st.integers(0, 2**40),
                                         st.sampled_from(["ext4", "xfs", "tmpfs", "proc"])),
                       min_size=1, max_size=6))
def test_filesystems_are_read_with_their_type_and_pseudo_ones_left_out(
        rows: dict[str, tuple[int, int, str]]) -> None:
    df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n"
    dfi = "Filesystem Inodes IUsed IFree IUse% Mounted on\n"
    mounts = ""
    for n, (mountpoint, (blocks, used, fstype)) in enumerate(rows.items()):
        used = min(used, blocks)
        df += f"/dev/sd{n} {blocks} {used} {blocks - used} 50% {mountpoint}\n"
        dfi += f"/dev/sd{n} 1000 10 990 1% {mountpoint}\n"
        mounts += f"/dev/sd{n} {mountpoint.replace(' ', chr(92) + '040')} {fstype} rw 0 0\n"
    samples = sc.filesystem_samples(df, dfi, mounts)
    sizes = {s.labels["mountpoint"]: (s.value, s.labels["fstype"]) for s in samples
             if s.name == "node_filesystem_size_bytes"}
    expected = {m: (b * 1024.0, t) for m, (b, _u, t) in rows.items() if t != "proc"}
    assert sizes == expected
    files = {s.labels["mountpoint"] for s in samples if s.name == "node_filesystem_files"}
    assert files == set(expected)


@given(st.lists(st.text(st.characters(blacklist_characters="\n",
                                      blacklist_categories=("Cs",)), max_size=400),
                max_size=12), st.integers(0, 10**6), st.integers(0, 10**9))
def test_a_log_section_gives_the_count_and_at_most_five_examples(
        lines: list[str], count: int, size: int) -> None:
    section = f"meta 42 {size} 0 0 0\n" + "".join(f"E {line}\n" for line in lines)
    section += f"C {count}\n"
    result = sc.log_result(sc.LogRequest("/var/log/app.log", 41, 0), section)
    assert result.readable and (result.inode, result.offset) == (42, size)
    assert result.new_lines == count
    assert result.examples == [line[:sc.EXAMPLE_CHARS] for line in lines[:sc.EXAMPLES]]
    assert sc.log_state([result]) == {"/var/log/app.log": {"inode": 42, "offset": size}}
    missing = sc.log_result(sc.LogRequest("/var/log/app.log"), "missing\n")
    assert not missing.readable and sc.log_state([missing]) == {}


def test_the_script_quotes_paths_and_passes_the_pattern_through_the_environment() -> None:
    script = sc.build_script([sc.LogRequest("/tmp/a'; rm -rf / #.log", 5, 10)],
                             pattern="x' ; reboot")
    assert "careops_log 0 '/tmp/a'\"'\"'; rm -rf / #.log' '5' '10'" in script
    assert "CAREOPS_PAT='x'\"'\"' ; reboot'" in script
    assert sc.build_script([]).count("careops_log") == 0
