"""The scratch databases of one benchmark run, and plain DB-API reads of their roster tables.

Nothing here imports Django: the harness only starts product processes and reads what they wrote.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SQLITE_FILE = "classhub.sqlite3"  # where classhub/settings.py puts the database under CLASSHUB_DATA_DIR


class BenchError(Exception):
    """A step of the benchmark that cannot go on; the message says which and why."""


@dataclass
class Database:
    """One scratch database: a SQLite file under its own data dir, or a PostgreSQL database."""

    name: str  # what the benchmark calls it: main, small, naive, floor, template
    engine: str  # "sqlite" or "postgres"
    data_dir: Path  # CLASSHUB_DATA_DIR of the processes using it (SQLite file, mail folder)
    url: str = ""  # postgres://... for PostgreSQL

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE

    @property
    def location(self) -> str:
        return self.url if self.engine == "postgres" else str(self.sqlite_path)

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """The environment of a product process that uses this database."""
        env = dict(base, CLASSHUB_DATA_DIR=str(self.data_dir))
        if self.engine == "postgres":
            env["DATABASE_URL"] = self.url
        return env

    def connect(self):
        """A DB-API connection (autocommit) for reading."""
        if self.engine == "postgres":
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        return sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, isolation_level=None, timeout=30)

    def roster_counts(self) -> dict[str, int]:
        """Rows in each roster table, parents first."""
        conn = self.connect()
        try:
            return {table: count_rows(conn, table) for table in roster_tables(conn, self.engine)}
        finally:
            conn.close()

    def progress(self) -> str:
        """The latest import run's phase and records read, when the schema still has them (best effort)."""
        try:
            conn = self.connect()
            try:
                row = conn.execute("SELECT phase, done FROM rosters_importrun ORDER BY id DESC LIMIT 1").fetchone()
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 - a heartbeat must never stop the benchmark
            return ""
        return f", import run: {row[0]}, {row[1]:,} Clever records read" if row else ""


class Workspace:
    """Creates, clones and drops the run's scratch databases (never the developer's data/ or database)."""

    def __init__(self, root: Path, *, engine: str, pg_server: str = "", pg_prefix: str = "classhub_bench"):
        self.root, self.engine, self.pg_server, self.pg_prefix = root, engine, pg_server.rstrip("/"), pg_prefix
        self.created: list[Database] = []

    def database(self, name: str) -> Database:
        data_dir = self.root / name
        data_dir.mkdir(parents=True, exist_ok=True)
        if self.engine == "postgres":
            db_name = self.pg_prefix if name == "main" else f"{self.pg_prefix}_{name}"
            return Database(name, "postgres", data_dir, f"{self.pg_server}/{db_name}")
        return Database(name, "sqlite", data_dir)

    def _admin(self):
        import psycopg

        try:
            return psycopg.connect(f"{self.pg_server}/postgres", autocommit=True)
        except psycopg.OperationalError as exc:
            raise BenchError(f"Cannot reach PostgreSQL at {self.pg_server}: {exc}") from exc

    def create_empty(self, name: str) -> Database:
        """A new, empty database (dropping a leftover of an earlier run with the same name)."""
        db = self.database(name)
        if db.engine == "postgres":
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{_pg_name(db)}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{_pg_name(db)}"')
        else:
            _remove_sqlite(db.sqlite_path)
        self.created.append(db)
        return db

    def clone(self, template: Database, name: str) -> Database:
        """A copy of a migrated template database."""
        db = self.database(name)
        if db.engine == "postgres":
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{_pg_name(db)}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{_pg_name(db)}" TEMPLATE "{_pg_name(template)}"')
        else:
            _remove_sqlite(db.sqlite_path)
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{template.sqlite_path}{suffix}")
                if source.exists():
                    shutil.copyfile(source, f"{db.sqlite_path}{suffix}")
        self.created.append(db)
        return db

    def drop_all(self) -> None:
        """Drop the PostgreSQL databases this run created (SQLite files go with the temp folder)."""
        if self.engine != "postgres" or not self.created:
            return
        with self._admin() as admin:
            for db in self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{_pg_name(db)}" WITH (FORCE)')
        self.created = []


def _pg_name(db: Database) -> str:
    return db.url.rsplit("/", 1)[1]


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# ----- the roster tables, found in the schema rather than listed ------------------------------------


def _tables(conn, engine: str) -> list[str]:
    if engine == "postgres":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'rosters\\_%'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rosters\\_%' ESCAPE '\\'"
    return sorted(row[0] for row in conn.execute(sql).fetchall())


def table_columns(conn, engine: str, table: str) -> list[str]:
    """Column names of a table in their order."""
    if engine == "postgres":
        rows = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            (table,),
        ).fetchall()
    else:
        rows = [(r[1],) for r in conn.execute(f'PRAGMA table_info("{table}")').fetchall()]
    return [r[0] for r in rows]


def referenced_tables(conn, engine: str, table: str) -> set[str]:
    """Tables this table's foreign keys point at."""
    if engine == "postgres":
        rows = conn.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            (table,),
        ).fetchall()
        return {r[0].strip('"') for r in rows}
    return {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()}


def roster_tables(conn, engine: str) -> list[str]:
    """The tables that hold Clever roster data, parents before children.

    A roster table is a rosters_* table with clever_id and district_id columns (schools, students,
    sections, ...), or a link table whose foreign keys all point at those (enrollments, ...). Import
    runs, their issues, sync leases and the like are bookkeeping, not roster rows.
    """
    tables = _tables(conn, engine)
    records = [t for t in tables if {"clever_id", "district_id"} <= set(table_columns(conn, engine, t))]
    refs = {t: referenced_tables(conn, engine, t) - {t} for t in tables}
    links = [t for t in tables if t not in records and refs[t] and refs[t] <= set(records)]
    chosen = set(records) | set(links)
    ordered: list[str] = []
    while len(ordered) < len(chosen):
        ready = sorted(t for t in chosen - set(ordered) if (refs[t] & chosen) <= set(ordered))
        if not ready:  # a cycle: keep the rest in name order
            ready = sorted(chosen - set(ordered))
        ordered.extend(ready)
    return ordered


def count_rows(conn, table: str) -> int:
    return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
