"""`python -m classhub.clever.sandbox` and serve()."""

import io
import threading
import time

import requests

from classhub.clever.sandbox.__main__ import main
from classhub.clever.sandbox.cli import serve


def test_refuses_remote_host_without_flag():
    out = io.StringIO()
    assert serve(host="0.0.0.0", port=0, out=out)  # noqa: S104 - must be refused == 2
    assert "--allow-remote" in out.getvalue()


def test_bad_dataset_path(tmp_path, capsys):
    assert main(["--port", "0", "--dataset", str(tmp_path / "missing")]) == 2
    assert "Cannot load dataset" in capsys.readouterr().out


def test_serve_prints_banner_and_stops_cleanly():
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(
        target=serve,
        kwargs={
            "host": "127.0.0.1",
            "port": 0,
            "dataset": "demo",
            "seed": 1,
            "quiet": True,
            "out": out,
            "stop_event": stop,
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while "http://" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        banner = out.getvalue()
        assert "Maple Grove Unified School District" in banner and banner.count("\n") == 1
        url = banner.split(" at ", 1)[1].split(" ", 1)[0]
        assert requests.get(url + "/sandbox/?format=json", timeout=5).status_code == 200
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
