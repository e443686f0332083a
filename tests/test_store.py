"""The review store: URL resolution, migrations, SQLite settings, flag snapshots, conditional appends,
durability across a killed process. Store tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_postgres import BACKENDS, backend_url
from workbench.errors import StoreError
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, FlagSource
from workbench.schema import decisions_table, flags_table, metadata
from workbench.store import VersionConflict, database_url, head_revision, open_store, schema_revision

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch):
    return backend_url(request, tmp_path, monkeypatch)


@pytest.fixture
def store(db_url):
    opened = open_store(db_url)
    yield opened
    opened.close()


def make_flag(start: int, text: str = "teh", *, page: int = 1, document: str = "memo", suggestions=("the",)):
    return Flag(
        document=document,
        page=page,
        start=start,
        end=start + len(text),
        text=text,
        category=FlagCategory.MISREAD_WORD,
        suggestions=tuple(suggestions),
        confidence=0.9,
        source=FlagSource.HEURISTIC,
    )


def event(flag: Flag, *, reviewer: str = "ann", version: int = 0, text: str = "the") -> Decision:
    return Decision(
        document=flag.document,
        flag_key=flag.key,
        action=DecisionAction.ACCEPT,
        text=text,
        reviewer=reviewer,
        time="2026-11-26T14:00:00.000Z",
        version=version,
    )


# -- where the store is ------------------------------------------------------------------------------------


def test_empty_setting_means_workbench_db_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    assert database_url("") == f"sqlite:///{tmp_path.resolve() / 'workbench.db'}"


def test_plain_path_is_a_sqlite_file(tmp_path):
    assert database_url(str(tmp_path / "r.db")) == f"sqlite:///{tmp_path / 'r.db'}"


def test_setting_is_read_when_no_url_given(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "from-setting.db"))
    assert database_url().endswith("from-setting.db")


def test_postgresql_url_gets_the_psycopg_driver():
    assert database_url("postgresql://ann:secret@db.example/review") == (
        "postgresql+psycopg://ann:secret@db.example/review"
    )


def test_malformed_url_is_a_one_line_store_error():
    with pytest.raises(StoreError, match=r"^WORKBENCH_DB='bad url://x': not a file path or a database URL$"):
        database_url("bad url://x")


def test_unknown_database_kind_is_a_one_line_store_error():
    with pytest.raises(StoreError, match=r"^nope://x: cannot open the review store \(.*nope\)$"):
        open_store("nope://x")


def test_store_in_a_missing_folder_creates_the_folder(tmp_path):
    store = open_store(str(tmp_path / "new" / "dir" / "review.db"))
    assert (tmp_path / "new" / "dir" / "review.db").exists()
    assert schema_revision(store) == head_revision()


# -- schema and migrations ---------------------------------------------------------------------------------


def test_open_migrates_to_head_and_matches_the_declared_tables(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert schema_revision(store) == head_revision()
    with store.read() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    # The migration scripts and the tables the code queries must not drift apart.
    assert differences == []


def test_reopening_a_migrated_store_keeps_its_data(store, db_url):
    store.sync_flags("memo", [make_flag(0)])
    again = open_store(db_url)
    assert [s.flag.key for s in again.flags("memo")] == [make_flag(0).key]


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path):
    store = open_store(str(tmp_path / "r.db"))
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000



def test_sqlite_writers_take_turns_on_a_lock_file_beside_the_database(tmp_path):
    store = open_store(str(tmp_path / "r.db"))
    flag = make_flag(0)
    done = threading.Event()

    def writer():
        store.sync_flags("memo", [flag])
        done.set()

    with store._turns.turn():  # another writer's turn, held
        assert (tmp_path / "r.db-writers").exists()
        with store.write():  # the holder itself writes without waiting for its own turn
            pass
        thread = threading.Thread(target=writer)
        thread.start()
        assert not done.wait(0.5)  # queued behind the turn held above
    assert done.wait(30)  # the turn released: the queued writer went through
    thread.join()
    assert [f.flag.key for f in store.flags("memo")] == [flag.key]


def test_only_sqlite_files_have_writer_turns(tmp_path):
    from workbench.store import _WriterTurns

    assert _WriterTurns.beside(database_url(str(tmp_path / "r.db"))) is not None
    assert _WriterTurns.beside("sqlite://") is None
    assert _WriterTurns.beside("sqlite:///:memory:") is None
    assert _WriterTurns.beside("postgresql+psycopg://u@localhost/db") is None

def test_two_threads_opening_a_new_database_at_once_both_succeed(tmp_path):
    from workbench import store as store_module

    url = database_url(str(tmp_path / "fresh.db"))
    results, errors = [], []
    barrier = threading.Barrier(4)

    def opener():
        barrier.wait()
        try:
            results.append(schema_revision(store_module.open_store(url)))
        except Exception as error:  # the test reports any failure below
            errors.append(error)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [head_revision()] * 4


# -- flags -------------------------------------------------------------------------------------------------


def test_sync_flags_upserts_and_marks_missing_flags_stale_without_deleting(store):
    first, second = make_flag(0), make_flag(10)
    assert store.sync_flags("memo", [first, second]).added == 2
    moved = make_flag(0, suggestions=("the", "ten"))
    result = store.sync_flags("memo", [moved])
    assert (result.added, result.updated, result.unchanged, result.stale) == (0, 1, 0, 1)
    stored = {s.flag.key: s for s in store.flags("memo")}
    assert stored[first.key].flag.suggestions == ("the", "ten")
    assert stored[second.key].stale is True
    # It comes back live when the flagger produces it again.
    assert store.sync_flags("memo", [moved, second]).updated == 1
    assert not any(s.stale for s in store.flags("memo"))
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(flags_table)).scalar() == 2


def test_sync_flags_refuses_a_flag_of_another_document(store):
    with pytest.raises(StoreError, match="belongs to 'other'"):
        store.sync_flags("memo", [make_flag(0, document="other")])


def test_flag_fields_round_trip(store):
    from workbench.models import Box

    flag = Flag(
        document="memo", page=2, start=5, end=5, text="", category=FlagCategory.MISSING_TEXT,
        suggestions=(" lost words", ""), confidence=0.25, boxes=(Box(1, 2, 30, 40), Box(3, 4, 5, 6)),
        source=FlagSource.GOLD,
    )
    store.sync_flags("memo", [flag])
    assert store.flags("memo")[0].flag == flag


# -- decisions ---------------------------------------------------------------------------------------------


def test_append_raises_the_flag_version_and_refuses_a_stale_version(store):
    flag = make_flag(0)
    store.sync_flags("memo", [flag])
    stored = store.append_decisions([event(flag)])
    assert stored[0].id is not None
    assert store.flags("memo")[0].version == 1
    with pytest.raises(VersionConflict) as caught:
        store.append_decisions([event(flag, reviewer="bob")])
    assert (caught.value.expected, caught.value.actual) == (0, 1)
    assert [d.reviewer for d in store.decisions("memo")] == ["ann"]


def test_a_batch_with_one_stale_version_writes_nothing(store):
    a, b = make_flag(0), make_flag(10)
    store.sync_flags("memo", [a, b])
    store.append_decisions([event(b)])
    with pytest.raises(VersionConflict):
        store.append_decisions([event(a), event(b)])
    assert [d.flag_key for d in store.decisions("memo")] == [b.key]
    assert {s.flag.key: s.version for s in store.flags("memo")} == {a.key: 0, b.key: 1}


def test_a_decision_needs_a_known_flag(store):
    with pytest.raises(VersionConflict):
        store.append_decisions([event(make_flag(0))])
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions_table)).scalar() == 0


DECIDE_AND_HANG = textwrap.dedent(
    """
    import sys, time
    from workbench.models import Decision, DecisionAction, Flag, FlagCategory
    from workbench.store import open_store

    store = open_store(sys.argv[1])
    flag = Flag("memo", 1, 0, 3, "teh", FlagCategory.MISREAD_WORD, ("the",))
    store.sync_flags("memo", [flag])
    store.append_decisions([Decision("memo", flag.key, DecisionAction.ACCEPT, "the", "ann", "t", version=0)])
    print("decided", flush=True)
    time.sleep(60)
    """
)


def test_a_decision_survives_a_process_kill_right_after_it_returns(db_url):
    process = subprocess.Popen(
        [sys.executable, "-c", DECIDE_AND_HANG, db_url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert process.stdout.readline().strip() == "decided"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    decisions = open_store(db_url).decisions("memo")
    assert [(d.reviewer, d.text) for d in decisions] == [("ann", "the")]


def test_the_database_itself_refuses_to_update_or_delete_events(store):
    flag = make_flag(0)
    store.sync_flags("memo", [flag])
    store.append_decisions([event(flag)])
    statements = [
        sa.update(decisions_table).values(text="rewritten"),
        sa.delete(decisions_table),
        sa.delete(flags_table),
    ]
    for statement in statements:
        # SQLite's trigger aborts with a constraint error, passed on as such; PostgreSQL's raises, a StoreError
        with pytest.raises((sa.exc.IntegrityError, StoreError), match="append-only"), store.write() as conn:
            conn.execute(statement)
    assert [d.text for d in store.decisions("memo")] == ["the"]
    assert len(store.flags("memo")) == 1


def test_the_schema_head_known_without_alembic_is_alembics_head():
    from workbench.store import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD  # a new migration script needs SCHEMA_HEAD moved with it


def test_opening_a_store_at_the_head_does_not_import_alembic(db_url):
    import subprocess
    import sys

    open_store(db_url)  # migrated to the head
    probe = (
        "import sys; from workbench.store import open_store; "
        f"open_store({db_url!r}); print('alembic' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False", found.stderr


def test_an_older_schema_is_upgraded_on_open(db_url):
    from alembic import command

    from workbench.store import _alembic_config

    store = open_store(db_url, upgrade=False)
    with store.write() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    assert schema_revision(store) == "0001"
    assert schema_revision(open_store(db_url)) == head_revision() != "0001"
