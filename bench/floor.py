"""The floor: the same roster rows written with raw driver calls, into an empty copy of the schema.

    python -m bench.floor SOURCE TARGET [--method executemany|copy]

SOURCE is the database our import wrote (a SQLite file or a postgres:// URL); TARGET is an empty
database: for SQLite a new file that gets SOURCE's exact schema (every CREATE TABLE / CREATE INDEX
from sqlite_master) and the connection setup of classhub/settings.py (its init_command pragmas, WAL
among them, foreign keys on and BEGIN IMMEDIATE, as Django opens it); for PostgreSQL a clone of the
migrated template. Rows the roster tables refer to outside themselves (the district) are copied
first, untimed. Then each roster table, parents first, is written in one transaction: plain INSERTs
by `executemany` in chunks of 10,000 rows (PostgreSQL: or COPY). Only the writing is timed,
not the reading from SOURCE.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time

from bench.db import referenced_tables, roster_tables, table_columns
from bench.proc import RESULT_PREFIX

CHUNK = 10_000


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def sqlite_floor(source: str, target: str) -> dict:
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, isolation_level=None)  # explicit BEGIN/COMMIT below
    dst.execute("PRAGMA foreign_keys = OFF")
    schema = src.execute(
        "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
    ).fetchall()
    for _type, sql in schema:
        dst.execute(sql)
    pragmas = [p.strip() for p in (options.get("init_command") or "").split(";") if p.strip()]
    for pragma in pragmas:
        dst.execute(pragma)
    tables = roster_tables(src, "sqlite")
    parents = sorted(set().union(*(referenced_tables(src, "sqlite", t) for t in tables)) - set(tables))
    dst.execute("BEGIN")
    for table in parents:  # untimed: the district rows the roster rows point at
        columns = table_columns(src, "sqlite", table)
        rows = src.execute(f'SELECT {_quoted(columns)} FROM "{table}"').fetchall()
        dst.executemany(f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({", ".join("?" * len(columns))})', rows)
    dst.execute("COMMIT")
    dst.execute("PRAGMA foreign_keys = ON")  # as Django's SQLite connections have it
    begin = "BEGIN IMMEDIATE" if options.get("transaction_mode") == "IMMEDIATE" else "BEGIN"

    per_table, timed = {}, 0.0
    for table in tables:
        columns = table_columns(src, "sqlite", table)
        insert = f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({", ".join("?" * len(columns))})'
        cursor = src.execute(f'SELECT {_quoted(columns)} FROM "{table}"')
        count, started = 0, time.perf_counter()
        dst.execute(begin)
        spent = time.perf_counter() - started
        while rows := cursor.fetchmany(CHUNK):
            started = time.perf_counter()
            dst.executemany(insert, rows)
            spent += time.perf_counter() - started
            count += len(rows)
        started = time.perf_counter()
        dst.execute("COMMIT")
        spent += time.perf_counter() - started
        per_table[table] = {"rows": count, "seconds": round(spent, 3)}
        timed += spent
        print(f"floor {table}: {count:,} rows in {spent:,.2f}s", flush=True)
    settings_pragmas = ["PRAGMA foreign_keys = ON", *pragmas]
    return {"seconds": timed, "method": "sqlite3 executemany", "pragmas": settings_pragmas, "tables": per_table}


def postgres_floor(source: str, target: str, method: str) -> dict:
    import psycopg
    from psycopg.types.json import Jsonb

    src = psycopg.connect(source)
    dst = psycopg.connect(target)
    tables = roster_tables(src, "postgres")
    parents = sorted(set().union(*(referenced_tables(src, "postgres", t) for t in tables)) - set(tables))

    def adapt(rows: list[tuple]) -> list[tuple]:
        if rows and any(isinstance(v, (dict, list)) for v in rows[0]):
            return [tuple(Jsonb(v) if isinstance(v, (dict, list)) else v for v in row) for row in rows]
        return rows

    with dst.transaction():  # untimed: the district rows the roster rows point at
        dst.execute("SET LOCAL session_replication_role = replica")  # their own parents are not copied
        for table in parents:
            columns = table_columns(src, "postgres", table)
            rows = adapt(src.execute(f'SELECT {_quoted(columns)} FROM "{table}"').fetchall())
            with dst.cursor() as cur:
                cur.executemany(
                    f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({", ".join(["%s"] * len(columns))})', rows
                )
    dst.commit()

    per_table, timed = {}, 0.0
    for table in tables:
        columns = table_columns(src, "postgres", table)
        insert = f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({", ".join(["%s"] * len(columns))})'
        count, spent = 0, 0.0
        with src.cursor(name=f"floor_{table}") as reader, dst.cursor() as writer:
            reader.execute(f'SELECT {_quoted(columns)} FROM "{table}"')
            while rows := reader.fetchmany(CHUNK):
                rows = adapt(rows)
                started = time.perf_counter()
                if method == "copy":
                    with writer.copy(f'COPY "{table}" ({_quoted(columns)}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    writer.executemany(insert, rows)
                spent += time.perf_counter() - started
                count += len(rows)
        started = time.perf_counter()
        dst.commit()
        spent += time.perf_counter() - started
        src.commit()
        per_table[table] = {"rows": count, "seconds": round(spent, 3)}
        timed += spent
        print(f"floor {table}: {count:,} rows in {spent:,.2f}s", flush=True)
    label = "psycopg COPY" if method == "copy" else "psycopg executemany"
    return {"seconds": timed, "method": label, "tables": per_table}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--method", choices=["executemany", "copy"], default="executemany")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classhub.settings")
    import django

    django.setup()  # only to read the database settings the product uses
    if args.source.startswith("postgres"):
        result = postgres_floor(args.source, args.target, args.method)
    else:
        result = sqlite_floor(args.source, args.target)
    result["rows"] = sum(t["rows"] for t in result["tables"].values())
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
