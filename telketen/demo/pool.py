"""Independent offices on worker processes: spawned, replaced when they grow, results in task order.

Why a pool of its own: the demo's municipalities and hoofdstembureaus are separate machines in reality, so
their work may run side by side; every random choice inside a task derives from (seed, authority), and the
results come back in task order, so the outcome does not depend on the number of workers or on scheduling.

Why replaced: typst keeps a cache of every document it compiled for the life of the process (typst-py cannot
evict it), so long-lived workers grew to 4 GB at national scale. A worker reports its peak memory with each
result; once one has grown beyond `WORKER_LIMIT_MB` the pool is drained and a fresh one started (3.11's
`max_tasks_per_child` can hang).
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

#: A worker process that has grown beyond this is replaced (see the module's docstring).
WORKER_LIMIT_MB = 800.0


class Measured(Protocol):
    """A task's result that says how large its worker had grown (MB)."""

    @property
    def worker_mb(self) -> float: ...


S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R", bound=Measured)

_SHARED: dict[str, Any] = {}


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _init(shared: object) -> None:
    _SHARED["shared"] = shared


def _call(fn: Callable[[Any, Any], R], task: object) -> R:
    return fn(_SHARED["shared"], task)


def run_pooled(
    fn: Callable[[S, T], R],
    tasks: Sequence[T],
    shared: S,
    *,
    jobs: int,
    done: Callable[[], None],
    weight: Callable[[T], int] | None = None,
) -> list[R]:
    """`fn(shared, task)` for every task, on `jobs` workers (1: in this process, in task order).

    Results come back in task order; `done` is called after each task. Workers start the heaviest tasks
    first (`weight`, e.g. a municipality's stations), so the light ones fill in at the end and no worker is
    left with a big one alone. `shared` is sent once to each worker, not with every task; `fn` must be a
    module-level function (workers import it by name).
    """
    if jobs <= 1:
        results = []
        for task in tasks:
            results.append(fn(shared, task))
            done()
        return results
    # spawn, not fork: this process may run threads (typst, OpenCV) whose held locks a fork would copy.
    context = multiprocessing.get_context("spawn")
    finished: dict[int, R] = {}
    pending = list(range(len(tasks)))
    if weight is not None:
        pending.sort(key=lambda i: -weight(tasks[i]))
    while pending:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init, initargs=(shared,)
        ) as pool:
            running: dict[Future[R], int] = {}
            grown = False
            while pending or running:
                while pending and not grown and len(running) < jobs:
                    index = pending.pop(0)
                    running[pool.submit(_call, fn, tasks[index])] = index
                if not running:
                    break
                ready, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in ready:
                    result = future.result()
                    finished[running.pop(future)] = result
                    grown = grown or result.worker_mb > WORKER_LIMIT_MB
                    done()
    return [finished[i] for i in range(len(tasks))]
