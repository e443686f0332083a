"""The review store on PostgreSQL: a throwaway server from Debian's packages, and the backend fixture.

The store, review and transcript tests run on both backends through `backend_url` (SQLite in the test's
folder; PostgreSQL in a fresh schema). The PostgreSQL server is started once per test session from
Debian's binaries (initdb/pg_ctl, run as the `postgres` user when the tests run as root), listening
only on a Unix socket in its own folder, and stopped and removed when the session ends.

To run the whole suite against a PostgreSQL of your own instead, give its URL:
    WORKBENCH_DB=postgresql://user@host/db .venv/bin/python -m pytest tests/test_store.py ...
(the tests then make one schema per test in that database).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

# Read once at import, before conftest points WORKBENCH_DB at each test's own SQLite file.
OUTER_DB = os.environ.get("WORKBENCH_DB", "")


def initdb_path() -> Path | None:
    """Debian's initdb (the newest installed version), or None when PostgreSQL's server is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1])
    on_path = shutil.which("initdb")
    return Path(on_path) if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder, reachable only through a Unix socket there."""

    def __init__(self, initdb: Path):
        self.bin = initdb.parent
        self.root = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        # initdb refuses to run as root: run the server binaries as Debian's `postgres` user then.
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        """Create and start the cluster; returns the admin URL."""
        if self.as_root:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")
        options = f"-c listen_addresses='' -k {self.root} -p {self.port} -c fsync=off -c max_connections=60"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")
        return f"postgresql+psycopg://postgres@/postgres?host={self.root}&port={self.port}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        # The folder goes anyway; a server that did not start has nothing to stop.
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


_server: dict[str, str] = {}


def postgres_admin_url(config: pytest.Config) -> str:
    """The URL of the PostgreSQL the tests use: the one given in WORKBENCH_DB, else a throwaway server
    started on first use and stopped when the session ends. Skips when PostgreSQL is not installed."""
    if OUTER_DB.startswith(("postgresql", "postgres:")):
        return OUTER_DB
    if "url" not in _server:
        initdb = initdb_path()
        if initdb is None:
            pytest.skip("PostgreSQL server binaries (initdb) are not installed; bin/setup --test installs them")
        server = ThrowawayPostgres(initdb)
        config.add_cleanup(server.stop)
        _server["url"] = server.start()
    return _server["url"]


def fresh_postgres_url(config: pytest.Config) -> str:
    """A URL whose connections work in a new, empty schema of the test PostgreSQL (one per test)."""
    import sqlalchemy as sa

    from workbench.store import database_url

    admin = database_url(postgres_admin_url(config))
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = sa.engine.make_url(admin)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def backend_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store URL for a test parametrized over 'sqlite' and 'postgres', also set as WORKBENCH_DB."""
    url = fresh_postgres_url(request.config) if request.param == "postgres" else str(tmp_path / "review.db")
    monkeypatch.setenv("WORKBENCH_DB", url)
    return url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.postgres
def test_throwaway_server_serves_the_store_with_its_schema(request):
    import sqlalchemy as sa

    from workbench.store import head_revision, open_store, schema_revision

    url = fresh_postgres_url(request.config)
    store = open_store(url)
    try:
        assert store.backend == "postgresql"
        assert schema_revision(store) == head_revision()
        with store.read() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert {"flags", "decisions", "page_status", "rule_settings", "gold_revisions"} <= tables
    finally:
        store.close()


@pytest.mark.postgres
def test_postgresql_url_without_driver_gets_psycopg(request):
    from workbench.store import database_url

    url = postgres_admin_url(request.config).replace("postgresql+psycopg://", "postgresql://")
    assert database_url(url).startswith("postgresql+psycopg://")


def test_unreachable_server_is_one_line_store_error(tmp_path):
    from workbench.errors import StoreError
    from workbench.store import open_store

    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://nobody@/nothing?host={tmp_path}&port=1")
    message = str(caught.value)
    assert "\n" not in message
    assert "cannot" in message and "nothing" in message
