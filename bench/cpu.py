"""CPU seconds the bench's processes spend, from ``/proc`` (Linux): per process group (a worker
with its render processes, the API), and the Temporal dev server found by its port. Read before
and after the measured lifecycles, the difference divided by the lifecycles closed says what one
lifecycle costs each side; on a machine of few cores that is where throughput goes."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
RENDER = "render processes"


def _processes() -> list[tuple[int, int, float, str]]:
    """(pid, process group, CPU seconds, command line) of every process one can read."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        found.append((int(entry.name), int(fields[2]), cpu, command))
    return found


def cpu_by_role(groups: dict[int, str], server_port: str) -> Counter[str]:
    """CPU seconds so far of each process group in ``groups`` (leader pid → role; processes of
    a worker's render pool count as ``RENDER``) and of the dev server on ``server_port``."""
    spent: Counter[str] = Counter()
    for _pid, group, cpu, command in _processes():
        if group in groups:
            spent[RENDER if "multiprocessing" in command else groups[group]] += cpu
        elif "start-dev" in command and f"--port {server_port} " in command:
            spent["Temporal dev server"] += cpu
    spent["bench (this process)"] += sum(os.times()[:2])
    return spent


def per_lifecycle(before: Counter[str], after: Counter[str], lifecycles: int) -> list[str]:
    """Lines: CPU milliseconds per lifecycle by role, the most first, and the total."""
    spent = after - before
    total = sum(spent.values())
    lines = [
        f"  {role:<24} {seconds / max(lifecycles, 1) * 1000:7.0f} ms"
        for role, seconds in spent.most_common()
    ]
    lines.append(f"  {'all':<24} {total / max(lifecycles, 1) * 1000:7.0f} ms")
    return lines
