"""Save-time validation of checks (collectors.validate): the collector's own prepare()
parses the target and params, unknown params are refused, and each module's PARAMS is
what its source reads."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import asyncssh
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careops.monitoring.collectors import COLLECTORS, CheckSpec, CollectError, run, validate

pytestmark = pytest.mark.usefixtures("english")

KNOWN_HOST = asyncssh.generate_private_key("ssh-ed25519").export_public_key(
    "openssh").decode().strip()

# kind -> valid (target, params); together they set every param the kind knows.
VALID: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "scrape": [("10.1.2.3:9100", {"scheme": "https", "path": "metrics", "sample_limit": 1000,
                                  "max_bytes": "65536", "verify_tls": "no",
                                  "headers": {"X-Tenant": "his"}}),
               ("http://node.example:9182/metrics", {})],
    "ping": [("10.1.2.3", {"count": 5, "tcp_fallback_port": 22}),
             ("[fe80::1]", {"tcp_port": "443"})],
    "tcp": [("his.example:2575", {"send": "PING\r\n", "expect": "PONG", "encoding": "gbk"})],
    "http": [("https://his.example/health?deep=1",
              {"method": "post", "body": "{}", "headers": {"Accept": "application/json"},
               "expected_status": [200, "204"], "keyword": "OK", "verify_tls": False,
               "max_bytes": 1024})],
    "soap": [("https://emr.example/ws", {"body": "<Envelope/>", "soap_action": "urn:Status",
                                          "soap_version": "1.2", "expect": "StatusResponse",
                                          "expected_status": 200, "method": "POST",
                                          "headers": {}, "verify_tls": True,
                                          "max_bytes": 4096})],
    "dns": [("10.0.0.53", {"name": "his.example", "type": "aaaa", "protocol": "TCP",
                           "expected": ["fd00::1"]})],
    "ssh": [("10.1.2.3", {"known_host": f"10.1.2.3 {KNOWN_HOST}", "logs": ["/var/log/syslog"],
                          "pattern": "error|oom", "log_max_bytes": 4096}),
            ("app.example:2222", {"accept_unknown_host_key": True})],
    "mllp": [("lis.example:2575", {"message_type": "ADT^A01", "receiving_application": "LIS",
                                   "receiving_facility": "检验科", "processing_id": "T",
                                   "version": "2.5", "encoding": "gb18030"}),
             ("lis.example:2575", {"message": "MSH|^~\\&|A|B|C|D|{timestamp}||QRY^A19|"
                                              "{control_id}|P|2.4\nQRD|1"})],
    "postgres": [("db.example", {"database": "his", "sslmode": "require",
                                 "long_transaction_s": 600, "slow_query_s": "30.5"})],
    "mysql": [("[::1]:3306", {"database": "lis", "ssl": "yes", "long_transaction_s": 60,
                              "slow_query_s": 5})],
}

# (kind, target, params, field, text the reason must contain)
REFUSED: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("scrape", "his.example:99999", {}, "target", "no valid port"),
    ("scrape", "ftp://his.example/metrics", {}, "target", "http:// or https://"),
    ("scrape", "his.example:9100", {"scheme": "ftp"}, "params", "scheme"),
    ("scrape", "his.example:9100", {"sample_limit": 0}, "params", "sample_limit"),
    ("scrape", "his.example:9100", {"max_bytes": True}, "params", "max_bytes"),
    ("scrape", "his.example:9100", {"headers": {"X-A": 1}}, "params", "headers"),
    ("scrape", "his.example:9100", {"verify_tls": "maybe"}, "params", "verify_tls"),
    ("ping", "-oProxyCommand=x", {}, "target", "not a host name or address"),
    ("ping", "10.1.2.3", {"count": 21}, "params", "count"),
    ("ping", "10.1.2.3", {"tcp_port": "http"}, "params", "tcp_port"),
    ("tcp", "his.example", {}, "target", "names no port"),
    ("tcp", "his.example:²", {}, "target", "no valid port"),
    ("tcp", "his.example:23", {"encoding": "klingon"}, "params", "encoding"),
    ("tcp", "his.example:23", {"send": "检验", "encoding": "ascii"}, "params", "send"),
    ("http", "his.example/health", {}, "target", "http:// or https://"),
    ("http", "https://his.example/", {"method": "DELETE"}, "params", "method"),
    ("http", "https://his.example/", {"expected_status": [700]}, "params", "expected_status"),
    ("http", "https://his.example/", {"expected_status": "²"}, "params", "expected_status"),
    ("http", "https://his.example/", {"keyword": 5}, "params", "keyword"),
    ("soap", "https://emr.example/ws", {}, "params", "body"),
    ("soap", "emr.example/ws", {"body": "<E/>"}, "target", "http:// or https://"),
    ("soap", "https://emr.example/ws", {"body": "<E/>", "soap_version": "2"}, "params",
     "soap_version"),
    ("soap", "https://emr.example/ws", {"body": "<E/>", "soap_action": 'a"b'}, "params",
     "soap_action"),
    ("dns", "[::1", {"name": "his.example"}, "target", "not host:port"),
    ("dns", "10.0.0.53", {}, "params", "name"),
    ("dns", "10.0.0.53", {"name": "a..b"}, "params", "name"),
    ("dns", "10.0.0.53", {"name": "his.example", "type": "ANY"}, "params", "type"),
    ("dns", "10.0.0.53", {"name": "his.example", "protocol": "quic"}, "params", "protocol"),
    ("dns", "10.0.0.53", {"name": "his.example", "expected": 5}, "params", "expected"),
    ("ssh", "10.1.2.3:ssh", {"accept_unknown_host_key": True}, "target", "no valid port"),
    ("ssh", "10.1.2.3", {}, "params", "known_host"),
    ("ssh", "10.1.2.3", {"known_host": "ssh-ed25519 AAAAnotakey"}, "params", "known_host"),
    ("ssh", "10.1.2.3", {"accept_unknown_host_key": True, "logs": ["var/log/x"]}, "params",
     "logs"),
    ("ssh", "10.1.2.3", {"accept_unknown_host_key": True, "pattern": "a\nb"}, "params",
     "pattern"),
    ("ssh", "10.1.2.3", {"accept_unknown_host_key": True, "log_max_bytes": 10}, "params",
     "log_max_bytes"),
    ("mllp", "lis.example:0", {}, "target", "no valid port"),
    ("mllp", "lis.example:2575", {"message": "PID|1"}, "params", "message"),
    ("mllp", "lis.example:2575", {"message_type": "ORU^R01"}, "params", "message_type"),
    ("mllp", "lis.example:2575", {"receiving_facility": "A|B"}, "params",
     "receiving_facility"),
    ("mllp", "lis.example:2575", {"encoding": "klingon"}, "params", "encoding"),
    ("mllp", "lis.example:2575", {"receiving_application": "检验", "encoding": "ascii"},
     "params", "cannot be written in ascii"),
    ("postgres", "db/his", {}, "target", "not a host name or address"),
    ("postgres", "db.example", {"sslmode": "sometimes"}, "params", "sslmode"),
    ("postgres", "db.example", {"slow_query_s": -1}, "params", "slow_query_s"),
    ("postgres", "db.example", {"database": "x" * 64}, "params", "database"),
    ("mysql", "db.example:70000", {}, "target", "no valid port"),
    ("mysql", "db.example", {"ssl": "maybe"}, "params", "ssl"),
    ("mysql", "db.example", {"long_transaction_s": 10**400}, "params", "long_transaction_s"),
]


def module_of(kind: str) -> ModuleType:
    return importlib.import_module(f"careops.monitoring.collectors.{COLLECTORS[kind]}")


def test_every_kind_has_valid_examples_using_all_its_params() -> None:
    assert set(VALID) == set(COLLECTORS)
    for kind, examples in VALID.items():
        for target, params in examples:
            assert validate(kind, target, params) == {}, (kind, target, params)
        assert set().union(*(params for _, params in examples)) == module_of(kind).PARAMS, kind


@pytest.mark.parametrize(("kind", "target", "params", "field", "text"), REFUSED,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(REFUSED)])
def test_a_bad_target_or_value_is_refused_with_the_field_and_the_collectors_reason(
        kind: str, target: str, params: dict[str, Any], field: str, text: str) -> None:
    errors = validate(kind, target, params)
    assert list(errors) == [field]
    assert text in errors[field]
    # The run refuses it with the very same reason, before sending anything.
    result = run(CheckSpec(kind, target, params, timeout_s=5))
    assert (result.status, result.error) == ("failed", errors[field])


@pytest.mark.parametrize("kind", sorted(COLLECTORS))
def test_an_unknown_param_is_refused_naming_it_and_the_known_ones(kind: str) -> None:
    target, params = VALID[kind][0]
    errors = validate(kind, target, {**params, "timeout": 5})
    known = ", ".join(sorted(module_of(kind).PARAMS | {"job"}))
    assert errors == {"params": f"Unknown parameter timeout; this kind takes: {known}."}


def test_every_kind_takes_the_job_label_the_scheduler_reads() -> None:
    for kind in sorted(COLLECTORS):
        target, params = VALID[kind][0]
        assert validate(kind, target, {**params, "job": "node"}) == {}, kind
        assert list(validate(kind, target, {**params, "job": 7})) == ["params"], kind
        assert list(validate(kind, target, {**params, "job": " "})) == ["params"], kind


def test_kind_target_and_params_shapes() -> None:
    assert validate("telnet", "h:23", {}) == {"kind": "Unknown check kind telnet."}
    assert list(validate(None, "h:23", {})) == ["kind"]  # type: ignore[arg-type]
    assert validate("tcp", "  ", {}) == {"target": "The target is required."}
    assert list(validate("tcp", None, {})) == ["target"]  # type: ignore[arg-type]
    for params in ([], "send=x", None, 3):
        assert validate("tcp", "h:23", params) == {  # type: ignore[arg-type]
            "params": "Parameters must be an object of names and values."}
    assert validate("http", "https://his.example/", {"keywords": "OK"})["params"].startswith(
        "Unknown parameter keywords;")


def test_a_reason_never_shows_a_password_written_in_the_target() -> None:
    for kind, target in [("tcp", "admin:s3cret@db.example"),
                         ("http", "http://admin:s3cret@his.example/"),
                         ("http", "http://admin:s3cret@[his/"),
                         ("scrape", "admin:s3cret@his.example:x")]:
        errors = validate(kind, target, {})
        assert list(errors) == ["target"], (kind, target)
        assert "s3cret" not in errors["target"]


def test_reasons_are_in_the_active_language() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        reason = validate("ping", "10.1.2.3", {"count": 99})["params"]
    assert "count" in reason and "must be" not in reason


# --- PARAMS is what the collector reads ---------------------------------------------

_READ_RE = re.compile(r"""param_\w+\(\s*[\w.]+,\s*["'](\w+)["']"""
                      r"""|params(?:\.get\(|\[)\s*["'](\w+)["']""")
_LOOP_RE = re.compile(r"for (\w+) in \(([^)]*)\):")
_SIBLINGS = frozenset(COLLECTORS.values())
_PACKAGE = "careops.monitoring.collectors"


def _imports(module: ModuleType) -> tuple[dict[str, Any], dict[str, ModuleType]]:
    """Functions and modules ``module`` imports from the other collector modules."""
    functions: dict[str, Any] = {}
    modules: dict[str, ModuleType] = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(_PACKAGE):
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            if node.module == _PACKAGE and alias.name in _SIBLINGS:
                modules[local] = importlib.import_module(f"{_PACKAGE}.{alias.name}")
            elif node.module and node.module.rsplit(".", 1)[-1] in _SIBLINGS:
                functions[local] = getattr(importlib.import_module(node.module), alias.name)
    return functions, modules


def names_read(module: ModuleType, source: str, seen: set[str] | None = None) -> set[str]:
    """The param names ``source`` (of ``module``) reads, with those of the functions of
    other collector modules it calls (http's request params for soap, scrape's headers for
    http …)."""
    seen = set() if seen is None else seen
    names = {a or b for a, b in _READ_RE.findall(source)}
    for variable, items in _LOOP_RE.findall(source):
        if re.search(rf"param_\w+\(\s*[\w.]+,\s*{variable}\b", source):
            names |= set(re.findall(r"""["'](\w+)["']""", items))
    functions, modules = _imports(module)
    called: list[Callable[..., Any]] = [
        f for local, f in functions.items() if re.search(rf"\b{local}\(", source)]
    for local, other in modules.items():
        called += [getattr(other, attr) for attr in re.findall(rf"\b{local}\.(\w+)\(", source)]
    for function in called:
        key = f"{function.__module__}.{function.__qualname__}"
        if inspect.isfunction(function) and key not in seen:
            seen.add(key)
            names |= names_read(inspect.getmodule(function),  # type: ignore[arg-type]
                                inspect.getsource(function), seen)
    return names


@pytest.mark.parametrize("kind", sorted(COLLECTORS))
def test_params_is_what_the_collector_source_reads(kind: str) -> None:
    module = module_of(kind)
    assert isinstance(module.PARAMS, frozenset)
    assert names_read(module, inspect.getsource(module)) == module.PARAMS


def test_the_drift_guard_sees_reads_through_loops_and_other_modules() -> None:
    http = module_of("http")
    assert "headers" in names_read(http, "headers_param(spec)")  # scrape's
    assert names_read(module_of("soap"), "http.request_options(spec)") == {
        "method", "body", "max_bytes", "headers", "verify_tls"}
    assert names_read(http, 'for n in ("a", "b"):\n    param_str(spec.params, n)') == {"a", "b"}
    assert names_read(http, 'x = spec.params["c"]; y = params.get("d")') == {"c", "d"}


class _Recording(dict):  # type: ignore[type-arg]
    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("kind", sorted(COLLECTORS))
def test_prepare_reads_only_known_params(kind: str) -> None:
    module = module_of(kind)
    read: set[str] = set()
    for target, params in VALID[kind]:
        recording = _Recording(params)
        module.prepare(CheckSpec(kind, target, recording))
        read |= recording.read
    assert read <= module.PARAMS
    assert read >= set().union(*(params for _, params in VALID[kind]))


# --- Whatever is typed, validation answers ---------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.sampled_from(["", "1", "true", "GET", "1.2", "A", "²", "/var/log/x", "utf-8", "-1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)
_TARGETS = st.one_of(
    st.text(max_size=30),
    st.sampled_from([t for examples in VALID.values() for t, _ in examples]),
    st.builds(lambda h, p: f"{h}:{p}", st.text(max_size=10), st.text(max_size=6)),
    st.builds(lambda s, r: f"{s}://{r}", st.sampled_from(["http", "https", "ftp"]),
              st.text(max_size=20)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(COLLECTORS)), _TARGETS, st.data())
def test_validation_answers_whatever_is_typed(kind: str, target: str,
                                              data: st.DataObject) -> None:
    names = sorted(module_of(kind).PARAMS)
    params = data.draw(st.dictionaries(st.sampled_from(names), _JSON, max_size=4))
    if kind == "ssh" and data.draw(st.booleans()):
        params["known_host"] = data.draw(st.sampled_from([KNOWN_HOST, KNOWN_HOST[:-4]]))
    try:
        errors = validate(kind, target, params)
    except CollectError as exc:  # pragma: no cover - the failure message says it all
        raise AssertionError(f"validate raised {exc!r}") from None
    assert set(errors) <= {"target", "params"}
    assert all(isinstance(r, str) and 0 < len(r) <= 300 for r in errors.values())
