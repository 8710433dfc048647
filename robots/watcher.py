"""The folder-watching daemon: events and rescans feed the stability tracker; stable files
go to the mail-room service in batches. It only wires pieces together."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ged.services.mailroom import Filed, MailroomService, is_candidate, waiting_files
from ged.settings import WatchedFolder, WatchSettings

from .stability import StabilityTracker

_TICK = 0.5


class _Inbox(FileSystemEventHandler):
    """Turns file-system events into paths to look at (a folder moved in is rescanned whole)."""

    def __init__(self, paths: queue.SimpleQueue[Path]) -> None:
        self.paths = paths

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("created", "moved", "modified", "closed"):
            target = getattr(event, "dest_path", "") or event.src_path
            self.paths.put(Path(target if isinstance(target, str) else target.decode()))


class FolderWatcher:
    def __init__(self, mailroom: MailroomService, folders: Sequence[WatchedFolder], settings: WatchSettings, *,
                 clock: Callable[[], float] = time.monotonic,
                 on_filed: Callable[[Filed], None] | None = None) -> None:
        self.mailroom = mailroom
        self.folders = list(folders)
        self.settings = settings
        self.clock = clock
        self.on_filed = on_filed
        self.tracker = StabilityTracker(settings.settle_seconds, clock)
        self._events: queue.SimpleQueue[Path] = queue.SimpleQueue()

    def _folder_of(self, path: Path) -> WatchedFolder | None:
        owners = [f for f in self.folders if is_candidate(f, path)]
        return max(owners, key=lambda f: len(f.path.parts)) if owners else None

    def scan(self) -> None:
        for folder in self.folders:
            for path in waiting_files(folder):
                self.tracker.track(path)

    def _drain_events(self) -> None:
        while True:
            try:
                path = self._events.get_nowait()
            except queue.Empty:
                return
            if path.is_dir():
                for child in path.rglob("*"):
                    if child.is_file() and self._folder_of(child):
                        self.tracker.track(child)
            elif self._folder_of(path):
                self.tracker.track(path)

    def take_stable(self) -> list[Filed]:
        """Take every file that is ready, folder by folder."""
        ready = self.tracker.stable()
        filed: list[Filed] = []
        for folder in self.folders:
            mine = [p for p in ready if self._folder_of(p) is folder]
            if not mine:
                continue
            for result in self.mailroom.take(folder, mine):
                filed.append(result)
                if self.on_filed:
                    self.on_filed(result)
            for path in mine:
                self.tracker.forget(path)
        return filed

    def _observers(self) -> list[BaseObserver]:
        observers: list[BaseObserver] = []
        handler = _Inbox(self._events)
        for folder in self.folders:
            folder.path.mkdir(parents=True, exist_ok=True)
            polling = self.settings.polling if folder.polling is None else folder.polling
            observer = PollingObserver(timeout=self.settings.poll_interval_seconds) if polling else Observer()
            observer.schedule(handler, str(folder.path), recursive=True)
            observers.append(observer)
        return observers

    def run_once(self, stop: threading.Event) -> list[Filed]:
        """Take what is complete now, for cron (files still being written are left for next time)."""
        self.mailroom.recover()
        self.scan()
        stop.wait(self.settings.settle_seconds)
        return self.take_stable()

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set (SIGTERM): the batch under way is finished first."""
        self.mailroom.recover()
        observers = self._observers()
        for observer in observers:
            observer.start()
        try:
            self.scan()
            last_scan = self.clock()
            while not stop.is_set():
                self._drain_events()
                if self.clock() - last_scan >= self.settings.rescan_seconds:
                    self.scan()
                    last_scan = self.clock()
                self.take_stable()
                stop.wait(_TICK)
        finally:
            for observer in observers:
                observer.stop()
            for observer in observers:
                observer.join(timeout=10)
