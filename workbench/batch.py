"""One way to run batch work: a local process pool, a Dask LocalCluster, or a team's Dask scheduler.

Every long command (OCR, evaluate, flag, report --all, compare over folders) hands its work here as a
list of tasks: a top-level function and, per task, the arguments it needs, with the data itself (page
image bytes, texts) rather than paths, so a worker on another machine needs the package and, for OCR,
Tesseract, but no shared disk. The results come back to the caller as the tasks complete; only the
caller writes files and the store.

    Where("local", jobs=2)             today's process pool on this machine (forkserver, one per job)
    Where(workers=2)                   a dask.distributed LocalCluster of 2 single-threaded worker processes
    Where(scheduler="tcp://host:8786") the workers of an existing cluster (`dask scheduler`, `dask worker`)

A task that raises is tried again up to `retries` times; a worker that dies has its tasks run elsewhere
(Dask reschedules them; the local pool is rebuilt). A task still failing after that is returned as a
`TaskFailure` naming it, and the other tasks go on. Functions that know a failure is final (a corrupt
scan) return their own failure value instead of raising, and are not retried.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from workbench import __version__
from workbench.errors import InputError, WorkbenchError

# Tries of one task after its first failure (an exception, or its worker dying).
TASK_RETRIES = 2
# Tasks in flight per worker: enough to keep every worker busy while results travel back, few enough that
# the client never holds more than a handful of page images in memory at once.
TASKS_PER_WORKER = 2
# Runs per worker when short items are grouped (Batch.chunks): enough to even out uneven runs.
CHUNKS_PER_WORKER = 4
# How long a client waits for a scheduler to answer and for its first worker to join.
CONNECT_TIMEOUT_S = 30
# The worker environment: one OpenMP thread per Tesseract (on few cores its threads fight each other).
WORKER_ENVIRONMENT = {"OMP_THREAD_LIMIT": "1"}
# A LocalCluster's workers have no dashboard, so nothing shows the statistical profile a Dask worker samples
# every 10 ms: left on, its sampling costs each worker CPU time that the work itself needs. The same goes for
# the event-loop tick (every 20 ms in the scheduler, each nanny and worker: only for warnings, silenced here),
# the system monitor (every 0.5 s: the dashboard's figures) and the memory monitors (every 0.1 s; 0.5 s still
# pauses or restarts a worker long before a page's OCR fills its memory). At Dask's defaults an idle 2-worker
# cluster took 10.7 % of a core (5.2 % this process, 2.7 % each worker); with these, 2.3 %.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
}


class BatchError(WorkbenchError):
    """A piece of batch work failed on every try; the message names it."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where batch work runs: `scheduler` (an address), else `workers` (a LocalCluster), else the local
    process pool of `jobs` processes."""

    scheduler: str | None = None
    workers: int | None = None
    jobs: int = 1

    def __post_init__(self) -> None:
        if self.scheduler is not None and self.workers is not None:
            raise InputError("--scheduler and --workers exclude each other: a cluster has its own workers")
        if self.workers is not None and self.workers < 1:
            raise InputError(f"--workers must be at least 1, got {self.workers}")
        if self.jobs < 1:
            raise InputError(f"--jobs must be at least 1, got {self.jobs}")

    @property
    def distributed(self) -> bool:
        """True when the work goes to Dask (a LocalCluster or an existing scheduler)."""
        return self.scheduler is not None or self.workers is not None

    def describe(self) -> str:
        """How the work runs, for messages: 'local pool of 2', 'LocalCluster of 2 workers', 'tcp://...'."""
        if self.scheduler is not None:
            return f"Dask scheduler {self.scheduler}"
        if self.workers is not None:
            return f"LocalCluster of {self.workers} worker(s)"
        return f"local pool of {self.jobs} process(es)"


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task that failed every try: which one (its name) and the one-line reason."""

    name: str
    message: str


