"""The review store: one database behind one module, SQLite by default, any SQLAlchemy URL otherwise.

`WORKBENCH_DB` chooses it: empty means `WORKBENCH_HOME/workbench.db`; a plain path is a SQLite file; a URL
(`postgresql://user@host/db`, `sqlite:///path`) is used as given. The schema is versioned with alembic; the
migration scripts live in `workbench/migrations/` and run on open (or by `workbench db upgrade`).

Every operation runs in one short transaction on a connection checked out of the engine's pool and given
back at its end: no caller holds a connection, and no connection is used by two threads at once, so
Streamlit's script threads and several reviewers at once are safe. SQLite runs in WAL mode with a busy
timeout, and its writes take the write lock up front (`BEGIN IMMEDIATE`) so that two writers queue
instead of failing half way. Writers to a SQLite file also take turns on an advisory lock on a file beside
it (`<database>-writers`): SQLite's own busy handler polls, sleeping up to 100 ms between tries, so under
twenty writers at once one of them could wait seconds while others came and went; the kernel hands the
lock to a waiting writer as soon as it is free.

Everything here is append-only except two counters: a flag's `version` (how many decision events it has,
for optimistic concurrency) and its snapshot fields (refreshed by `sync_flags`, stale flags marked, never
deleted). The review logic that derives state from these events lives in `workbench.review`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import NullPool, QueuePool

from workbench import settings
from workbench.errors import StoreError
from workbench.models import Box, Decision, DecisionAction, Flag, FlagCategory, FlagSource
from workbench.schema import (
    decisions_table,
    flags_table,
    gold_revisions_table,
    line_edits_table,
    page_status_table,
    rule_settings_table,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it names the lock that serialises concurrent migrations on PostgreSQL.
POSTGRES_MIGRATION_LOCK = 0x0C5_1974

def now() -> str:
    """The current time, UTC, ISO 8601 with milliseconds and a Z: 2026-11-26T13:40:01.123Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def database_url(value: str | None = None, *, home: Path | None = None) -> str:
    """The SQLAlchemy URL of the review store from `value` (default: the WORKBENCH_DB setting).

    Empty means `home/workbench.db` (home defaults to WORKBENCH_HOME); a plain path is a SQLite file;
    `postgresql://` URLs get the psycopg 3 driver, the one the workbench installs.
    """
    raw = (settings.get("WORKBENCH_DB") if value is None else value).strip()
    if not raw:
        return f"sqlite:///{((home or settings.home()) / 'workbench.db').resolve()}"
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreError(f"WORKBENCH_DB={raw!r}: not a file path or a database URL") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class StoredFlag:
    """A flag as the store holds it: the record, how many decision events it has had, whether it is stale.

    A stale flag is one the flagger no longer produces (the OCR or the gold changed); its decisions stay.
    """

    flag: Flag
    version: int
    stale: bool = False


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What `sync_flags` did: counts of flags added, refreshed, unchanged, and newly marked stale."""

    added: int
    updated: int
    unchanged: int
    stale: int


@dataclass(frozen=True, slots=True)
class PageStatusEvent:
    """One change of a page's review status; `seq` counts the page's status events from 1."""

    document: str
    page: int
    status: str
    reviewer: str
    time: str
    note: str = ""
    seq: int = 0
    open_flags: int | None = None  # the page's flags still open when it was set (None: not counted)


@dataclass(frozen=True, slots=True)
class RuleSetting:
    """A reviewer switching a transcript rule on or off for a document."""

    document: str
    rule: str
    enabled: bool
    reviewer: str
    time: str


@dataclass(frozen=True, slots=True)
class GoldRevision:
    """A new revision of a document's gold, written from gold errata: which decisions, which pages."""

    document: str
    gold: str
    revision: int
    reviewer: str
    time: str
    decisions: tuple[int, ...]
    pages: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LineEdit:
    """One event of a line's transcription log: a reviewer's text for OCR line `line` (1-based) of a page.

    `action` is edit or undo (a redo is an edit whose `ref` is the undo it reverses); `ocr` the OCR line it
    was made on, `before` the line as the reviewer saw it, `text` the line after (None for an undo);
    `version` the line's event count it was made against (optimistic concurrency, as for flags).
    """

    document: str
    page: int
    line: int
    action: DecisionAction
    ocr: str
    before: str
    text: str | None
    reviewer: str
    time: str
    note: str = ""
    version: int = 0
    batch: str | None = None
    id: int | None = None
    ref: int | None = None


