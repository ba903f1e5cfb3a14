"""The submissions database: SQLite in WAL mode with full sync, so a submission that got a receipt survives a crash.

It lives beside the store (``<store>/submissions.sqlite`` by default, ``KG_SUBMISSIONS_DB`` to move it), never in a
build folder: builds come and go, submissions stay. Every change is one transaction and is also written to an
append-only ``events`` table (who did what, when, with which note), which ``export`` writes out with the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from kg.errors import KgError, NotFound
from kg.submissions.model import Submission, read_submission

STATES = ("received", "under-review", "accepted", "rejected")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    accepted_body TEXT,
    state TEXT NOT NULL CHECK (state IN ('received', 'under-review', 'accepted', 'rejected')),
    submitter TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    editor TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS submissions_state ON submissions (state, created);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    submission INTEGER NOT NULL REFERENCES submissions (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS editors (name TEXT PRIMARY KEY, password TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    editor TEXT NOT NULL REFERENCES editors (name),
    expires REAL NOT NULL
);
"""


class StorageFull(KgError):
    """The disk holding the submissions database is full: nothing was written (HTTP 507)."""


class StorageError(KgError):
    """The submissions database could not be opened or written."""


@dataclass(frozen=True)
class Stored:
    """A submission as stored: its tracking token, state, the submission (as edited when accepted), who and when."""

    id: int
    token: str
    state: str
    submission: Submission
    submitter: str
    created: str
    updated: str
    editor: str | None
    note: str | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@contextmanager
def _errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:
        if "full" in str(error).lower():
            raise StorageFull(f"no space left for the submissions database {path}: nothing was written") from None
        raise StorageError(f"the submissions database {path} failed: {error}") from None