def failed_tasks_error(failures: Sequence[TaskFailure]) -> BatchError:
    """The one-line error for tasks that failed every try: the first named, and how many others failed."""
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return BatchError(f"{first.name}: {first.message}{more}")


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: the arguments of the batch's function, and a name for messages (a page, a file).

    `load`, when given, makes the arguments at the moment the task is sent (a page image is read then, so
    the client holds only the images in flight, not a whole collection's).
    """

    name: str
    args: tuple = ()
    load: Callable[[], tuple] | None = None

    def arguments(self) -> tuple:
        """The function's arguments for this task."""
        return self.load() if self.load is not None else self.args


@dataclass(slots=True)
class _Pending:
    index: int
    task: Task
    tries: int = 0


# -- the local pool -----------------------------------------------------------------------------------------

_WORKER_SHARED: dict[str, Any] = {}


def _init_local_worker(environment: dict[str, str], shared: Mapping[str, Any]) -> None:
    # Workers fork from a server started earlier: give them the caller's settings of now.
    os.environ.clear()
    os.environ.update(environment)
    os.environ.update(WORKER_ENVIRONMENT)
    _WORKER_SHARED.clear()
    _WORKER_SHARED.update(shared)


def _call_local(function: Callable, args: tuple) -> Any:
    """Run in a pool worker: the function with its task's arguments and the batch's shared ones."""
    return function(*args, **_WORKER_SHARED)


def _pool_context() -> multiprocessing.context.BaseContext:
    # Not "fork": the UI runs batches from a threaded server, where forking a live process is unsafe.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports the OCR code (with numpy and lxml, which a page's reading needs) once; each later
    # pool's workers fork from it ready to run.
    context.set_forkserver_preload(["workbench.ocr.run", "workbench.ocr.preprocess", "workbench.ocr.importers.hocr"])
    return context


def _failure_message(error: BaseException, tries: int) -> str:
    text = " ".join(str(error).split())[:300]
    return f"failed {tries} time(s) ({type(error).__name__}{': ' + text if text else ''})"


def _local_map(
    function: Callable, tasks: Sequence[Task], shared: Mapping[str, Any], *, jobs: int, retries: int
) -> Iterator[tuple[int, Any]]:
    workers = max(1, min(jobs, len(tasks)))
    queue = deque(_Pending(i, t) for i, t in enumerate(tasks))
    window = workers * TASKS_PER_WORKER

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_pool_context(),
            initializer=_init_local_worker,
            initargs=(dict(os.environ), dict(shared)),
        )

    pool = new_pool()
    running: dict[Future, _Pending] = {}
    try:
        while queue or running:
            broken = False
            while queue and len(running) < window:
                pending = queue.popleft()
                try:
                    future = pool.submit(_call_local, function, pending.task.arguments())
                except BrokenProcessPool:  # the pool broke between two results: this task joins the others
                    future = Future()
                    future.set_exception(BrokenProcessPool("the pool's workers died"))
                running[future] = pending
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                pending = running.pop(future)
                try:
                    yield pending.index, future.result()
                    continue
                except BrokenProcessPool:
                    broken = True
                    error: BaseException = RuntimeError("the worker process died (out of memory, or killed)")
                except Exception as raised:  # any error of the task: tried again, then named
                    error = raised
                pending.tries += 1
                if pending.tries > retries:
                    yield pending.index, TaskFailure(pending.task.name, _failure_message(error, pending.tries))
                else:
                    queue.appendleft(pending)
            if broken:
                # One dead worker breaks the whole pool: every task still running in it is tried again
                # (counted as a try) in a new pool.
                for future, pending in list(running.items()):
                    future.cancel()
                    pending.tries += 1
                    if pending.tries > retries:
                        yield pending.index, TaskFailure(
                            pending.task.name, f"failed {pending.tries} time(s) (the worker process died)"
                        )
                    else:
                        queue.appendleft(pending)
                running.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# -- Dask ------------------------------------------------------------------------------------------------------


def _package_version() -> str:
    """Run on each worker: the workbench version it imports (no package, no run)."""
    return __version__


def local_cluster(workers: int):
    """A dask.distributed LocalCluster of `workers` single-threaded worker processes on loopback only, with
    OMP_THREAD_LIMIT=1 in their environment and no dashboard; the caller closes it."""
    # Imported here: distributed takes a second to import, and only distributed runs need it.
    import dask
    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    # The workers' nannies take this configuration to their processes when they start them.
    with dask.config.set(LOCAL_WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's HTTP routes (health, metrics) on a free loopback port, never a fixed one.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            env=dict(WORKER_ENVIRONMENT),
            silence_logs=logging.ERROR,
        )