@dataclass(frozen=True, slots=True)
class PageRecords:
    """What the store holds on one page of a document, read in one transaction (`Store.page_records`):
    the page's flags that have decision events, those events, the page's line edit events (each oldest
    first) and the document's transcript rule switches."""

    flags: tuple[StoredFlag, ...]
    decisions: tuple[Decision, ...]
    line_edits: tuple[LineEdit, ...]
    rule_settings: tuple[RuleSetting, ...]


class LineVersionConflict(Exception):
    """Internal: a line has had more (or fewer) events than the edit was made against."""

    def __init__(self, document: str, page: int, line: int, expected: int, actual: int | None):
        super().__init__(f"{document} page {page} line {line}: expected version {expected}, found {actual}")
        self.document = document
        self.page = page
        self.line = line
        self.expected = expected
        self.actual = actual


class VersionConflict(Exception):
    """Internal: a flag's stored version is not the one a decision was made against."""

    def __init__(self, document: str, flag_key: str, expected: int, actual: int | None):
        super().__init__(f"{document} {flag_key}: expected version {expected}, found {actual}")
        self.document = document
        self.flag_key = flag_key
        self.expected = expected
        self.actual = actual


class SequenceConflict(Exception):
    """Internal: another event took the sequence number (page status) this one was made against."""


class _WriterTurns:
    """Writers to one SQLite file taking turns on an advisory lock (flock) on a file beside it.

    Each turn opens the lock file anew, so threads of one process queue too (flock locks belong to an
    open file, not to a process); a thread already holding a turn is not made to wait for itself.
    """

    def __init__(self, path: Path):
        self.path = path
        self._held = threading.local()

    @classmethod
    def beside(cls, url: str) -> _WriterTurns | None:
        """The turns of the SQLite file at `url`; None for other databases, memory databases and systems
        without flock (SQLite's own lock still serialises their writers)."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
            return None
        try:
            import fcntl  # noqa: F401  (POSIX only)
        except ImportError:
            return None
        return cls(Path(f"{parsed.database}-writers"))

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this writer's turn, hold it for the block."""
        import fcntl

        if getattr(self._held, "turn", False):
            yield
            return
        try:
            handle = open(self.path, "ab")  # noqa: SIM115  (closed below, after the lock is released)
        except OSError:  # a read-only folder: SQLite's own lock is all there is
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._held.turn = True
            yield
        finally:
            self._held.turn = False
            handle.close()  # closing the file releases the lock


