"""``postgres``: probe a PostgreSQL server (10 or later) with a read-only monitoring role.

target  ``host:port`` (port 5432 when left out).
params  ``database`` (default ``postgres``: the views read are cluster-wide; sizes and
        pg_stat_statements are per database), ``sslmode`` (libpq's, default
        ``prefer``), ``long_transaction_s`` (300), ``slow_query_s`` (60).
credential  user name and password of a role with ``pg_monitor`` (docs/monitoring-databases.md).

Metric names follow postgres_exporter, so the same rules work on an existing exporter:
``pg_up``, ``pg_static{version,short_version}``, ``pg_postmaster_start_time_seconds``,
``pg_settings_max_connections``, ``pg_settings_superuser_reserved_connections``,
``pg_stat_activity_count{datname,state}``,
``pg_stat_activity_max_tx_duration{datname,state}``, ``pg_database_size_bytes{datname}``,
``pg_stat_database_{numbackends,xact_commit,xact_rollback,blks_read,blks_hit,deadlocks,
temp_bytes}{datname}``, ``pg_replication_is_replica``, ``pg_replication_lag`` (seconds
behind on a standby, 0 on a primary),
``pg_stat_replication_pg_wal_lsn_diff{application_name,client_addr}`` (bytes, primary).
Ours (``careops_pg_*``): ``connections_used_ratio``, ``longest_transaction_seconds``,
``long_transaction_count``, ``longest_query_seconds``, ``slow_query_count`` (active
queries running longer than ``slow_query_s``), ``lock_waiting_count``,
``lock_longest_wait_seconds``, ``cache_hit_ratio{datname}``,
``txid_wraparound_ratio{datname}`` (age(datfrozenxid) / 2^31), ``txid_age{datname}``,
``replica_replay_lag_seconds{application_name,client_addr}`` (primary), and with
pg_stat_statements in ``database``: ``slow_statement_count`` (mean time over
``slow_query_s``), ``statements_max_mean_seconds``.

Every statement runs under ``statement_timeout`` and in a read-only session; the
connection waits at most the check's timeout. A section the role may not read is left
out and named in the (ok) result's error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import psycopg

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import CheckSpec, CollectError, CollectResult
from careops.monitoring.collectors.dbcommon import (
    Budget,
    _,
    failed,
    host_port,
    param_name,
    param_seconds,
    run_probe,
    short,
    timed_out,
)

DEFAULT_PORT = 5432
TXID_LIMIT = 2.0**31
APPLICATION_NAME = "careops-probe"
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
PARAMS = frozenset({"database", "sslmode", "long_transaction_s", "slow_query_s"})


@dataclass(frozen=True)
class PostgresOptions:
    host: str
    port: int
    database: str
    sslmode: str
    long_transaction_s: float
    slow_query_s: float


def collect(spec: CheckSpec) -> CollectResult:
    return run_probe("pg_up", spec, _collect)


def prepare(spec: CheckSpec) -> PostgresOptions:
    """The target and params of a PostgreSQL probe, parsed; CollectError if wrong. No I/O."""
    host, port = host_port(spec.target, DEFAULT_PORT)
    database = param_name(spec.params, "database", "postgres")
    sslmode = param_name(spec.params, "sslmode", "prefer")
    if sslmode not in SSL_MODES:
        raise failed(_("Parameter sslmode must be one of %(modes)s.")
                     % {"modes": ", ".join(SSL_MODES)})
    long_tx = param_seconds(spec.params, "long_transaction_s", 300.0)
    slow = param_seconds(spec.params, "slow_query_s", 60.0)
    return PostgresOptions(host, port, database, sslmode, long_tx, slow)


def _collect(spec: CheckSpec, budget: Budget) -> CollectResult:
    options = prepare(spec)
    host, port, database = options.host, options.port, options.database
    if spec.credential is None or not spec.credential.username:
        raise failed(_("No credential: the probe needs a user with the pg_monitor role."))
    statement_ms = max(1, int(budget.left() * 1000))
    try:
        conn = psycopg.connect(
            host=host, port=port, dbname=database, user=spec.credential.username,
            password=spec.credential.password, sslmode=options.sslmode,
            connect_timeout=max(2, math.ceil(budget.left())),
            application_name=APPLICATION_NAME, autocommit=True,
            options=(f"-c statement_timeout={statement_ms} -c lock_timeout={statement_ms} "
                     "-c default_transaction_read_only=on"))
    except psycopg.Error as exc:
        raise _connect_error(exc, spec, host, port, database, budget) from None
    try:
        probe = _Probe(conn, budget)
        samples = probe.run(options.long_transaction_s, options.slow_query_s)
    except psycopg.errors.QueryCanceled:
        raise timed_out(budget.timeout_s) from None
    except psycopg.Error as exc:
        raise failed(_("PostgreSQL error %(code)s during the probe.")
                     % {"code": exc.sqlstate or type(exc).__name__}) from None
    finally:
        conn.close()
    samples.append(Sample("careops_probe_duration_seconds", {},
                          round(budget.timeout_s - budget.left(), 6)))
    error = ""
    if probe.skipped:
        error = _("Not readable with this role: %(sections)s.") % {
            "sections": ", ".join(probe.skipped)}
    return CollectResult(samples, "ok", error, state=dict(spec.state))


def _connect_error(exc: psycopg.Error, spec: CheckSpec, host: str, port: int, database: str,
                   budget: Budget) -> CollectError:
    text = str(exc)
    user = spec.credential.username if spec.credential else ""
    if "password authentication failed" in text or "authentication failed" in text:
        return failed(_("Authentication failed for user %(user)s.") % {"user": user})
    if "no pg_hba.conf entry" in text:
        return failed(_("The server does not let user %(user)s in from here (pg_hba.conf).")
                      % {"user": user})
    if f'role "{user}" does not exist' in text:
        return failed(_("Authentication failed for user %(user)s.") % {"user": user})
    if f'database "{database}" does not exist' in text:
        return failed(_("Database %(database)s does not exist.") % {"database": database})
    if "Connection refused" in text:
        return failed(_("Connection refused by %(host)s port %(port)s.")
                      % {"host": host, "port": port})
    if "timeout expired" in text or "timed out" in text:
        return timed_out(budget.timeout_s)
    if "could not translate host name" in text or "Name or service not known" in text:
        return failed(_("Unknown host %(host)s.") % {"host": host})
    if "SSL" in text:
        return failed(_("TLS negotiation with the server failed."))
    return failed(_("Could not connect to PostgreSQL (%(kind)s).")
                  % {"kind": type(exc).__name__})


class _Probe:
    def __init__(self, conn: psycopg.Connection[Any], budget: Budget) -> None:
        self.conn = conn
        self.budget = budget
        self.samples: list[Sample] = []
        self.skipped: list[str] = []

    def add(self, name: str, value: float | int | None, **labels: str) -> None:
        if value is None:
            return
        number = float(value)
        if math.isfinite(number):
            self.samples.append(Sample(name, labels, number))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.budget.left()
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def optional(self, section: str, sql: str, params: tuple[Any, ...] = ()
                 ) -> list[tuple[Any, ...]] | None:
        """Rows, or None (and the section named) when the role may not read them."""
        try:
            return self.rows(sql, params)
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState,
                psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn,
                psycopg.errors.UndefinedFunction):
            self.skipped.append(section)
            return None

    def run(self, long_tx: float, slow: float) -> list[Sample]:
        (version_num, version, max_conn, reserved, in_recovery, started), = self.rows(
            "SELECT current_setting('server_version_num')::int, "
            "current_setting('server_version'), current_setting('max_connections')::int, "
            "current_setting('superuser_reserved_connections')::int, pg_is_in_recovery(), "
            "extract(epoch FROM pg_postmaster_start_time())::float8")
        self.add("pg_up", 1)
        short_version = f"{version_num // 10000}.{version_num % 100}" if version_num >= 100000 \
            else f"{version_num // 10000}.{version_num // 100 % 100}.{version_num % 100}"
        self.add("pg_static", 1, version=short(version)[:100], short_version=short_version)
        self.add("pg_postmaster_start_time_seconds", started)
        self.add("pg_settings_max_connections", max_conn)
        self.add("pg_settings_superuser_reserved_connections", reserved)
        self._activity(max_conn, reserved, long_tx, slow)
        self._locks(version_num)
        self._databases()
        self._replication(bool(in_recovery))
        self._statements(version_num, slow)
        return self.samples

    def _activity(self, max_conn: int, reserved: int, long_tx: float, slow: float) -> None:
        clients = 0
        for datname, state, count, max_tx in self.rows(
                "SELECT coalesce(datname, ''), coalesce(state, 'unknown'), count(*), "
                "coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8 "
                "FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2"):
            clients += count
            self.add("pg_stat_activity_count", count, datname=datname, state=state)
            self.add("pg_stat_activity_max_tx_duration", max_tx, datname=datname, state=state)
        usable = max(1, max_conn - reserved)
        self.add("careops_pg_connections_used_ratio", clients / usable)
        (longest_tx, long_count, longest_query, slow_count), = self.rows(
            "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8, "
            "count(*) FILTER (WHERE clock_timestamp() - xact_start > make_interval(secs => %s)), "
            "coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) "
            "  FILTER (WHERE state = 'active'), 0)::float8, "
            "count(*) FILTER (WHERE state = 'active' "
            "  AND clock_timestamp() - query_start > make_interval(secs => %s)) "
            "FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()", (long_tx, slow))
        self.add("careops_pg_longest_transaction_seconds", longest_tx)
        self.add("careops_pg_long_transaction_count", long_count)
        self.add("careops_pg_longest_query_seconds", longest_query)
        self.add("careops_pg_slow_query_count", slow_count)

    def _locks(self, version_num: int) -> None:
        if version_num >= 140000:  # pg_locks.waitstart
            (waiting, longest), = self.rows(
                "SELECT count(DISTINCT pid), coalesce(max(extract(epoch FROM "
                "clock_timestamp() - waitstart)), 0)::float8 FROM pg_locks WHERE NOT granted")
        else:
            (waiting, longest), = self.rows(
                "SELECT count(*), coalesce(max(extract(epoch FROM "
                "clock_timestamp() - state_change)), 0)::float8 "
                "FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        self.add("careops_pg_lock_waiting_count", waiting)
        self.add("careops_pg_lock_longest_wait_seconds", longest)

    def _databases(self) -> None:
        rows = self.optional(
            "database sizes",
            "SELECT d.datname, pg_database_size(d.oid), age(d.datfrozenxid), s.numbackends, "
            "s.xact_commit, s.xact_rollback, s.blks_read, s.blks_hit, s.deadlocks, s.temp_bytes "
            "FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid "
            "WHERE d.datallowconn ORDER BY d.datname")
        for (datname, size, age, backends, commits, rollbacks, reads, hits, deadlocks,
             temp_bytes) in rows or []:
            self.add("pg_database_size_bytes", size, datname=datname)
            self.add("careops_pg_txid_age", age, datname=datname)
            self.add("careops_pg_txid_wraparound_ratio", age / TXID_LIMIT, datname=datname)
            self.add("pg_stat_database_numbackends", backends, datname=datname)
            self.add("pg_stat_database_xact_commit", commits, datname=datname)
            self.add("pg_stat_database_xact_rollback", rollbacks, datname=datname)
            self.add("pg_stat_database_blks_read", reads, datname=datname)
            self.add("pg_stat_database_blks_hit", hits, datname=datname)
            self.add("pg_stat_database_deadlocks", deadlocks, datname=datname)
            self.add("pg_stat_database_temp_bytes", temp_bytes, datname=datname)
            if reads is not None and hits is not None and reads + hits > 0:
                self.add("careops_pg_cache_hit_ratio", hits / (hits + reads), datname=datname)

    def _replication(self, in_recovery: bool) -> None:
        self.add("pg_replication_is_replica", 1 if in_recovery else 0)
        if in_recovery:
            rows = self.optional(
                "replication lag",
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) "
                "END::float8")
            if rows:
                self.add("pg_replication_lag", rows[0][0] or 0.0)
            return
        self.add("pg_replication_lag", 0)
        rows = self.optional(
            "replicas",
            "SELECT coalesce(application_name, ''), coalesce(host(client_addr), ''), "
            "extract(epoch FROM replay_lag)::float8, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 "
            "FROM pg_stat_replication")
        for name, address, lag, lag_bytes in rows or []:
            labels = {"application_name": name, "client_addr": address}
            self.add("careops_pg_replica_replay_lag_seconds", lag or 0.0, **labels)
            self.add("pg_stat_replication_pg_wal_lsn_diff", lag_bytes, **labels)

    def _statements(self, version_num: int, slow: float) -> None:
        installed = self.rows(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        if not installed:
            return
        mean = "mean_exec_time" if version_num >= 130000 else "mean_time"
        rows = self.optional(
            "pg_stat_statements",
            f"SELECT count(*) FILTER (WHERE {mean} > %s * 1000), "  # noqa: S608 - a column name
            f"coalesce(max({mean}), 0) / 1000 FROM pg_stat_statements", (slow,))
        if rows:
            self.add("careops_pg_slow_statement_count", rows[0][0])
            self.add("careops_pg_statements_max_mean_seconds", rows[0][1])
