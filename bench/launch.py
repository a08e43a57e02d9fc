"""Run one command and report its wall time and its own rusage, from a process too small to skew them.

    python -m bench.launch COMMAND [ARG ...]

Linux counts the memory of the process a child was spawned from towards the child's peak RSS (the
address space it shares or copies until exec), so a child spawned by the harness would never report
less than the harness's own size. This launcher imports nothing but the standard library's basics
(about 10 MB), spawns the command, and prints, around the command's own output:
    BENCH-PID <pid>                      first, for the harness's heartbeat
    BENCH-RUSAGE {"seconds": ..., ...}   last, once the command has ended
"""

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    started = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    print(f"BENCH-PID {pid}", flush=True)
    _pid, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    report = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": usage.ru_maxrss,
        "returncode": code,
    }
    print("BENCH-RUSAGE " + json.dumps(report), flush=True)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