class Store:
    """A handle on the review database. Thread-safe: it holds an engine, never an open connection."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self._writer = engine.execution_options(workbench_write=True)
        self._turns = _WriterTurns.beside(url)

    def __repr__(self) -> str:
        return f"Store({self.display_url})"

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql' (the SQLAlchemy dialect name)."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A short read transaction."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # a constraint said no: the caller decides what that means
        except DatabaseError as error:  # locked, unreachable, not a database, "disk image is malformed"
            raise StoreError(f"{self.display_url}: cannot read the review store ({_reason(error)})") from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A short write transaction, committed when the block ends (rolled back if it raises)."""
        try:
            with self._turns.turn() if self._turns else nullcontext(), self._writer.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # a constraint said no: the caller decides what that means
        except DatabaseError as error:  # locked, unreachable, not a database, "disk image is malformed"
            raise StoreError(f"{self.display_url}: cannot write the review store ({_reason(error)})") from None

    def close(self) -> None:
        """Release pooled connections (the store stays usable; new ones open on demand)."""
        self.engine.dispose()

    # -- flags ------------------------------------------------------------------------------------------

    def sync_flags(
        self, document: str, flags: Iterable[Flag], *, sources: Iterable[FlagSource] | None = None
    ) -> SyncResult:
        """Store a fresh snapshot of a document's flags: upsert by key, mark the missing ones stale.

        `sources` limits the snapshot to flags of those sources (gold, heuristic): stored flags of other
        sources are left alone, so the gold and the no-gold flag sets of a document live side by side.
        Nothing is deleted: a flag that comes back later is live again with its decisions.
        """
        covered = {FlagSource(s).value for s in sources} if sources is not None else None
        incoming: dict[str, Flag] = {}
        for flag in flags:
            if flag.document != document:
                raise StoreError(f"flag {flag.key} belongs to {flag.document!r}, not {document!r}")
            if covered is not None and flag.source.value not in covered:
                raise StoreError(f"flag {flag.key} is from source {flag.source.value!r}, outside this snapshot")
            incoming[flag.key] = flag
        stamp = now()
        added = updated = unchanged = stale = 0
        with self.write() as conn:
            existing = {
                row.key: row
                for row in conn.execute(sa.select(flags_table).where(flags_table.c.document == document))
            }
            for key, flag in incoming.items():
                values = _flag_values(flag)
                row = existing.get(key)
                if row is None:
                    conn.execute(
                        flags_table.insert().values(
                            document=document, key=key, stale=False, version=0, first_seen=stamp, last_seen=stamp,
                            **values,
                        )
                    )
                    added += 1
                elif row.stale or any(getattr(row, name) != value for name, value in values.items()):
                    conn.execute(
                        flags_table.update()
                        .where(flags_table.c.id == row.id)
                        .values(stale=False, last_seen=stamp, **values)
                    )
                    updated += 1
                else:
                    unchanged += 1
            gone = [
                row.id
                for key, row in existing.items()
                if key not in incoming and not row.stale and (covered is None or row.source in covered)
            ]
            if gone:
                conn.execute(flags_table.update().where(flags_table.c.id.in_(gone)).values(stale=True))
                stale = len(gone)
        return SyncResult(added=added, updated=updated, unchanged=unchanged, stale=stale)

    def flags(
        self, document: str, *, keys: Sequence[str] | None = None, page: int | None = None
    ) -> list[StoredFlag]:
        """The stored flags of a document (stale ones too; of some keys or one page), in page and span order."""
        query = sa.select(flags_table).where(flags_table.c.document == document)
        if keys is not None:
            query = query.where(flags_table.c.key.in_(list(keys)))
        if page is not None:
            query = query.where(flags_table.c.page == page)
        query = query.order_by(flags_table.c.page, flags_table.c.span_start, flags_table.c.span_end, flags_table.c.id)
        with self.read() as conn:
            return [_stored_flag(row) for row in conn.execute(query)]

    def live_flag_count(self, document: str, *, source: FlagSource | None = None) -> int:
        """How many flags of a document (of one source, when given) are live, not stale: one cheap query,
        so a caller can tell whether the store still holds the flags it synced."""
        query = sa.select(sa.func.count()).select_from(flags_table).where(
            flags_table.c.document == document, flags_table.c.stale.is_(False)
        )
        if source is not None:
            query = query.where(flags_table.c.source == FlagSource(source).value)
        with self.read() as conn:
            return int(conn.execute(query).scalar_one())

    def documents(self) -> list[str]:
        """Ids of the documents that have flags in the store, sorted."""
        with self.read() as conn:
            return sorted(conn.execute(sa.select(flags_table.c.document).distinct()).scalars())

    # -- decisions --------------------------------------------------------------------------------------

    def decisions(
        self, document: str, *, keys: Sequence[str] | None = None, batch: str | None = None
    ) -> list[Decision]:
        """The decision events of a document (optionally of some flags or one batch), oldest first."""
        query = sa.select(decisions_table).where(decisions_table.c.document == document)
        if keys is not None:
            query = query.where(decisions_table.c.flag_key.in_(list(keys)))
        if batch is not None:
            query = query.where(decisions_table.c.batch == batch)
        with self.read() as conn:
            return [_decision(row) for row in conn.execute(query.order_by(decisions_table.c.id))]

    def batch_document(self, batch: str) -> str | None:
        """The document a batch of decisions belongs to, or None when no such batch exists."""
        with self.read() as conn:
            return conn.execute(
                sa.select(decisions_table.c.document).where(decisions_table.c.batch == batch).limit(1)
            ).scalar()

    def append_decisions(self, events: Sequence[Decision]) -> list[Decision]:
        """Append decision events in one transaction, all or none; returns them with their ids.

        Each event's `version` must be its flag's stored version: the flag's counter is raised with a
        conditional update (`... WHERE version = :expected`), so of two writers racing from the same state
        exactly one succeeds; the other gets VersionConflict and nothing of its batch is written.
        """
        stored: list[Decision] = []
        try:
            with self.write() as conn:
                for item in events:
                    bumped = conn.execute(
                        flags_table.update()
                        .where(
                            flags_table.c.document == item.document,
                            flags_table.c.key == item.flag_key,
                            flags_table.c.version == item.version,
                        )
                        .values(version=flags_table.c.version + 1)
                    )
                    if bumped.rowcount != 1:
                        actual = conn.execute(
                            sa.select(flags_table.c.version).where(
                                flags_table.c.document == item.document, flags_table.c.key == item.flag_key
                            )
                        ).scalar()
                        raise VersionConflict(item.document, item.flag_key, item.version, actual)
                    new_id = conn.execute(
                        decisions_table.insert()
                        .values(
                            document=item.document,
                            flag_key=item.flag_key,
                            action=item.action.value,
                            text=item.text,
                            reviewer=item.reviewer,
                            time=item.time,
                            note=item.note,
                            version=item.version,
                            batch=item.batch,
                            ref=item.ref,
                        )
                        .returning(decisions_table.c.id)
                    ).scalar_one()
                    stored.append(replace(item, id=new_id))
        except IntegrityError as error:
            # The unique (flag, version) index is the second line of defence behind the conditional update.
            first = events[0] if events else None
            raise VersionConflict(
                first.document if first else "", first.flag_key if first else "", first.version if first else 0, None
            ) from error
        return stored

    # -- line edits -------------------------------------------------------------------------------------

    def line_edits(
        self, document: str, *, page: int | None = None, line: int | None = None, batch: str | None = None
    ) -> list[LineEdit]:
        """The line edit events of a document (optionally of one page, one line of it, or one batch), oldest first."""
        table = line_edits_table
        query = sa.select(table).where(table.c.document == document)
        if page is not None:
            query = query.where(table.c.page == page)
        if line is not None:
            query = query.where(table.c.line == line)
        if batch is not None:
            query = query.where(table.c.batch == batch)
        with self.read() as conn:
            return [_line_edit(row) for row in conn.execute(query.order_by(table.c.id))]

    def page_records(self, document: str, page: int) -> PageRecords:
        """The flags of one page that have decision events, those events, the page's line edit events and
        the document's rule switches, in one read transaction: what the page's lines as they read now are
        made of (a flag nobody decided changes nothing), for one round trip instead of four (the Transcribe
        page asks on every rerun)."""
        on_page = (flags_table.c.document == document, flags_table.c.page == page)
        decided = (
            sa.select(decisions_table.c.id)
            .where(decisions_table.c.document == document, decisions_table.c.flag_key == flags_table.c.key)
            .correlate(flags_table)
            .exists()
        )
        flags = (
            sa.select(flags_table)
            .where(*on_page, decided)
            .order_by(flags_table.c.page, flags_table.c.span_start, flags_table.c.span_end, flags_table.c.id)
        )
        decisions = (
            sa.select(decisions_table)
            .where(
                decisions_table.c.document == document,
                decisions_table.c.flag_key.in_(sa.select(flags_table.c.key).where(*on_page)),
            )
            .order_by(decisions_table.c.id)
        )
        lines = (
            sa.select(line_edits_table)
            .where(line_edits_table.c.document == document, line_edits_table.c.page == page)
            .order_by(line_edits_table.c.id)
        )
        rules = (
            sa.select(rule_settings_table)
            .where(rule_settings_table.c.document == document)
            .order_by(rule_settings_table.c.id)
        )
        with self.read() as conn:
            return PageRecords(
                flags=tuple(_stored_flag(row) for row in conn.execute(flags)),
                decisions=tuple(_decision(row) for row in conn.execute(decisions)),
                line_edits=tuple(_line_edit(row) for row in conn.execute(lines)),
                rule_settings=tuple(_rule_setting(r) for r in conn.execute(rules)),
            )

    def event_marks(self) -> dict[str, tuple[int, ...]]:
        """Per document, the count and the last id of its decision, line edit and rule switch events: what
        changes whenever anything is logged for it (a cache of what the events make can be keyed on it)."""
        marks: dict[str, list[int]] = {}
        with self.read() as conn:
            for slot, table in enumerate((decisions_table, line_edits_table, rule_settings_table)):
                query = sa.select(table.c.document, sa.func.count(), sa.func.max(table.c.id)).group_by(
                    table.c.document
                )
                for document, count, last in conn.execute(query):
                    marks.setdefault(document, [0] * 6)[2 * slot : 2 * slot + 2] = [count, last]
        return {document: tuple(values) for document, values in marks.items()}

    def line_edit_batch(self, batch: str) -> list[LineEdit]:
        """The line edit events of one batch, whatever documents it spans, oldest first."""
        query = sa.select(line_edits_table).where(line_edits_table.c.batch == batch)
        with self.read() as conn:
            return [_line_edit(row) for row in conn.execute(query.order_by(line_edits_table.c.id))]

    def append_line_edits(self, events: Sequence[LineEdit]) -> list[LineEdit]:
        """Append line edit events in one transaction, all or none; returns them with their ids.

        Each event's `version` must be its line's event count: of two writers racing from the same state
        exactly one succeeds (the unique line-and-version index settles a race the count did not see); the
        other gets LineVersionConflict and nothing of its batch is written.
        """
        table = line_edits_table
        stored: list[LineEdit] = []
        current: LineEdit | None = None
        try:
            with self.write() as conn:
                for item in events:
                    current = item
                    count = conn.execute(
                        sa.select(sa.func.count()).select_from(table).where(
                            table.c.document == item.document, table.c.page == item.page, table.c.line == item.line
                        )
                    ).scalar_one()
                    if count != item.version:
                        raise LineVersionConflict(item.document, item.page, item.line, item.version, count)
                    new_id = conn.execute(
                        table.insert()
                        .values(
                            document=item.document, page=item.page, line=item.line, action=item.action.value,
                            ocr=item.ocr, before=item.before, text=item.text, reviewer=item.reviewer,
                            time=item.time, note=item.note, version=item.version, batch=item.batch, ref=item.ref,
                        )
                        .returning(table.c.id)
                    ).scalar_one()
                    stored.append(replace(item, id=new_id))
        except IntegrityError as error:
            if current is None:
                raise
            raise LineVersionConflict(current.document, current.page, current.line, current.version, None) from error
        return stored

    # -- page status ------------------------------------------------------------------------------------

    def page_status_events(self, document: str, *, page: int | None = None) -> list[PageStatusEvent]:
        """The page status events of a document (or one page), oldest first."""
        query = sa.select(page_status_table).where(page_status_table.c.document == document)
        if page is not None:
            query = query.where(page_status_table.c.page == page)
        with self.read() as conn:
            rows = conn.execute(query.order_by(page_status_table.c.id))
            return [
                PageStatusEvent(
                    document=r.document, page=r.page, status=r.status, reviewer=r.reviewer, time=r.time,
                    note=r.note, seq=r.seq, open_flags=r.open_flags,
                )
                for r in rows
            ]

    def append_page_status(self, item: PageStatusEvent) -> PageStatusEvent:
        """Append a page status event whose `seq` must be the next free one; SequenceConflict otherwise."""
        try:
            with self.write() as conn:
                last = conn.execute(
                    sa.select(sa.func.max(page_status_table.c.seq)).where(
                        page_status_table.c.document == item.document, page_status_table.c.page == item.page
                    )
                ).scalar()
                if (last or 0) + 1 != item.seq:
                    raise SequenceConflict(f"{item.document} page {item.page}: seq {item.seq} taken")
                conn.execute(
                    page_status_table.insert().values(
                        document=item.document, page=item.page, seq=item.seq, status=item.status,
                        reviewer=item.reviewer, time=item.time, note=item.note, open_flags=item.open_flags,
                    )
                )
        except IntegrityError as error:
            raise SequenceConflict(f"{item.document} page {item.page}: seq {item.seq} taken") from error
        return item

    # -- transcript rules -------------------------------------------------------------------------------

    def rule_settings(self, document: str) -> list[RuleSetting]:
        """Every rule switch of a document, oldest first (the last one per rule is in force)."""
        query = (
            sa.select(rule_settings_table)
            .where(rule_settings_table.c.document == document)
            .order_by(rule_settings_table.c.id)
        )
        with self.read() as conn:
            return [_rule_setting(r) for r in conn.execute(query)]

    def append_rule_setting(self, item: RuleSetting) -> RuleSetting:
        """Record a rule switch."""
        with self.write() as conn:
            conn.execute(
                rule_settings_table.insert().values(
                    document=item.document, rule=item.rule, enabled=item.enabled, reviewer=item.reviewer,
                    time=item.time,
                )
            )
        return item

    # -- gold revisions ---------------------------------------------------------------------------------

    def gold_revisions(self, gold: str) -> list[GoldRevision]:
        """The revisions written of a gold folder, oldest first."""
        query = sa.select(gold_revisions_table).where(gold_revisions_table.c.gold == gold)
        with self.read() as conn:
            return [
                GoldRevision(
                    document=r.document, gold=r.gold, revision=r.revision, reviewer=r.reviewer, time=r.time,
                    decisions=tuple(r.decisions), pages=tuple(r.pages),
                )
                for r in conn.execute(query.order_by(gold_revisions_table.c.revision))
            ]

    def append_gold_revision(self, item: GoldRevision) -> GoldRevision:
        """Record a gold revision; StoreError when that revision number is already taken."""
        try:
            with self.write() as conn:
                conn.execute(
                    gold_revisions_table.insert().values(
                        document=item.document, gold=item.gold, revision=item.revision, reviewer=item.reviewer,
                        time=item.time, decisions=list(item.decisions), pages=list(item.pages),
                    )
                )
        except IntegrityError:
            raise StoreError(f"gold {item.gold!r}: revision {item.revision} was written by someone else") from None
        return item


