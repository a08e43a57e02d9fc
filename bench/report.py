"""The figures of one run: derived ratios, the targets of issue 4, a readable summary and one JSON line."""

from __future__ import annotations

import json

# (JSON key, comparison, bound, description); a target whose figure is missing is not judged.
TARGETS = [
    ("floor_ratio", ">=", 0.3, "at least 0.3 of the raw executemany rate"),
    ("nochange_fraction", "<=", 1 / 3, "a no-change sync at most a third of the first"),
    ("peak_rss_mb", "<", 1024, "peak RSS under 1 GB"),
    ("import_seconds", "<", 600, "the million-student district in under 10 minutes"),  # judged at 1M only
]


# Every figure of the JSON line, present in every run (null when not measured), so runs compare by name.
MEASURED = [
    "students",
    "naive_students",
    "database",
    "cpus",
    "python",
    "commit",
    "page_limit",
    "load_before",
    "load_after",
    "clever_records_read",
    "import_seconds",
    "import_cpu_seconds",
    "import_sandbox_cpu_seconds",
    "import_rows",
    "import_peak_rss_mb",
    "floor_seconds",
    "floor_rows",
    "floor_method",
    "nochange_seconds",
    "nochange_cpu_seconds",
    "nochange_sandbox_cpu_seconds",
    "nochange_peak_rss_mb",
    "events",
    "events_seconds",
    "events_cpu_seconds",
    "events_verified",
    "events_peak_rss_mb",
    "readiness_seconds",
    "readiness_judged",
    "readiness_rows",
    "small_import_seconds",
    "small_import_rows",
    "small_import_peak_rss_mb",
    "naive_seconds",
    "naive_rows",
    "naive_peak_rss_mb",
    "total_seconds",
    "tables",
]


def _ratio(a, b):
    return a / b if a is not None and b else None


def derive(f: dict) -> dict:
    """Add rates and ratios to the measured figures (None wherever a part is missing)."""
    f = {**dict.fromkeys(MEASURED), **f}
    f["import_rows_per_s"] = _ratio(f.get("import_rows"), f.get("import_seconds"))
    f["clever_records_per_s"] = _ratio(f.get("clever_records_read"), f.get("import_seconds"))
    f["floor_rows_per_s"] = _ratio(f.get("floor_rows"), f.get("floor_seconds"))
    f["floor_ratio"] = _ratio(f.get("floor_seconds"), f.get("import_seconds"))
    f["nochange_fraction"] = _ratio(f.get("nochange_seconds"), f.get("import_seconds"))
    f["events_per_s"] = _ratio(f.get("events"), f.get("events_seconds")) if f.get("events_seconds") else None
    f["small_import_rows_per_s"] = _ratio(f.get("small_import_rows"), f.get("small_import_seconds"))
    f["naive_rows_per_s"] = _ratio(f.get("naive_rows"), f.get("naive_seconds"))
    f["naive_ratio"] = _ratio(f.get("small_import_rows_per_s"), f.get("naive_rows_per_s"))
    peaks = [f.get(k) for k in ("import_peak_rss_mb", "nochange_peak_rss_mb", "events_peak_rss_mb")]
    f["peak_rss_mb"] = max((p for p in peaks if p is not None), default=None)
    f["targets_met"] = targets_met(f)
    return f


def targets_met(f: dict) -> dict:
    met = {}
    for key, op, bound, _text in TARGETS:
        value = f.get(key)
        if value is None or (key == "import_seconds" and f.get("students", 0) < 1_000_000):
            continue
        met[key] = value >= bound if op == ">=" else value <= bound if op == "<=" else value < bound
    return met


