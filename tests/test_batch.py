"""Batch work in the three places: the local pool, a 2-worker LocalCluster, and an existing scheduler.

Tasks that raise are tried again and then named; a worker killed in the middle of a task has that task run
again elsewhere and the batch still finishes; results come back as tasks complete. Every cluster here
listens on loopback only and is closed by its test.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from workbench import batch as batch_module
from workbench.batch import Batch, Task, TaskFailure, Where, local_cluster
from workbench.errors import InputError

PLACES = {
    "local pool": Where(jobs=2),
    "LocalCluster": Where(workers=2),
}


def double(value: int, *, offset: int = 0) -> int:
    """A task: twice the value, plus the shared offset."""
    return 2 * value + offset


def fail_always(value: int) -> int:
    """A task that always raises."""
    raise ValueError(f"no good value: {value}")


def fail_first_time(marker: str, value: int) -> int:
    """A task that raises on its first try only (the marker file remembers the try)."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        raise RuntimeError("a passing fault")
    return value


def die_first_time(marker: str, value: int) -> int:
    """A task whose first try kills the process running it, as the kernel's OOM killer would."""
    path = Path(marker)
    if not path.exists():
        path.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def worker_environment(name: str) -> str | None:
    """A task: the value of an environment variable where it runs."""
    return os.environ.get(name)


def _run(where: Where, function, tasks, **kwargs) -> dict[int, object]:
    with Batch(where) as batch:
        return dict(batch.map(function, tasks, **kwargs))


@pytest.mark.parametrize("where", PLACES.values(), ids=PLACES.keys())
def test_every_task_runs_once_with_the_shared_arguments(where):
    tasks = [Task(f"item {n}", (n,)) for n in range(7)]
    assert _run(where, double, tasks, shared={"offset": 1}) == {n: 2 * n + 1 for n in range(7)}


@pytest.mark.parametrize("where", PLACES.values(), ids=PLACES.keys())
def test_workers_are_single_threaded_for_tesseract(where, monkeypatch):
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")
    results = _run(where, worker_environment, [Task("env", ("OMP_THREAD_LIMIT",))])
    assert results == {0: "1"}


@pytest.mark.parametrize("where", PLACES.values(), ids=PLACES.keys())
def test_a_task_that_keeps_failing_is_named_and_the_others_are_kept(where):
    tasks = [Task("item 0", (0,)), Task("page 7", (7,)), Task("item 2", (2,))]
    with Batch(where) as batch:
        results = dict(batch.map(fail_always, tasks[1:2]))
        others = dict(batch.map(double, [tasks[0], tasks[2]]))
    (failure,) = results.values()
    assert isinstance(failure, TaskFailure) and failure.name == "page 7"
    assert "ValueError: no good value: 7" in failure.message and "\n" not in failure.message
    assert failure.message.startswith(f"failed {batch_module.TASK_RETRIES + 1} time(s)")
    assert others == {0: 0, 1: 4}


@pytest.mark.parametrize("where", PLACES.values(), ids=PLACES.keys())
def test_a_passing_fault_is_retried(where, tmp_path):
    results = _run(where, fail_first_time, [Task("item", (str(tmp_path / "marker"), 5))])
    assert results == {0: 5} and (tmp_path / "marker").exists()


@pytest.mark.parametrize("where", PLACES.values(), ids=PLACES.keys())
def test_a_worker_killed_mid_task_and_the_batch_still_finishes(where, tmp_path):
    marker = tmp_path / "killed"
    tasks = [Task(f"item {n}", (str(marker) if n == 2 else str(tmp_path / f"never-{n}"), n)) for n in range(6)]
    # The other tasks' markers are made first, so only item 2 kills its worker.
    for n in range(6):
        if n != 2:
            (tmp_path / f"never-{n}").write_text("")
    results = _run(where, die_first_time, tasks)
    assert results == {n: n for n in range(6)}
    assert marker.exists()  # the kill did happen


def test_results_come_back_as_tasks_complete():
    # With two workers, a slow first task does not hold back the others' results.
    with Batch(Where(workers=2)) as batch:
        order = [index for index, _ in batch.map(pause, [Task("slow", (1.5,)), Task("a", (0,)), Task("b", (0,))])]
    assert sorted(order) == [0, 1, 2] and order[0] != 0


def pause(seconds: float) -> float:
    """A task that sleeps."""
    time.sleep(seconds)
    return seconds


def test_an_existing_scheduler_runs_the_tasks():
    with local_cluster(1) as cluster:
        results = _run(Where(scheduler=cluster.scheduler_address), double, [Task("x", (3,))])
    assert results == {0: 6}


def test_a_scheduler_that_does_not_answer_is_one_line(monkeypatch):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(batch_module, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(InputError) as raised, Batch(Where(scheduler=f"tcp://127.0.0.1:{port}")):
        pass
    message = str(raised.value)
    assert message.startswith(f"--scheduler tcp://127.0.0.1:{port}: no Dask cluster") and "\n" not in message


def test_where_refuses_both_places_and_no_workers():
    with pytest.raises(InputError, match="exclude each other"):
        Where(scheduler="tcp://127.0.0.1:8786", workers=2)
    with pytest.raises(InputError, match="--workers must be at least 1"):
        Where(workers=0)


# -- the commands' batch work: on a 2-worker LocalCluster, the same results as here --------------------------


def test_scores_flags_and_folder_comparisons_on_a_cluster_equal_the_serial_ones(repo_collection, tmp_path):
    from workbench.compare import compare_folders
    from workbench.compare_report import comparison_dict
    from workbench.evaluate import evaluate_document, evaluation_dict
    from workbench.flags import flag_document

    gt, ocr = tmp_path / "gt", tmp_path / "ocr"
    gt.mkdir()
    ocr.mkdir()
    for number in range(1, 6):
        stem = f"page-{number:03d}"
        (gt / f"p{number}.gt.txt").write_bytes((repo_collection.gold_dir("us-japan-1974") / f"{stem}.txt").read_bytes())
        (ocr / f"p{number}.txt").write_bytes((repo_collection.ocr_dir("us-japan-1974") / f"{stem}.txt").read_bytes())
    with Batch(Where(workers=2)) as batch:
        for use_gold in (True, False):
            assert flag_document(repo_collection, "us-japan-1974", use_gold=use_gold, batch=batch) == flag_document(
                repo_collection, "us-japan-1974", use_gold=use_gold
            )
        there = evaluate_document(repo_collection, "us-japan-1974", batch=batch)
        assert evaluation_dict(there) == evaluation_dict(evaluate_document(repo_collection, "us-japan-1974"))
        assert [p.page for p in there.pages] == [1, 2, 3, 4, 5]
        compared = compare_folders(gt, ocr, batch=batch)
        assert comparison_dict(compared) == comparison_dict(compare_folders(gt, ocr))


def test_the_collection_report_built_on_a_cluster_equals_the_serial_one(copied_collection, tmp_path):
    from workbench.report import write_collection_report

    serial = write_collection_report(copied_collection, out=tmp_path / "serial", generated="2026-01-01T00:00:00Z")
    with Batch(Where(workers=2)) as batch:
        cluster = write_collection_report(
            copied_collection, out=tmp_path / "cluster", generated="2026-01-01T00:00:00Z", batch=batch
        )
    assert [e.id for e in cluster.entries] == [e.id for e in serial.entries] and not cluster.failed
    for path in serial.files:
        relative = path.relative_to(tmp_path / "serial")
        assert (tmp_path / "cluster" / relative).read_bytes() == path.read_bytes(), relative
