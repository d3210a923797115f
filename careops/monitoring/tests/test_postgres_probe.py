"""The PostgreSQL probe against the real server on 5432 (and a private cluster for
passwords and streaming replication). Independent of the Django test database: own
connections, own role and database with random names, dropped afterwards."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from careops.logic.promtext import Sample
from careops.monitoring.collectors import postgres
from careops.monitoring.collectors.base import CheckSpec, CollectResult, Credential
from careops.monitoring.tests import pgcluster
from conftest import require_service

psycopg = pytest.importorskip("psycopg")

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("english")]
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def value(result: CollectResult, name: str, **labels: str) -> float | None:
    for sample in result.samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def names(samples: list[Sample]) -> set[str]:
    return {s.name for s in samples}


class Scratch:
    """A monitoring role (pg_monitor only) and a database with one table."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(4)
        self.role = f"careops_probe_{suffix}"
        self.database = f"careops_probe_{suffix}"
        self.password = "pw-" + secrets.token_hex(8)
        self.conns: list[Any] = []

    def create(self) -> None:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {self.role} LOGIN PASSWORD '{self.password}' "
                          "IN ROLE pg_monitor")
            admin.execute(f"CREATE DATABASE {self.database}")
        with self.connect() as conn:
            conn.execute("CREATE TABLE beds (id int PRIMARY KEY, ward text)")
            conn.execute("INSERT INTO beds VALUES (1, 'ICU'), (2, 'CCU')")

    def connect(self, autocommit: bool = True) -> Any:
        conn = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={self.database}",
                               autocommit=autocommit)
        self.conns.append(conn)
        return conn

    def spec(self, **params: Any) -> CheckSpec:
        return CheckSpec("postgres", "127.0.0.1:5432", {"database": self.database, **params},
                         timeout_s=10.0, credential=Credential(self.role, self.password))

    def drop(self) -> None:
        for conn in self.conns:
            try:
                conn.close()
            except Exception:  # noqa: S110 - best effort cleanup
                pass
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", (self.database,))
            admin.execute(f"DROP DATABASE IF EXISTS {self.database}")
            admin.execute(f"DROP ROLE IF EXISTS {self.role}")


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    require_service("postgres")
    made = Scratch()
    made.create()
    try:
        yield made
    finally:
        made.drop()


def test_it_reports_availability_connections_and_sizes_with_a_pg_monitor_role(
        scratch: Scratch) -> None:
    result = postgres.collect(scratch.spec())
    assert result.status == "ok", result.error
    assert result.error == ""
    assert value(result, "pg_up") == 1
    max_connections = value(result, "pg_settings_max_connections")
    assert max_connections is not None and max_connections > 0
    assert (value(result, "pg_stat_activity_count", datname=scratch.database, state="active")
            or 0) >= 1
    assert 0 < (value(result, "careops_pg_connections_used_ratio") or 0) < 1
    size = value(result, "pg_database_size_bytes", datname=scratch.database)
    assert size is not None and size > 1_000_000
    ratio = value(result, "careops_pg_txid_wraparound_ratio", datname=scratch.database)
    assert ratio is not None and 0 <= ratio < 0.5
    assert value(result, "careops_pg_txid_age", datname=scratch.database) == pytest.approx(
        ratio * 2**31)
    assert value(result, "pg_replication_is_replica") == 0
    assert value(result, "pg_replication_lag") == 0
    assert {"careops_pg_cache_hit_ratio", "careops_pg_lock_waiting_count",
            "careops_pg_slow_query_count", "pg_static"} <= names(result.samples)
    assert scratch.password not in repr(result)


def test_it_sees_a_long_transaction(scratch: Scratch) -> None:
    holder = scratch.connect(autocommit=False)
    holder.execute("SELECT * FROM beds")  # the transaction is open from here
    time.sleep(1.2)
    result = postgres.collect(scratch.spec(long_transaction_s=1))
    assert result.status == "ok", result.error
    assert (value(result, "careops_pg_longest_transaction_seconds") or 0) >= 1.0
    assert (value(result, "careops_pg_long_transaction_count") or 0) >= 1
    idle = value(result, "pg_stat_activity_count", datname=scratch.database,
                 state="idle in transaction")
    assert idle is not None and idle >= 1
    holder.rollback()