def _n(value, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _judge(f: dict, key: str) -> str:
    if key not in f["targets_met"]:
        return ""
    _k, op, bound, _text = next(t for t in TARGETS if t[0] == key)
    shown = "1/3" if key == "nochange_fraction" else f"{bound:g}"
    return f"  (target {op} {shown}: {'met' if f['targets_met'][key] else 'MISSED'})"


def summary(f: dict) -> list[str]:
    """Readable lines, one per measurement."""
    db = "PostgreSQL" if f["database"] == "postgres" else "SQLite"
    lines = [
        f"== Results: {f['students']:,} students on {db}, {f['cpus']} CPUs ==",
        f"full import      {_n(f['import_seconds'], 1):>9} s  {_n(f['import_rows']):>11} rows   "
        f"{_n(f['import_rows_per_s']):>8} rows/s   ({_n(f['clever_records_read'])} Clever records read, "
        f"{_n(f['clever_records_per_s'])}/s)   peak RSS {_n(f['import_peak_rss_mb'])} MB" + _judge(f, "import_seconds"),
        f"                 (the import process used {_n(f['import_cpu_seconds'], 1)} s CPU, "
        f"the sandbox serving it {_n(f['import_sandbox_cpu_seconds'], 1)} s CPU)",
    ]
    if f.get("floor_seconds") is not None:
        lines.append(
            f"floor            {_n(f['floor_seconds'], 1):>9} s  {_n(f['floor_rows']):>11} rows   "
            f"{_n(f['floor_rows_per_s']):>8} rows/s   ({f['floor_method']}); "
            f"floor/import = {_n(f['floor_ratio'], 3)}" + _judge(f, "floor_ratio")
        )
    else:
        lines.append(f"floor            not measured ({f.get('floor_error') or 'skipped'})")
    if f.get("nochange_seconds") is not None:
        lines.append(
            f"no-change sync   {_n(f['nochange_seconds'], 1):>9} s  = {_n(f['nochange_fraction'], 3)} of the first"
            f"   peak RSS {_n(f['nochange_peak_rss_mb'])} MB" + _judge(f, "nochange_fraction")
        )
    else:
        lines.append(f"no-change sync   not measured ({f.get('nochange_error') or 'skipped'})")
    if f.get("events_per_s") is not None:
        lines.append(
            f"events           {_n(f['events_seconds'], 1):>9} s  {_n(f['events']):>11} events "
            f"{_n(f['events_per_s']):>8} events/s   peak RSS {_n(f['events_peak_rss_mb'])} MB   "
            f"({_n(100 * (f['events_verified'] or 0))}% of sampled changes found in the database)"
        )
    else:
        lines.append(f"events: not measured ({f.get('events_error') or 'skipped'})")
    if f.get("readiness_seconds") is not None:
        lines.append(
            f"readiness        {_n(f['readiness_seconds'], 1):>9} s  {_n(f.get('readiness_judged')):>11} students "
            f"judged per school, {_n(f['readiness_rows'])} not ready written (readiness_refresh)"
        )
    else:
        lines.append(f"readiness        not measured ({f.get('readiness_error') or 'skipped'})")
    if f.get("naive_ratio") is not None:
        lines.append(
            f"naive slice      {f['naive_students']:,} students: ours {_n(f['small_import_rows'])} rows in "
            f"{_n(f['small_import_seconds'], 1)} s ({_n(f['small_import_rows_per_s'])} rows/s), naive update_or_create "
            f"{_n(f['naive_rows'])} rows in {_n(f['naive_seconds'], 1)} s ({_n(f['naive_rows_per_s'])} rows/s): "
            f"ours/naive = {_n(f['naive_ratio'], 1)}x"
        )
    else:
        lines.append(f"naive slice      not measured ({f.get('naive_error') or 'skipped'})")
    lines.append(
        f"peak RSS         {_n(f['peak_rss_mb'])} MB (largest of our import processes)" + _judge(f, "peak_rss_mb")
    )
    lines.append(
        f"benchmark took   {_n(f['total_seconds'], 0)} s in all "
        f"(1-minute load average {_n(f['load_before'], 1)} before, {_n(f['load_after'], 1)} after)"
    )
    return lines


def json_line(f: dict) -> str:
    """The one machine-readable line: every figure by name, floats rounded."""

    def clean(value):
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return json.dumps({k: clean(v) for k, v in f.items()}, separators=(",", ":"))