class SubmissionDatabase:
    """Durable storage of submissions, decisions, editors and their sessions: one connection, one call at a time
    (a lock), so one instance serves every thread of a server; several processes share the file through SQLite."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        with _errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
        self._pseudonym_key = self.secret("pseudonym")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _errors(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> tuple[object, ...]:
        with self._lock, _errors(self.path):
            row = self._db.execute(sql, args).fetchone()
        if row is None:
            raise NotFound("no such submission")
        return tuple(row)

    def secret(self, name: str) -> bytes:
        """A random secret kept in the database (made on first use), shared by every process that opens it."""
        key = f"secret-{name}"
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, secrets.token_hex(32)))
        return bytes.fromhex(str(self._one("SELECT value FROM meta WHERE key = ?", (key,))[0]))

    def pseudonym(self, client: str) -> str:
        """A stable pseudonym for a client address (keyed hash: the address itself is never stored)."""
        return "anonymous-" + hmac.new(self._pseudonym_key, client.encode(), hashlib.sha256).hexdigest()[:12]

    def add(self, submission: Submission, client: str) -> Stored:
        """Store ``submission`` (state ``received``) and return it with its tracking token, once it is on disk."""
        token = secrets.token_urlsafe(18)
        now = _now()
        submitter = submission.submitter or self.pseudonym(client)
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO submissions (token, kind, body, state, submitter, created, updated) "
                "VALUES (?, ?, ?, 'received', ?, ?, ?)",
                (token, submission.kind, submission.to_json(), submitter, now, now),
            )
            db.execute("INSERT INTO events (submission, at, actor, action) VALUES (?, ?, ?, 'received')",
                       (cursor.lastrowid, now, submitter))
        return self.by_token(token)

    def _stored(self, row: tuple[object, ...]) -> Stored:
        id_, token, state, body, accepted, submitter, created, updated, editor, note = row
        submission = read_submission(str(accepted or body))
        return Stored(int(id_), str(token), str(state), submission, str(submitter), str(created), str(updated),
                      editor and str(editor), note and str(note))  # type: ignore[arg-type]

    _COLUMNS = "id, token, state, body, accepted_body, submitter, created, updated, editor, note"

    def by_token(self, token: str) -> Stored:
        """The submission with tracking token ``token`` (NotFound if none)."""
        return self._stored(self._one(f"SELECT {self._COLUMNS} FROM submissions WHERE token = ?", (token,)))

    def by_id(self, submission_id: int) -> Stored:
        return self._stored(self._one(f"SELECT {self._COLUMNS} FROM submissions WHERE id = ?", (submission_id,)))

    def queue(self, state: str | None = None, kind: str | None = None, limit: int = 100) -> list[Stored]:
        """Submissions, oldest first, filtered by state and kind."""
        sql = f"SELECT {self._COLUMNS} FROM submissions WHERE (? IS NULL OR state = ?) AND (? IS NULL OR kind = ?) " \
              "ORDER BY created LIMIT ?"
        with self._lock, _errors(self.path):
            rows = self._db.execute(sql, (state, state, kind, kind, limit)).fetchall()
        return [self._stored(tuple(row)) for row in rows]

    def decide(self, submission_id: int, editor: str, state: str, note: str = "",
               edited: Submission | None = None) -> Stored:
        """Record an editor's decision (``under-review``, ``accepted`` or ``rejected``), optionally with an edit."""
        if state not in STATES[1:]:
            raise KgError(f"a decision is one of {', '.join(STATES[1:])}, not {state!r}")
        now = _now()
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE submissions SET state = ?, editor = ?, note = ?, updated = ?, "
                "accepted_body = COALESCE(?, accepted_body) WHERE id = ? AND state NOT IN ('accepted', 'rejected')",
                (state, editor, note, now, edited.to_json() if edited else None, submission_id),
            ).rowcount
            if not changed:
                raise NotFound(f"submission {submission_id} does not exist or was already decided")
            db.execute("INSERT INTO events (submission, at, actor, action, note) VALUES (?, ?, ?, ?, ?)",
                       (submission_id, now, editor, state, note))
        return self.by_id(submission_id)

    def accepted(self) -> list[Stored]:
        """Every accepted submission, in the order they were accepted (what a build turns into data)."""
        with self._lock, _errors(self.path):
            rows = self._db.execute(
                f"SELECT {self._COLUMNS} FROM submissions WHERE state = 'accepted' ORDER BY updated, id").fetchall()
        return [self._stored(tuple(row)) for row in rows]

    # -- editors ------------------------------------------------------------------------------------
    def set_editor(self, name: str, password_hash: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO editors VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET password = excluded.password",
                       (name, password_hash, _now()))

    def editor_hash(self, name: str) -> str | None:
        with self._lock, _errors(self.path):
            row = self._db.execute("SELECT password FROM editors WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def open_session(self, editor: str, token: str, seconds: float) -> None:
        """Remember a signed-in editor's session (only a hash of ``token`` is stored)."""
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (_token_hash(token), editor, time.time() + seconds))

    def session_editor(self, token: str) -> str | None:
        """The editor whose unexpired session ``token`` is, or None."""
        with self._lock, _errors(self.path):
            row = self._db.execute("SELECT editor FROM sessions WHERE token_hash = ? AND expires >= ?",
                                   (_token_hash(token), time.time())).fetchone()
        return None if row is None else str(row[0])

    def close_session(self, token: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    # -- backups -------------------------------------------------------------------------------------
    def export(self, out: IO[str]) -> int:
        """Write every submission with its events as JSON lines; the number written."""
        with self._lock, _errors(self.path):
            rows = self._db.execute("SELECT * FROM submissions ORDER BY id").fetchall()
            names = [d[0] for d in self._db.execute("SELECT * FROM submissions LIMIT 0").description]
            for row in rows:
                record = dict(zip(names, row, strict=True))
                record["events"] = [
                    dict(zip(("at", "actor", "action", "note"), event, strict=True))
                    for event in self._db.execute(
                        "SELECT at, actor, action, note FROM events WHERE submission = ? ORDER BY id", (record["id"],))
                ]
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        return len(rows)

    def import_(self, lines: IO[str]) -> int:
        """Read what ``export`` wrote (one transaction: all or nothing); rows already present (same token) are kept."""
        added = 0
        with self._transaction() as db:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    read_submission(record["accepted_body"] or record["body"])
                    if record["state"] not in STATES:
                        raise ValueError(f"unknown state {record['state']!r}")
                except (ValueError, KeyError, TypeError, KgError) as error:
                    raise KgError(f"line {number}: not a submission record ({error})") from None
                cursor = db.execute(
                    "INSERT OR IGNORE INTO submissions (token, kind, body, accepted_body, state, submitter, created, "
                    "updated, editor, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    tuple(record[k] for k in ("token", "kind", "body", "accepted_body", "state", "submitter",
                                              "created", "updated", "editor", "note")),
                )
                if cursor.rowcount:
                    added += 1
                    for event in record.get("events", []):
                        db.execute("INSERT INTO events (submission, at, actor, action, note) VALUES (?, ?, ?, ?, ?)",
                                   (cursor.lastrowid, event["at"], event["actor"], event["action"], event["note"]))
        return added
