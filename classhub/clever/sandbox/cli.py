"""Command line for the sandbox: build a dataset, print a banner, serve until Ctrl-C."""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import sys
import threading

from .dataset import KINDS, DatasetError, SandboxDataset, load_folder
from .demo import generate_demo, generate_district
from .server import SandboxServer

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8765,
    "dataset": "demo",
    "seed": 1,
    "client_id": "classhub-sandbox-client",
    "client_secret": "classhub-sandbox-secret",
    "allow_remote": False,
    "quiet": False,
    "students": None,
}


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_dataset(dataset: str, seed: int, students: list[int] | None = None):
    """'demo' -> generate_demo(seed), anything else is a folder for load_folder(); students -> bench_dataset()."""
    if students:
        return bench_dataset(students, seed)
    return generate_demo(seed) if dataset == "demo" else load_folder(dataset)


def bench_dataset(students: list[int], seed: int = 1) -> SandboxDataset:
    """One generated district per size (seeds seed, seed+1, ...), each with a district admin and a seed event.

    generate_district() has no admin, without which an import ends in "needs attention", and no event,
    without which an events cursor cannot be seeded before the first import.
    """
    ds = SandboxDataset()
    for n, count in enumerate(students):
        if count < 1:
            raise DatasetError(f"--students: a district needs at least one student, not {count}")
        part = generate_district(students=count, seed=seed + n)
        (did,) = part.districts
        for kind in KINDS:
            ds.collection(kind).update(part.collection(kind))
        ds.shared_schools.update(part.shared_schools)
        admin_id = hashlib.sha256(f"admin:{did}".encode()).hexdigest()[:24]
        stamp = "2026-08-01T12:00:00.000Z"
        ds.users[admin_id] = {
            "id": admin_id,
            "district": did,
            "email": f"admin@district{seed + n}.bench.example.org",
            "name": {"first": "Pat", "middle": "", "last": "Admin"},
            "created": stamp,
            "last_modified": stamp,
            "roles": {"district_admin": {"title": "Technology Director", "legacy_id": ""}},
        }
        ds.events.append(
            {
                "id": f"{(0x64 << 88) + n + 1:024x}",
                "created": stamp,
                "type": "districts.created",
                "data": {"object": dict(ds.districts[did])},
            }
        )
    return ds


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    dataset: str = "demo",
    seed: int = 1,
    client_id: str = DEFAULTS["client_id"],
    client_secret: str = DEFAULTS["client_secret"],
    allow_remote: bool = False,
    quiet: bool = False,
    students: list[int] | None = None,
    out=None,
    stop_event: threading.Event | None = None,
) -> int:
    """Serve the sandbox until KeyboardInterrupt (or stop_event); returns an exit code."""
    out = out or sys.stdout
    if not is_loopback(host) and not allow_remote:
        print(
            f"Refusing to listen on {host}: the sandbox has no real authentication and hands out "
            "tokens to anyone; use a loopback host or pass --allow-remote.",
            file=out,
        )
        return 2
    try:
        data = build_dataset(dataset, seed, students)
    except DatasetError as exc:
        print(f"Cannot load dataset: {exc}", file=out)
        return 2
    try:
        server = SandboxServer(
            data, host=host, port=port, client_id=client_id, client_secret=client_secret, quiet=quiet
        )
    except OSError as exc:
        print(f"Cannot listen on {host}:{port}: {exc}", file=out)
        return 2
    districts = ", ".join(f"{did} ({d.get('name', '')})" for did, d in sorted(data.districts.items()))
    print(
        f"Clever sandbox at {server.url} (client_id {client_id}) serving districts: {districts}",
        file=out,
        flush=True,
    )
    try:
        if stop_event is None:
            server.serve_forever()
        else:
            server.start()
            stop_event.wait()
    except KeyboardInterrupt:
        print("Clever sandbox stopped.", file=out)
    finally:
        server.stop()
    return 0


def run_from_args(**options) -> int:
    """serve() from argparse/Django-style options; unknown keys (verbosity, ...) are ignored."""
    kwargs = {k: options[k] for k in DEFAULTS if options.get(k) is not None}
    for k in ("out", "stop_event"):
        if options.get(k) is not None:
            kwargs[k] = options[k]
    return serve(**kwargs)


def parser() -> argparse.ArgumentParser:
    """Argument parser shared by `python -m` and anyone wrapping it."""
    p = argparse.ArgumentParser(
        prog="python -m classhub.clever.sandbox",
        description="Local stand-in for Clever's OAuth host and v3.0 API.",
    )
    p.add_argument("--host", default=DEFAULTS["host"])
    p.add_argument("--port", type=int, default=DEFAULTS["port"])
    p.add_argument("--dataset", default=DEFAULTS["dataset"], help="'demo' or a folder of Clever list files")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="seed for the demo dataset")
    p.add_argument("--client-id", default=DEFAULTS["client_id"])
    p.add_argument("--client-secret", default=DEFAULTS["client_secret"])
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    p.add_argument("--quiet", action="store_true", help="do not log requests")
    p.add_argument(
        "--students",
        type=int,
        action="append",
        metavar="N",
        help="serve a generated benchmark district of N students instead of --dataset (repeat for more districts)",
    )
    return p


def main(argv=None) -> int:
    """Entry point of `python -m classhub.clever.sandbox`."""
    return run_from_args(**vars(parser().parse_args(argv)))
