"""The import's writer thread: jobs run in order, the first failure reaches the importing thread and the
jobs after it are skipped; a failure of the importing thread skips what is left."""

from __future__ import annotations

import functools
import threading

import pytest

from socialcredit.platform.records.writer import Writer, writing


def test_jobs_run_in_order_on_another_thread() -> None:
    done: list[tuple[int, str]] = []

    def job(number: int) -> None:
        done.append((number, threading.current_thread().name))

    with writing() as writer:
        for number in range(20):
            writer.submit(functools.partial(job, number))
    assert [number for number, _ in done] == list(range(20))
    assert {name for _, name in done} == {"import-writer"}


def test_the_first_failure_is_raised_and_later_jobs_are_skipped() -> None:
    done: list[int] = []

    def fail() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"), writing() as writer:
        writer.submit(lambda: done.append(1))
        writer.submit(fail)
        writer.submit(lambda: done.append(2))
        writer.drain()
    assert done == [1]
    writer = Writer()
    writer.submit(fail)
    with pytest.raises(ValueError):
        writer.drain()
    with pytest.raises(ValueError):
        writer.submit(lambda: done.append(3))
    writer.close()
    assert done == [1]


def test_a_failure_of_the_importing_thread_skips_the_jobs_left() -> None:
    """The writer is busy with one job and another waits when checking fails: the waiting one never runs."""
    release = threading.Event()
    done: list[int] = []

    def busy() -> None:
        release.wait()

    with pytest.raises(RuntimeError), writing() as writer:
        writer.submit(busy)
        writer.submit(lambda: done.append(1))
        threading.Thread(target=_release_once_cancelled, args=(writer, release)).start()
        raise RuntimeError("checking failed")
    assert done == []


def _release_once_cancelled(writer: Writer, release: threading.Event) -> None:
    while not writer.cancelled:
        threading.Event().wait(0.001)
    release.set()