@dataclass
class Batch:
    """An open place to run tasks (see the module docstring); a context manager that closes what it started.

    `map` runs one function over many tasks and yields `(index, result)` pairs as they complete, a result
    being the function's return value or a TaskFailure.
    """

    where: Where
    retries: int = TASK_RETRIES
    _client: Any = field(default=None, repr=False)
    _cluster: Any = field(default=None, repr=False)

    def __enter__(self) -> Batch:
        if self.where.distributed:
            self._connect()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the scheduler and stop the LocalCluster this batch started (if any)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def worker_count(self) -> int:
        """How many tasks can run at once: the cluster's worker threads, or the local pool's jobs."""
        if self._client is None:
            return self.where.jobs
        return max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def _connect(self) -> None:
        # Imported here: distributed takes a second to import, and only distributed runs need it.
        from distributed import Client

        if self.where.workers is not None:
            self._cluster = local_cluster(self.where.workers)
            self._client = Client(self._cluster, timeout=CONNECT_TIMEOUT_S)
            return
        address = self.where.scheduler
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT_S)
            self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as error:
            self.close()
            reason = " ".join(str(error).split())[:200] or type(error).__name__
            raise InputError(f"--scheduler {address}: no Dask cluster with workers answers there ({reason})") from None
        versions = self._client.run(_package_version, on_error="return")
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            said = f"workbench {version}" if isinstance(version, str) else f"no workbench ({type(version).__name__})"
            self.close()
            raise InputError(
                f"--scheduler {address}: worker {worker} has {said}, this client {__version__}: "
                f"install the same package on every worker"
            )

    def map(
        self, function: Callable, tasks: Sequence[Task], *, shared: Mapping[str, Any] | None = None
    ) -> Iterator[tuple[int, Any]]:
        """Run `function(*task.args, **shared)` for every task; yield (index, result or TaskFailure) as each
        completes. `shared` is sent to each worker once, not with every task."""
        shared = dict(shared or {})
        if not tasks:
            return iter(())
        if self._client is None:
            return _local_map(function, tasks, shared, jobs=self.where.jobs, retries=self.retries)
        return self._dask_map(function, tasks, shared)

    def chunks(self, items: Sequence) -> list[Sequence]:
        """`items` cut into consecutive runs, a few per worker: for work of milliseconds an item (scoring a
        page), where one task per item would spend more time travelling than working."""
        size = max(1, -(-len(items) // (self.worker_count * CHUNKS_PER_WORKER)))
        return [items[start : start + size] for start in range(0, len(items), size)]

    def map_all(self, function: Callable, tasks: Sequence[Task], *, shared: Mapping[str, Any] | None = None) -> list:
        """`map`'s results in task order, for work whose every piece is needed (scores of every page): a
        task that failed every try raises BatchError naming it (and how many others failed)."""
        results: list[Any] = [None] * len(tasks)
        failures: list[TaskFailure] = []
        for index, result in self.map(function, tasks, shared=shared):
            if isinstance(result, TaskFailure):
                failures.append(result)
            results[index] = result
        if failures:
            raise failed_tasks_error(failures)
        return results

    def _dask_map(self, function: Callable, tasks: Sequence[Task], shared: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed  # as in _connect: only distributed runs import distributed

        client = self._client
        # Large shared values (a lexicon) travel to each worker once, as scattered data.
        # (each in a list of one: scatter would spread a dict or a list's items as separate pieces)
        shared_futures = {
            name: client.scatter([value], broadcast=True, hash=False)[0] for name, value in shared.items()
        }
        queue = deque(enumerate(tasks))
        window = self.worker_count * TASKS_PER_WORKER
        running: dict[Any, int] = {}

        resubmitted: dict[int, int] = {}

        def submit(index: int | None = None) -> None:
            if index is None:
                index, task = queue.popleft()
            else:
                task = tasks[index]
            future = client.submit(function, *task.arguments(), **shared_futures, retries=self.retries, pure=False)
            running[future] = index
            completed.add(future)

        completed = as_completed()
        try:
            while queue and len(running) < window:
                submit()
            for future in completed:
                index = running.pop(future)
                if future.status == "finished":
                    yield index, future.result()
                elif future.status == "lost" and resubmitted.get(index, 0) < self.retries:
                    # Its result was held by a worker that died before we fetched it: run it again.
                    resubmitted[index] = resubmitted.get(index, 0) + 1
                    future.release()
                    submit(index)
                    continue
                else:
                    error = future.exception() if future.status == "error" else RuntimeError(future.status)
                    name = tasks[index].name
                    if type(error).__name__ == "KilledWorker":
                        message = "failed: every worker that ran it died (out of memory, or killed)"
                    else:
                        message = _failure_message(error, self.retries + 1)
                    yield index, TaskFailure(name, message)
                future.release()
                if queue:
                    submit()
        finally:
            for future in running:
                future.cancel()
            for future in shared_futures.values():
                future.release()
