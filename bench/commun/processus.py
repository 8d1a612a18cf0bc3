"""Child processes: CPU seconds read from /proc, a free loopback port, a clean stop."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
from contextlib import suppress
from pathlib import Path
from typing import Any

TIC = os.sysconf("SC_CLK_TCK")


def cpu_soi() -> float:
    """CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_arbre(pid: int) -> float:
    """CPU seconds of a process and its children (the prefork pool), from /proc."""
    total = 0.0
    for chemin in Path("/proc").iterdir():
        if not chemin.name.isdigit():
            continue
        with suppress(OSError, ValueError, IndexError):
            champs = (chemin / "stat").read_text().rsplit(")", 1)[1].split()
            ppid = int(champs[1])
            if int(chemin.name) == pid or ppid == pid:
                total += (int(champs[11]) + int(champs[12])) / TIC
    return total


def cpu_pid(pid: int) -> float:
    """CPU seconds of one process, from /proc (0 once it has ended)."""
    with suppress(OSError, ValueError, IndexError):
        champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(champs[11]) + int(champs[12])) / TIC
    return 0.0


def cpu_machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine (all cores), from /proc/stat."""
    valeurs = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    inactif = valeurs[3] + valeurs[4]
    return (sum(valeurs) - inactif) / TIC, sum(valeurs) / TIC


def port_libre(hote: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((hote, 0))
        return int(s.getsockname()[1])


def arreter(processus: Any, *, delai: float = 15.0) -> None:
    """Stop a child this bench started in its own session (gunicorn, a Celery worker): SIGTERM
    (a warm shutdown), SIGKILL to its process group if it lingers after ``delai`` seconds, and
    to whatever is left of the group (a pool child left behind)."""
    if processus is None or processus.poll() is not None:
        return
    processus.send_signal(signal.SIGTERM)
    try:
        processus.wait(timeout=delai)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(processus.pid, signal.SIGKILL)
        processus.wait(timeout=10)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(processus.pid, signal.SIGKILL)
