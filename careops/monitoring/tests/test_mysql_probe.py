"""The MySQL/MariaDB probe against the real server on 3306. Independent of the Django test
database: own connections, own user and database with random names, dropped afterwards.
The probe's user has only the grants docs/monitoring-databases.md asks for."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from careops.monitoring.collectors import mysql
from careops.monitoring.collectors.base import CheckSpec, CollectResult, Credential
from careops.monitoring.tests.pgcluster import free_port, wait_for
from conftest import require_service

pymysql = pytest.importorskip("pymysql")

pytestmark = [pytest.mark.mariadb, pytest.mark.usefixtures("english")]


def value(result: CollectResult, name: str, **labels: str) -> float | None:
    for sample in result.samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def admin(database: str | None = None) -> Any:
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                           database=database, autocommit=True)


class Scratch:
    def __init__(self) -> None:
        suffix = secrets.token_hex(4)
        self.user = f"careops_probe_{suffix}"
        self.database = f"careops_probe_{suffix}"
        self.password = "pw-" + secrets.token_hex(8)
        self.conns: list[Any] = []

    def create(self) -> None:
        with admin() as conn, conn.cursor() as cur:
            cur.execute(f"CREATE USER '{self.user}'@'127.0.0.1' IDENTIFIED BY %s",
                        (self.password,))
            cur.execute(f"GRANT PROCESS, REPLICATION CLIENT ON *.* TO '{self.user}'@'127.0.0.1'")
            cur.execute("SELECT VERSION()")
            if "mariadb" in cur.fetchone()[0].lower():
                cur.execute(f"GRANT SLAVE MONITOR ON *.* TO '{self.user}'@'127.0.0.1'")
            cur.execute(f"GRANT SELECT ON performance_schema.* TO '{self.user}'@'127.0.0.1'")
            cur.execute(f"CREATE DATABASE {self.database}")
            cur.execute(f"GRANT SELECT ON {self.database}.* TO '{self.user}'@'127.0.0.1'")
            cur.execute(f"CREATE TABLE {self.database}.beds (id INT PRIMARY KEY, "
                        "ward VARCHAR(20)) ENGINE=InnoDB")
            cur.execute(f"USE {self.database}")
            cur.execute("INSERT INTO beds VALUES (1, 'ICU'), (2, 'CCU')")

    def connect(self) -> Any:
        conn = admin(self.database)
        self.conns.append(conn)
        return conn

    def spec(self, **params: Any) -> CheckSpec:
        return CheckSpec("mysql", "127.0.0.1:3306", params, timeout_s=10.0,
                         credential=Credential(self.user, self.password))

    def drop(self) -> None:
        for conn in self.conns:
            try:
                conn.close()
            except Exception:  # noqa: S110 - best effort cleanup
                pass
        with admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {self.database}")
            cur.execute(f"DROP USER IF EXISTS '{self.user}'@'127.0.0.1'")


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    require_service("mariadb")
    made = Scratch()
    made.create()
    try:
        yield made
    finally:
        made.drop()


def test_it_reports_status_variables_and_sizes_with_a_monitoring_user(scratch: Scratch) -> None:
    result = mysql.collect(scratch.spec())
    assert result.status == "ok", result.error
    assert result.error == ""
    assert value(result, "mysql_up") == 1
    assert (value(result, "mysql_global_status_threads_connected") or 0) >= 1
    assert (value(result, "mysql_global_variables_max_connections") or 0) > 0
    assert 0 < (value(result, "careops_mysql_connections_used_ratio") or 0) < 1
    assert 0 <= (value(result, "careops_mysql_innodb_buffer_pool_hit_ratio") or -1) <= 1
    assert value(result, "mysql_global_status_slow_queries") is not None
    assert value(result, "careops_mysql_replica") == 0
    assert (value(result, "careops_mysql_schema_size_bytes", schema=scratch.database)
            or 0) > 0
    assert scratch.password not in repr(result)


def test_it_sees_a_long_transaction(scratch: Scratch) -> None:
    holder = scratch.connect()
    with holder.cursor() as cur:
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        cur.execute("SELECT * FROM beds")
    time.sleep(1.2)
    result = mysql.collect(scratch.spec(long_transaction_s=1))
    assert result.status == "ok", result.error
    assert (value(result, "careops_mysql_longest_transaction_seconds") or 0) >= 1.0
    assert (value(result, "careops_mysql_long_transaction_count") or 0) >= 1
    holder.rollback()


def test_it_sees_a_lock_wait(scratch: Scratch) -> None:
    holder = scratch.connect()
    waiter = scratch.connect()
    with holder.cursor() as cur:
        cur.execute("START TRANSACTION")
        cur.execute("UPDATE beds SET ward = 'NICU' WHERE id = 1")
    with waiter.cursor() as cur:
        cur.execute("SET SESSION innodb_lock_wait_timeout = 20")

    def blocked_update() -> None:
        try:
            with waiter.cursor() as cur:
                cur.execute("UPDATE beds SET ward = 'PICU' WHERE id = 1")
        except pymysql.MySQLError:
            pass

    blocked = threading.Thread(target=blocked_update)
    blocked.start()
    try:
        with admin() as watch:
            def waiting() -> bool:
                with watch.cursor() as cur:
                    cur.execute("SELECT COUNT(*) FROM information_schema.innodb_trx "
                                "WHERE trx_state = 'LOCK WAIT'")
                    return int(cur.fetchone()[0]) >= 1
            assert wait_for(waiting)
        result = mysql.collect(scratch.spec())
        assert result.status == "ok", result.error
        assert (value(result, "careops_mysql_lock_waiting_count") or 0) >= 1
        assert (value(result, "mysql_global_status_innodb_row_lock_current_waits") or 0) >= 1
    finally:
        holder.rollback()
        blocked.join(30)


def test_it_sees_a_slow_query(scratch: Scratch) -> None:
    sleeper = scratch.connect()
    running = threading.Thread(target=lambda: sleeper.cursor().execute("SELECT SLEEP(3)"))
    running.start()
    try:
        with admin() as watch:
            def sleeping() -> bool:
                with watch.cursor() as cur:
                    cur.execute("SELECT COUNT(*) FROM information_schema.processlist "
                                "WHERE INFO LIKE 'SELECT SLEEP%%' AND TIME >= 1")
                    return int(cur.fetchone()[0]) >= 1
            assert wait_for(sleeping)
        result = mysql.collect(scratch.spec(slow_query_s=0.5))
        assert (value(result, "careops_mysql_slow_query_count") or 0) >= 1
        assert (value(result, "careops_mysql_longest_query_seconds") or 0) >= 1
    finally:
        running.join(10)


def test_it_fails_on_a_wrong_password_without_telling_it(scratch: Scratch) -> None:
    wrong = CheckSpec("mysql", "127.0.0.1:3306", {}, timeout_s=10.0,
                      credential=Credential(scratch.user, "Wrong-Pass-77"))
    result = mysql.collect(wrong)
    assert result.status == "failed"
    assert result.error == f"Authentication failed for user {scratch.user}."
    assert "Wrong-Pass-77" not in repr(result)
    assert value(result, "mysql_up") == 0


def test_it_fails_quickly_on_a_closed_port() -> None:
    result = mysql.collect(CheckSpec("mysql", f"127.0.0.1:{free_port()}", {}, timeout_s=10.0,
                                     credential=Credential("careops", "s3cret-pw")))
    assert result.status == "failed"
    assert "refused" in result.error
    assert value(result, "mysql_up") == 0


def test_it_names_what_a_user_without_grants_cannot_read(scratch: Scratch) -> None:
    with admin() as conn, conn.cursor() as cur:
        cur.execute(f"REVOKE PROCESS ON *.* FROM '{scratch.user}'@'127.0.0.1'")
    result = mysql.collect(scratch.spec())
    assert result.status == "ok"
    assert "transactions" in result.error
    assert value(result, "mysql_up") == 1
    assert value(result, "careops_mysql_longest_transaction_seconds") is None


def test_it_refuses_bad_parameters() -> None:
    spec = CheckSpec("mysql", "127.0.0.1:3306", {"ssl": "maybe"}, 5.0, Credential("x"))
    assert mysql.collect(spec).error == "Parameter ssl must be true or false."
    spec = CheckSpec("mysql", "-oProxy:3306", {}, 5.0, Credential("x"))
    assert mysql.collect(spec).error == "The target is not a host name or address."