def check_integrity(store: Store) -> None:
    """A quick check that the database's pages are sound (SQLite's `PRAGMA quick_check`; PostgreSQL looks after
    its own); StoreError naming the first problem when the file is damaged."""
    if store.backend != "sqlite":
        return
    try:
        with store.engine.connect() as conn:
            problems = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check(5)")]
    except DatabaseError as error:  # so damaged that the check itself cannot read it
        problems = [_reason(error)]
    if problems != ["ok"]:
        raise StoreError(
            f"{store.display_url}: the review store is damaged ({problems[0]}); restore it from a backup"
        )


def _reason(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0]


def _flag_values(flag: Flag) -> dict:
    return {
        "page": flag.page,
        "span_start": flag.start,
        "span_end": flag.end,
        "text": flag.text,
        "category": flag.category.value,
        "suggestions": list(flag.suggestions),
        "confidence": float(flag.confidence),
        "boxes": [[b.left, b.top, b.right, b.bottom] for b in flag.boxes],
        "source": flag.source.value,
    }


def _stored_flag(row) -> StoredFlag:
    flag = Flag(
        document=row.document,
        page=row.page,
        start=row.span_start,
        end=row.span_end,
        text=row.text,
        category=FlagCategory(row.category),
        suggestions=tuple(row.suggestions),
        confidence=row.confidence,
        boxes=tuple(Box(*b) for b in row.boxes),
        source=FlagSource(row.source),
    )
    return StoredFlag(flag=flag, version=row.version, stale=bool(row.stale))