def test_it_sees_a_lock_wait(scratch: Scratch) -> None:
    holder = scratch.connect(autocommit=False)
    holder.execute("UPDATE beds SET ward = 'NICU' WHERE id = 1")
    waiter = scratch.connect(autocommit=False)
    waiter.execute("SET lock_timeout = '20s'")
    blocked = threading.Thread(
        target=lambda: waiter.execute("UPDATE beds SET ward = 'PICU' WHERE id = 1"))
    blocked.start()
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            assert pgcluster.wait_for(lambda: admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock'", (scratch.database,)).fetchone()[0] >= 1)
        result = postgres.collect(scratch.spec())
        assert result.status == "ok", result.error
        assert (value(result, "careops_pg_lock_waiting_count") or 0) >= 1
        assert (value(result, "careops_pg_lock_longest_wait_seconds") or -1) >= 0
    finally:
        holder.rollback()
        blocked.join(30)
        waiter.rollback()


def test_it_sees_an_active_slow_query(scratch: Scratch) -> None:
    sleeper = scratch.connect()
    running = threading.Thread(target=lambda: sleeper.execute("SELECT pg_sleep(3)"))
    running.start()
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            assert pgcluster.wait_for(lambda: admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                "AND query LIKE 'SELECT pg_sleep%%' AND now() - query_start > interval '1 s'",
                (scratch.database,)).fetchone()[0] >= 1)
        result = postgres.collect(scratch.spec(slow_query_s=1))
        assert (value(result, "careops_pg_slow_query_count") or 0) >= 1
        assert (value(result, "careops_pg_longest_query_seconds") or 0) >= 1
    finally:
        running.join(10)


def test_it_fails_quickly_on_a_closed_port() -> None:
    port = pgcluster.free_port()
    result = postgres.collect(CheckSpec("postgres", f"127.0.0.1:{port}", {}, timeout_s=10.0,
                                        credential=Credential("careops", "s3cret-pw")))
    assert result.status == "failed"
    assert "refused" in result.error
    assert value(result, "pg_up") == 0


def test_it_fails_with_a_reason_on_a_missing_database_or_credential(scratch: Scratch) -> None:
    result = postgres.collect(scratch.spec(database="careops_no_such_db"))
    assert result.status == "failed"
    assert result.error == "Database careops_no_such_db does not exist."
    bare = CheckSpec("postgres", "127.0.0.1:5432", {}, timeout_s=5.0)
    assert "No credential" in postgres.collect(bare).error
    bad = CheckSpec("postgres", "127.0.0.1:5432", {"long_transaction_s": "soon"}, 5.0,
                    Credential("x"))
    assert postgres.collect(bad).error == (
        "Parameter long_transaction_s must be a number of seconds.")
    assert postgres.collect(CheckSpec("postgres", "127.0.0.1:70000", {}, 5.0,
                                      Credential("x"))).error == "The target has no valid port."


@pytest.mark.slow
def test_it_fails_on_a_wrong_password_and_reads_replication_lag() -> None:
    """A private primary (scram passwords) with a streaming standby."""
    require_service("postgres")
    if pgcluster.bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    with pgcluster.primary_and_standby() as (primary, standby):
        assert standby is not None
        with psycopg.connect(primary.superuser_dsn(), autocommit=True) as admin:
            admin.execute("CREATE ROLE watcher LOGIN PASSWORD 'Right-Pass-1' IN ROLE pg_monitor")
            admin.execute("CREATE TABLE t (x int)")
            admin.execute("INSERT INTO t VALUES (1)")

        def spec(cluster: pgcluster.Cluster, password: str) -> CheckSpec:
            return CheckSpec("postgres", f"127.0.0.1:{cluster.port}", {}, timeout_s=10.0,
                             credential=Credential("watcher", password))

        wrong = postgres.collect(spec(primary, "Wrong-Pass-2"))
        assert wrong.status == "failed"
        assert wrong.error == "Authentication failed for user watcher."
        assert "Wrong-Pass-2" not in repr(wrong)
        assert value(wrong, "pg_up") == 0

        assert pgcluster.wait_for(lambda: value(postgres.collect(spec(primary, "Right-Pass-1")),
                                                "careops_pg_replica_replay_lag_seconds",
                                                application_name="standby1") is not None)
        on_primary = postgres.collect(spec(primary, "Right-Pass-1"))
        assert on_primary.status == "ok", on_primary.error
        assert value(on_primary, "pg_replication_is_replica") == 0
        assert (value(on_primary, "pg_stat_replication_pg_wal_lsn_diff",
                      application_name="standby1") or 0) >= 0
        on_standby = postgres.collect(spec(standby, "Right-Pass-1"))
        assert on_standby.status == "ok", on_standby.error
        assert value(on_standby, "pg_replication_is_replica") == 1
        lag = value(on_standby, "pg_replication_lag")
        assert lag is not None and lag >= 0
