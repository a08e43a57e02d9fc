"""`make run`: migrate, seed the demo, start the sandbox, the portal and a worker; stop all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, what: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited early (code {process.returncode}); see its messages above.")
        if not port_is_free(port):
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start listening on port {port} within {seconds:.0f}s.")


def run_step(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([*MANAGE, *args], env=env, cwd=ROOT, check=False)  # noqa: S603
    if result.returncode:
        sys.exit(f"`manage.py {' '.join(args)}` failed; fix the problem above and run `make run` again.")


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8765"))
    for p, name in ((port, "PORT"), (sandbox_port, "SANDBOX_PORT")):
        if not port_is_free(p):
            sys.exit(f"Port {p} is already in use. Stop what uses it, or choose another: {name}=<port> make run")

    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = dict(os.environ)
    env.setdefault("CLEVER_API_BASE", sandbox_url)
    env.setdefault("CLEVER_OAUTH_BASE", sandbox_url)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("PORTAL_BASE_URL", f"http://127.0.0.1:{port}")  # links in emails point at this demo

    print("Preparing the database…", flush=True)
    run_step(["migrate", "--noinput", "-v", "0"], env)
    run_step(["demo_setup"], env)

    processes: list[tuple[str, subprocess.Popen]] = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        process = subprocess.Popen([*MANAGE, *args], env=env, cwd=ROOT)  # noqa: S603
        processes.append((name, process))
        return process

    def stop_all(*_args) -> None:
        for _name, process in reversed(processes):
            if process.poll() is None:
                process.terminate()  # SIGTERM: a background child may ignore SIGINT
        for _name, process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
    try:
        sandbox = start("Clever sandbox", ["clever_sandbox", "--port", str(sandbox_port), "--quiet"])
        wait_for_port(sandbox_port, "The Clever sandbox", sandbox)
        run_step(["sync_clever_connections"], env)
        web = start("portal", ["runserver", f"127.0.0.1:{port}", "--noreload"])
        start("worker", ["qcluster"])
        wait_for_port(port, "The portal", web)
        base = f"http://127.0.0.1:{port}"
        print(
            f"""
================ ClassHub onboarding demo is running ================
  Review console (reps):   {base}/admin/     login: rep / classhub-demo (support / classhub-demo: read-only)
  District portal:         {base}/portal/    "Log in with Clever", then pick a district admin
  Teacher home:            {base}/teach/     "Log in with Clever", then pick a teacher (after the import)
  District contact code:   {base}/accounts/login/code/   the code email lands in data/mail/
  Help for district admins: {base}/help/
  Districts API (JSON):    {base}/api/v1/districts/
  Clever sandbox:          {sandbox_url}/sandbox/
  Sharing requests to review: {base}/admin/onboarding/sharingrequest/
  Press Ctrl-C to stop the portal, the worker and the sandbox.
=====================================================================
""",
            flush=True,
        )
        while all(process.poll() is None for _name, process in processes):
            time.sleep(0.5)
        for name, process in processes:
            if process.poll() is not None:
                print(f"The {name} stopped (code {process.returncode}); stopping the rest.", flush=True)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        stop_all()
        print("Stopped the portal, the worker and the Clever sandbox.", flush=True)


if __name__ == "__main__":
    main()