def _decision(row) -> Decision:
    return Decision(
        document=row.document,
        flag_key=row.flag_key,
        action=DecisionAction(row.action),
        text=row.text,
        reviewer=row.reviewer,
        time=row.time,
        note=row.note,
        version=row.version,
        batch=row.batch,
        id=row.id,
        ref=row.ref,
    )


def _rule_setting(row) -> RuleSetting:
    return RuleSetting(document=row.document, rule=row.rule, enabled=row.enabled, reviewer=row.reviewer, time=row.time)


def _line_edit(row) -> LineEdit:
    return LineEdit(
        document=row.document, page=row.page, line=row.line, action=DecisionAction(row.action), ocr=row.ocr,
        before=row.before, text=row.text, reviewer=row.reviewer, time=row.time, note=row.note,
        version=row.version, batch=row.batch, id=row.id, ref=row.ref,
    )


# -- engines and migrations ----------------------------------------------------------------------------


def _make_engine(url: str) -> Engine:
    parsed: URL = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # A pool of connections, each checked out by one thread for one transaction and returned: no connection
    # is used by two threads at once. Keeping them open matters: when the last connection to a WAL database
    # closes, SQLite checkpoints and removes the WAL, which made every transaction pay for a checkpoint.
    # Memory databases get NullPool (each connection would be a separate empty database anyway).
    memory = not database or database == ":memory:"
    engine = sa.create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        **({"poolclass": NullPool} if memory else {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own transaction handling delays it
        # and commits around DDL, which breaks transactional migrations).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock at BEGIN: a deferred transaction that reads and then writes can fail
        # with SQLITE_BUSY without waiting when another writer committed in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("workbench_write") else "BEGIN")

    return engine


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """The review store at `url` (default: from WORKBENCH_DB), its schema upgraded to the latest revision.

    Engines are cached per URL (they are thread-safe connection factories), so opening the store again is
    cheap. StoreError with a one-line message when the database cannot be reached or migrated.
    """
    resolved = database_url(url)
    with _engines_lock:
        engine = _engines.get(resolved)
        if engine is None:
            try:
                engine = _make_engine(resolved)
            except (ArgumentError, SQLAlchemyError, ImportError) as error:
                raise StoreError(f"{_hide(resolved)}: cannot open the review store ({error})") from None
            _engines[resolved] = engine
    store = Store(resolved, engine)
    if upgrade:
        upgrade_schema(store)
    return store


def _hide(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _alembic_config(connection: Connection | None = None):
    from alembic.config import Config  # alembic only where the schema is looked at or migrated (see SCHEMA_HEAD)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The latest schema revision the migration scripts define."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def schema_revision(store: Store) -> str | None:
    """The schema revision the database is at, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    with store.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# The revision of the newest migration script; tests/test_store.py checks it is alembic's head, so a new
# migration cannot be added without it.
SCHEMA_HEAD = "0004"


def _recorded_revision(store: Store) -> str | None:
    """The revision in alembic's version table, read with plain SQL; None when there is no such table yet."""
    with store.read() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def upgrade_schema(store: Store) -> str:
    """Bring the database's schema to the latest revision (a no-op when it is there); returns the revision.

    Concurrent openers are serialised: SQLite by the write lock of `BEGIN IMMEDIATE`, PostgreSQL by an
    advisory lock, so two processes opening a new database at once do not both create the tables.
    """
    try:
        if _recorded_revision(store) == SCHEMA_HEAD:
            return SCHEMA_HEAD  # the common case, without importing alembic (a third of a command's start-up)
        head = head_revision()
        if schema_revision(store) == head:
            return head
        from alembic import command

        with store.write() as conn:
            if store.backend == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK})
            command.upgrade(_alembic_config(conn), "head")
    except SQLAlchemyError as error:
        raise StoreError(f"{store.display_url}: cannot migrate the review store ({_reason(error)})") from None
    return head
