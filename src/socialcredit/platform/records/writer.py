"""The database side of a file import, on a thread of its own, so that checking overlaps storing.

PostgreSQL stores one chunk (``COPY``) while the importing thread reads, checks and encodes the next one;
an import then takes about the longer of the two instead of their sum. Jobs run one at a time, in the
order given, on the import's one session (one transaction): the importing thread touches the session
itself only after :meth:`Writer.drain`. At most one job waits, so at most two chunks are in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Job = Callable[[], None]


class Cancelled(Exception):
    """The jobs left were skipped: the importing thread failed."""


class Writer:
    """A queue of database jobs run in order on one thread; the first failure stops it and is raised to the
    submitting thread at its next :meth:`submit` or :meth:`drain`."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._raise()
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every submitted job has run; raise the first failure."""
        self._jobs.join()
        self._raise()

    def close(self, *, cancel: bool = False) -> None:
        """Stop the thread once the jobs before have run (or been skipped, with ``cancel``)."""
        if cancel and self._error is None:
            self._error = Cancelled()
        self._jobs.put(None)
        self._thread.join()

    @property
    def cancelled(self) -> bool:
        return isinstance(self._error, Cancelled)

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if self._error is None:
                    job()
            except BaseException as error:  # handed to the submitting thread
                self._error = error
            finally:
                self._jobs.task_done()
        self._jobs.task_done()


class Inline(Writer):
    """Runs each job at once, on the submitting thread (SQLite connections stay on the thread that made them)."""

    def __init__(self) -> None:
        self._error = None

    def submit(self, job: Job) -> None:
        job()

    def drain(self) -> None:
        pass

    def close(self, *, cancel: bool = False) -> None:
        pass


@contextmanager
def writing(*, threaded: bool = True) -> Iterator[Writer]:
    """A writer for the block: drained when it ends well, and stopped (its jobs run or skipped) in any case."""
    writer = Writer() if threaded else Inline()
    try:
        yield writer
        writer.drain()
    except BaseException:
        writer.close(cancel=True)
        raise
    writer.close()
