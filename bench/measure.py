"""Running a command and measuring it: wall time, CPU of the whole process tree, peak memory."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    """User + system seconds of every process of the tree (children reaped by their parents count)."""
    peak_tree_rss_mb: float
    """Largest sum of RSS over the command and its descendants, sampled every 50 ms."""
    peak_main_rss_mb: float
    returncode: int
    peak_tree_anon_mb: float = 0.0
    """The same for anonymous memory only (``RssAnon``: heaps, buffers), without the pages of files the
    processes map: a search index is read through mmap, and its pages count in RSS but are the page
    cache's, reclaimable, and grow with the index whatever the program holds."""
    anon_samples: tuple[tuple[float, float], ...] = ()
    """(seconds since the start, anonymous MB of the tree), every 50 ms: whether memory grows as the
    run goes on, or only fills a fixed budget once."""

    def anon_peaks(self, parts: int) -> list[float]:
        """The anonymous peak in each of ``parts`` equal spans of the run's wall time."""
        peaks = [0.0] * parts
        for elapsed, anon in self.anon_samples:
            part = min(int(elapsed / self.wall * parts), parts - 1)
            peaks[part] = max(peaks[part], anon)
        return peaks


_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    """Orphaned descendants (a fork server whose parent exited without waiting for it) are
    reparented to us, so that reaping them adds their CPU time, and their children's, to ours."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _reap_orphans(timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def _memory_kb(pid: int) -> tuple[int, int]:
    """The process's resident memory and, of it, the anonymous part (kB)."""
    found = {"VmRSS": 0, "RssAnon": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in found:
                found[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return found["VmRSS"], found["RssAnon"]


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(parents.get(pid, []))
    return found


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = {"tree": 0, "main": 0, "anon": 0}
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            memory = {pid: _memory_kb(pid) for pid in _tree(process.pid)}
            peaks["tree"] = max(peaks["tree"], sum(rss for rss, _ in memory.values()))
            anon = sum(anon for _, anon in memory.values())
            peaks["anon"] = max(peaks["anon"], anon)
            samples.append((time.perf_counter() - start, anon / 1024))
            peaks["main"] = max(peaks["main"], memory.get(process.pid, (0, 0))[0])
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    _reap_orphans()
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode not in (0,):
        print(f"  ! {command[0]} exited {process.returncode}: {stderr.decode(errors='replace')[-400:]}")
    return Run(wall, cpu, peaks["tree"] / 1024, peaks["main"] / 1024, process.returncode, peaks["anon"] / 1024,
               tuple(samples))
